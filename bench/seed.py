"""Fast bulk seeding for the benchmark: `python -m bench.seed --users N --tasks-per-user M --first K`.

Adds users bench-K … bench-(K+N-1), each with M tasks in their Inbox (a
realistic mix of statuses, priorities, due dates and descriptions), three
labels and one label on a third of the tasks, by multi-row INSERTs in large
batches. All bench users share one password hash (computed once): the hash is
the expensive part, and the login benchmark checks it on every request anyway.
Seeded tasks carry no history rows.

`--members N --owners-first K` adds shared projects instead (the list_shared
endpoint): members bench-member-000000 … with an Inbox of M tasks each, every
one an editor of `--projects-per-member` projects owned by bench-K … (a
project has MEMBERS_PER_PROJECT members beside its owner and
`--tasks-per-project` tasks, owned by the project's owner as the service owns
them; a fifth are sub-tasks, a quarter have an assignee).
"""

import argparse
import math
import os
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

PASSWORD = "bench-passphrase-2026"  # noqa: S105 - a throwaway benchmark account
MEMBER_PREFIX = "bench-member"
# Members of each shared project besides its owner: a small team, so members' project sets overlap.
MEMBERS_PER_PROJECT = 3
BATCH = 5_000
STATUSES = ["todo"] * 5 + ["in_progress"] * 2 + ["done"] * 3
WORDS = [
    "plan",
    "review",
    "call",
    "write",
    "fix",
    "book",
    "pay",
    "send",
    "check",
    "order",
    "clean",
    "draft",
    "renew",
    "update",
    "meet",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tms_project.settings")
    import django

    django.setup()


def insert(
    cursor: "CursorWrapper", table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    # table and column names are this module's constants
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    for start in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[start : start + BATCH])


TASK_COLUMNS = (
    "id",
    "owner_id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "completed_at",
    "position",
    "version",
    "trashed_at",
    "created_at",
    "updated_at",
    "project_id",
    "parent_id",
)


PROJECT_COLUMNS = (
    "id",
    "owner_id",
    "name",
    "description",
    "colour",
    "archived",
    "trashed_at",
    "created_at",
    "updated_at",
)


def task_row(rng: random.Random, task_id: int, owner: int, index: int, now: datetime) -> list[Any]:
    """One task's columns (TASK_COLUMNS) in the Inbox, its position the `index`-th of a column."""
    status = rng.choice(STATUSES)
    created = now - timedelta(minutes=rng.randrange(1, 500_000))
    due = now.date() + timedelta(days=rng.randrange(-60, 120)) if rng.random() < 0.6 else None
    description = " ".join(rng.choices(WORDS, k=rng.randrange(0, 40)))
    return [
        task_id,
        owner,
        f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} #{index}",
        description,
        status,
        rng.randrange(0, 5),
        due,
        created if status == "done" else None,
        (1_700_000_000_000 + index * 1000) << 20,
        1,
        None,
        created,
        created,
        None,
        None,
    ]


def next_ids(cursor: "CursorWrapper", *tables: str) -> list[int]:
    """The first free id of each table: rows go in with their ids, linked without reading them back."""
    found = []
    for table in tables:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - this module's names
        found.append(cursor.fetchone()[0])
    return found


def add_users(cursor: "CursorWrapper", names: list[str]) -> list[int]:
    """Insert accounts with these names (one shared password hash); their ids in the same order."""
    from django.contrib.auth.hashers import make_password

    from accounts.usernames import username_key

    now = datetime.now(UTC).replace(tzinfo=None)
    password_hash = make_password(PASSWORD)
    columns = (
        "username",
        "email",
        "password",
        "is_superuser",
        "is_staff",
        "is_active",
        "date_joined",
        "display_name",
        "time_zone",
        "username_key",
    )
    rows = [
        (name, f"{name}@bench.invalid", password_hash, False, False, True, now, "", "UTC", username_key(name))
        for name in names
    ]
    insert(cursor, "users", columns, rows)
    cursor.execute("SELECT id FROM users WHERE username IN %s ORDER BY id", [names])
    return [row[0] for row in cursor.fetchall()]


