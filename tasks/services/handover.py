"""What becomes of a person's projects when their account is deleted.

The work in a shared project belongs to the people it was shared with as much as to its
owner, so it outlives the owner's account: each project they own that has other members is
handed to the member who has been in it longest among its admins, else its editors, else
its viewers (docs/decisions.md, "A deleted account's shared projects are handed over").
Active accounts come before deactivated ones, who cannot sign in to use it. A project with
no other member, or one its owner had already put in the trash, goes with the account
(with its tasks, by the account's cascade).

The new owner is the owner in every sense a project has one: ``Project.owner``, the member
row with the role ``owner``, and ``Task.owner`` of each of its tasks, the trash included,
whose quotas count there. Quotas are not checked: refusing would make the deletion of
another person's account fail, or lose the work. The new owner may then hold more than
TMS_QUOTA_TASKS or TMS_QUOTA_PROJECTS, and adds nothing until back under them. A name the
new owner already uses (case-insensitively) becomes "<name> (from <old username>)".

The person's assignments on the tasks that outlive the account end as a member's removal ends
them: each such task records the change in its history and gets a new version.

It runs inside the transaction that deletes the account, just before the delete: the
account's row is locked first, so a task added to one of its projects at the same moment
either commits before (and is handed over with the rest) or finds the account gone.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from tasks import access
from tasks.errors import ProjectNameTaken
from tasks.models import Project, ProjectMember, Task, TaskEvent
from tasks.notifications import schedule
from tasks.services import history, quotas
from tasks.services.members import unassign

NAME_MAX = Project._meta.get_field("name").max_length or 100
# The old username in a new name is cut to this: a long one would leave too little of the name.
_USERNAME_IN_NAME = 40
# More numbered names than an account may own projects by default (TMS_QUOTA_PROJECTS).
_NUMBERED_NAMES = 1_000
# Heirs in order of preference: an admin, else an editor, else a viewer.
_ROLE_ORDER: dict[str, int] = {access.ADMIN: 0, access.EDITOR: 1, access.VIEWER: 2}


@dataclass(frozen=True)
class HandedOver:
    """One project that changed owner; ``name`` is its name now (``renamed`` if it had to change)."""

    project_id: int
    new_owner_id: int
    name: str
    renamed: bool


def heir_of(project_id: int, leaving_id: int) -> ProjectMember | None:
    """The member who inherits the project when ``leaving_id``, its owner, goes; None if nobody does.

    Active before deactivated, then admin before editor before viewer, then the longest in the
    project (the earliest membership; the lower row id breaks a tie).
    """
    members = (
        ProjectMember.objects.filter(project_id=project_id, role__in=list(_ROLE_ORDER))
        .exclude(user_id=leaving_id)
        .select_related("user")
    )
    return min(
        members,
        key=lambda m: (not m.user.is_active, _ROLE_ORDER[m.role], m.created_at, m.pk),
        default=None,
    )


def _names(name: str, old_username: str) -> Iterator[str]:
    """The project's name, then "<name> (from <old username>)", then the same numbered 2, 3, …"""
    yield name
    who = old_username[:_USERNAME_IN_NAME]
    for number in range(1, _NUMBERED_NAMES + 1):
        suffix = f" (from {who})" if number == 1 else f" (from {who} {number})"
        yield name[: NAME_MAX - len(suffix)].rstrip() + suffix


def _take_name(project: Project, new_owner_id: int, old_username: str) -> bool:
    """Save ``project`` as the new owner's under the first free name; True if the name changed.

    The new owner's row is locked, as project_create locks it, so no project of theirs is created
    meanwhile; a rename of one of theirs racing this is caught by the unique constraint.
    """
    original = project.name
    for candidate in _names(original, old_username):
        if Project.objects.filter(owner_id=new_owner_id, name__iexact=candidate).exists():
            continue
        project.owner_id, project.name = new_owner_id, candidate
        try:
            with transaction.atomic():
                project.save(update_fields=["owner", "name", "updated_at"])
        except IntegrityError:
            continue
        return candidate != original
    # Only if the new owner already has every one of these names.
    raise ProjectNameTaken(f"No free name for the project {original!r} among its new owner's projects.")


def _hand_over(project: Project, heir: ProjectMember, leaving_id: int, old_username: str) -> HandedOver:
    quotas.lock_owner(heir.user_id)
    renamed = _take_name(project, heir.user_id, old_username)
    ProjectMember.objects.filter(project=project, user_id=leaving_id).delete()
    ProjectMember.objects.filter(pk=heir.pk).update(role=access.OWNER)
    # Every task of the project, in the trash too; their representation does not show the owner,
    # so versions (ETags) stay.
    Task.objects.filter(project=project).update(owner_id=heir.user_id)
    # Due times are the owner's local times: they become the heir's.
    schedule.reschedule_tasks(Task.objects.filter(project=project).values_list("pk", flat=True))
    return HandedOver(project.pk, heir.user_id, project.name, renamed)


@transaction.atomic
def projects_hand_over(*, user_id: int) -> list[HandedOver]:
    """Hand each shared project of ``user_id`` to its heir (see the module); call it in the transaction
    that then deletes the account. The projects not handed over are left to the account's cascade."""
    leaving = get_user_model().objects.select_for_update().filter(pk=user_id).values_list("username")
    row = leaving.first()
    if row is None:
        return []
    old_username = row[0]
    handed: list[HandedOver] = []
    owned = Project.objects.select_for_update().filter(owner_id=user_id, trashed_at__isnull=True)
    for project in owned.order_by("pk"):
        heir = heir_of(project.pk, user_id)
        if heir is not None:
            handed.append(_hand_over(project, heir, user_id, old_username))
    _unassign_leaving(user_id)
    return handed


def _unassign_leaving(user_id: int) -> None:
    """Take the leaving person off every task of a project someone else now owns (the rest goes with
    the account), recorded as their removal from a project is."""
    stale = Task.assignees.through.objects.filter(user_id=user_id, task__project__isnull=False).exclude(
        task__owner_id=user_id
    )
    lost = unassign(stale, list(stale.values_list("task_id", flat=True)))
    history.record_many(
        [
            TaskEvent(
                task_id=task_id, actor_id=user_id, kind=TaskEvent.Kind.UPDATED, changes={"assignees": names}
            )
            for task_id, names in lost.items()
        ]
    )
