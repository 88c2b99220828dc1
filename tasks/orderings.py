"""Every ordering the task service pages through, in one place (tms_project.api.pagination).

Each ordering's name goes into its cursors; the primary key is appended as the tiebreaker.
"""

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Lower

from tms_project.api.pagination import Key, Ordering

# The task list: ?ordering=<name> or -<name> (descending).
_TASK_KEYS = {
    "position": Key("position"),
    "due_date": Key("due_date", nullable=True),
    "priority": Key("priority"),
    "created_at": Key("created_at"),
    "updated_at": Key("updated_at"),
    # Case-insensitive on every database (served by a functional index).
    "title": Key("title_key", expression=Lower("title")),
}
ORDERINGS: dict[str, Ordering] = {}
for _name, _key in _TASK_KEYS.items():
    ORDERINGS[_name] = Ordering(_name, (_key,))
    ORDERINGS[f"-{_name}"] = ORDERINGS[_name].reversed(f"-{_name}")
DEFAULT_ORDERING = "position"

# The trash, most recently trashed first.
TRASH_ORDERING = Ordering("trash", (Key("trashed_at", descending=True),))

# A task's history, newest first.
HISTORY_ORDERING = Ordering("history", (Key("created_at", descending=True),))

# Labels by name, any case, as everywhere labels are shown.
LABEL_ORDERING = Ordering("labels", (Key("name_key", expression=Lower("name")),))

# Projects by name, any case (a page of the caller's memberships).
PROJECT_ORDERING = Ordering("projects", (Key("name_key", expression=Lower("project__name")),))

# Trashed projects, most recently trashed first.
PROJECT_TRASH_ORDERING = Ordering("project-trash", (Key("trashed_at", descending=True),))

# A project's members: the owner first, then in the order they joined. (The owner need not have joined
# first: a deleted account's project goes to a member who joined later, tasks.services.handover.)
MEMBER_ORDERING = Ordering(
    "members",
    (
        Key(
            "owner_first",
            expression=Case(When(role="owner", then=Value(0)), default=Value(1), output_field=IntegerField()),
        ),
        Key("created_at"),
    ),
)

# A task's comments, oldest first, as a conversation reads.
COMMENT_ORDERING = Ordering("comments", (Key("created_at"),))