def seed(users: int, tasks_per_user: int, first: int, prefix: str = "bench") -> list[int]:
    """Accounts prefix-first … with an Inbox of `tasks_per_user` tasks and three labels each; their ids."""
    from django.db import connection

    rng = random.Random(first)  # noqa: S311 - data, not secrets
    now = datetime.now(UTC).replace(tzinfo=None)
    names = [f"{prefix}-{index:06d}" for index in range(first, first + users)]
    with connection.cursor() as cursor:  # autocommit: each batch commits, no giant undo log
        cursor.execute("SET SESSION unique_checks = 0, SESSION foreign_key_checks = 0")
        owners = add_users(cursor, names)
        next_task, next_label = next_ids(cursor, "tasks", "labels")
        tasks, labels, task_labels = [], [], []
        for owner in owners:
            owner_labels = list(range(next_label, next_label + 3))
            labels += [
                (lid, owner, name, "#2563eb", now)
                for lid, name in zip(owner_labels, ("home", "work", "later"), strict=True)
            ]
            next_label += 3
            for index in range(tasks_per_user):
                tasks.append(task_row(rng, next_task, owner, index, now))
                if index % 3 == 0:
                    task_labels.append((next_task, rng.choice(owner_labels)))
                next_task += 1
            if len(tasks) >= 50_000:
                flush(cursor, tasks, labels, task_labels)
        flush(cursor, tasks, labels, task_labels)
    return owners


def project_count(members: int, projects_per_member: int) -> int:
    """How many shared projects `members` members of `projects_per_member` each make (bench.run sizes)."""
    return max(projects_per_member, math.ceil(members * projects_per_member / MEMBERS_PER_PROJECT))


def share(
    members: int, tasks_per_user: int, owners_first: int, projects_per_member: int, tasks_per_project: int
) -> None:
    """Shared projects: see the module's docstring. Member i joins a window of consecutive projects,
    so neighbours share some projects and every project has about MEMBERS_PER_PROJECT members."""
    from django.db import connection

    member_ids = seed(members, tasks_per_user, 0, prefix=MEMBER_PREFIX)
    count = project_count(members, projects_per_member)
    rng = random.Random(owners_first)  # noqa: S311 - data, not secrets
    now = datetime.now(UTC).replace(tzinfo=None)
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION unique_checks = 0, SESSION foreign_key_checks = 0")
        owner_names = [f"bench-{index:06d}" for index in range(owners_first, owners_first + count)]
        cursor.execute("SELECT id FROM users WHERE username IN %s ORDER BY id", [owner_names])
        owners = [row[0] for row in cursor.fetchall()]
        if not owners:
            raise SystemExit(f"bench.seed: no bench users from bench-{owners_first:06d} to own the projects")
        first_project, next_task = next_ids(cursor, "projects", "tasks")
        team: dict[int, list[int]] = {first_project + number: [] for number in range(count)}
        for index, member in enumerate(member_ids):
            start = index * count // members
            for offset in range(projects_per_member):
                team[first_project + (start + offset) % count].append(member)
        projects, memberships, tasks, assigned = [], [], [], []
        for number, (project, people) in enumerate(team.items()):
            owner = owners[number % len(owners)]
            name = f"Shared project {number}"
            projects.append((project, owner, name, "", "#16a34a", False, None, now, now))
            memberships.append((project, owner, "owner", now))
            memberships += [(project, member, "editor", now) for member in people]
            for index in range(tasks_per_project):
                row = task_row(rng, next_task, owner, index, now)
                # Spread over the same span as the Inboxes: a member's first page mixes both.
                row[8] = (1_700_000_000_000 + rng.randrange(tasks_per_user * 1000)) << 20
                row[13] = project
                row[14] = next_task - 1 if index % 5 == 1 else None
                tasks.append(row)
                if index % 4 == 0 and people:
                    assigned.append((next_task, rng.choice(people)))
                next_task += 1
        insert(cursor, "projects", PROJECT_COLUMNS, projects)
        insert(cursor, "project_members", ("project_id", "user_id", "role", "created_at"), memberships)
        insert(cursor, "tasks", TASK_COLUMNS, tasks)
        insert(cursor, "task_assignees", ("task_id", "user_id"), assigned)


def flush(
    cursor: "CursorWrapper",
    tasks: list[list[Any]],
    labels: list[tuple[Any, ...]],
    task_labels: list[tuple[Any, ...]],
) -> None:
    insert(cursor, "labels", ("id", "owner_id", "name", "colour", "created_at"), labels)
    insert(cursor, "tasks", TASK_COLUMNS, tasks)
    insert(cursor, "tasks_labels", ("task_id", "label_id"), task_labels)
    for rows in (tasks, labels, task_labels):
        rows.clear()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--tasks-per-user", type=int, required=True)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--members", type=int, default=0, help="members of shared projects (see above)")
    parser.add_argument("--owners-first", type=int, default=0, help="the first bench user owning a project")
    parser.add_argument("--projects-per-member", type=int, default=20)
    parser.add_argument("--tasks-per-project", type=int, default=25)
    arguments = parser.parse_args()
    setup_django()
    if arguments.users:
        seed(arguments.users, arguments.tasks_per_user, arguments.first)
    if arguments.members:
        share(
            arguments.members,
            arguments.tasks_per_user,
            arguments.owners_first,
            arguments.projects_per_member,
            arguments.tasks_per_project,
        )
