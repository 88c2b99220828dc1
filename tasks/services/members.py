"""Who is in a project, and who may be assigned a task.

Members are added by username (201) or by e-mail address (202, the same answer whether or not
an account has the address: the answer must not tell who has an account). Assignees of a task
are members of its project; on an Inbox task, only its owner.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from tasks import access
from tasks.errors import AlreadyMember, MemberNotFound, QuotaExceeded, TaskInvalid
from tasks.models import Project, ProjectMember, Task, TaskEvent
from tasks.notifications import activity
from tasks.selectors import UserRef
from tasks.services import history
from tasks.webhooks import events as webhook_events

MAX_ASSIGNEES = 10
EMAIL_INVITE_DETAIL = (
    "If this address belongs to a TMS account, its owner is now a member of the project"
    " and appears in the member list."
)


def allowed_assignees(task: Task) -> set[int]:
    if task.project_id is None:
        return {task.owner_id}
    return set(ProjectMember.objects.filter(project_id=task.project_id).values_list("user_id", flat=True))


def valid_assignees(task: Task, user_ids: list[int]) -> list[int]:
    """``user_ids`` if each may be assigned the task; a 400 naming the others."""
    if not user_ids:
        return []
    outside = sorted(set(user_ids) - allowed_assignees(task))
    if outside:
        where = "members of its project" if task.project_id else "you (it is in your Inbox)"
        raise TaskInvalid(
            {
                "assignees": [
                    f"A task is assigned only to {where}; not to user(s) {', '.join(map(str, outside))}."
                ]
            }
        )
    return list(user_ids)


def unassign(stale: QuerySet, task_ids: list[int]) -> dict[int, list[list[str]]]:
    """Delete the assignments ``stale`` (rows of task_assignees, all among ``task_ids``); answer, for
    each task that lost one, its assignees' usernames before and after, as the history shows them.

    The tasks that lost one get a new version, so that an ETag or ``updated_since`` read before
    sees the change.
    """
    through = Task.assignees.through
    gone = set(stale.values_list("pk", flat=True))
    if not gone:
        return {}
    rows = through.objects.filter(task_id__in=task_ids).values_list("pk", "task_id", "user__username")
    names: dict[int, list[list[str]]] = {}
    for pk, task_id, username in rows:
        before_after = names.setdefault(task_id, [[], []])
        before_after[0].append(username)
        if pk not in gone:
            before_after[1].append(username)
    through.objects.filter(pk__in=gone).delete()
    changed = {task_id: [sorted(b), sorted(a)] for task_id, (b, a) in names.items() if b != a}
    Task.objects.filter(pk__in=list(changed)).update(version=F("version") + 1, updated_at=timezone.now())
    return changed


def assignee_refs(people: list[int]) -> list[UserRef]:
    if not people:
        return []
    rows = get_user_model().objects.filter(pk__in=people).values_list("pk", "username", "display_name")
    return sorted((UserRef(*row) for row in rows), key=lambda ref: ref.username.lower())


def member_list(*, user_id: int, project_id: int) -> QuerySet[ProjectMember]:
    access.project_for(user_id, project_id)
    return ProjectMember.objects.filter(project_id=project_id).select_related("user")


def _account_for(name: str) -> Any:
    """The active account with this e-mail address, or this username (any case)."""
    users = get_user_model().objects.filter(is_active=True)
    if "@" in name:
        return users.filter(email__iexact=name).first()
    return users.filter(username__iexact=name).first()


@transaction.atomic
def member_add(*, user_id: int, project_id: int, name: str, role: str) -> ProjectMember | None:
    """Add the account named by username or e-mail with ``role``. None for an e-mail address (whether
    or not an account was added: the caller answers the same either way)."""
    project, _ = access.project_for(user_id, project_id, access.MANAGE_MEMBERS, lock=True)
    # Before looking the name up: a full project answers the same for any address.
    _ensure_room(project)
    by_email = "@" in name
    account = _account_for(name)
    if account is None:
        if by_email:
            return None
        raise TaskInvalid({"user": [f"There is no TMS account with the username {name!r}."]})
    if ProjectMember.objects.filter(project=project, user=account).exists():
        if by_email:
            return None
        raise AlreadyMember
    try:
        with transaction.atomic():
            member = ProjectMember.objects.create(project=project, user=account, role=role)
    except IntegrityError as exc:  # a concurrent request added them first
        if by_email:
            return None
        raise AlreadyMember from exc
    activity.notify_shared(project, account.pk, user_id)
    webhook_events.member_changed(webhook_events.MEMBER_ADDED, project.pk, account.pk, role, user_id)
    return None if by_email else member


def _ensure_room(project: Project) -> None:
    limit = settings.TMS_QUOTA_PROJECT_MEMBERS
    if ProjectMember.objects.filter(project=project).count() >= limit:
        raise QuotaExceeded(f"A project has at most {limit} members.")


def _member(project: Project, member_id: int) -> ProjectMember:
    member = ProjectMember.objects.select_related("user").filter(project=project, user_id=member_id).first()
    if member is None:
        raise MemberNotFound
    return member


@transaction.atomic
def member_change_role(*, user_id: int, project_id: int, member_id: int, role: str) -> ProjectMember:
    project, _ = access.project_for(user_id, project_id, access.MANAGE_MEMBERS, lock=True)
    member = _member(project, member_id)
    if member.role == access.OWNER:
        raise TaskInvalid({"role": ["The owner's role does not change."]})
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def member_remove(*, user_id: int, project_id: int, member_id: int) -> None:
    """An admin removes a member, or a member leaves; their assignments in the project go too."""
    needed = access.VIEWER if member_id == user_id else access.MANAGE_MEMBERS
    project, _ = access.project_for(user_id, project_id, needed, lock=True)
    member = _member(project, member_id)
    if member.role == access.OWNER:
        what = "leave it" if member_id == user_id else "be removed"
        raise TaskInvalid({"user": [f"The project's owner cannot {what}; delete the project instead."]})
    member.delete()
    webhook_events.member_changed(webhook_events.MEMBER_REMOVED, project.pk, member_id, None, user_id)
    stale = Task.assignees.through.objects.filter(user_id=member_id, task__project=project)
    lost = unassign(stale, list(stale.values_list("task_id", flat=True)))
    history.record_many(
        [
            TaskEvent(
                task_id=task_id, actor_id=user_id, kind=TaskEvent.Kind.UPDATED, changes={"assignees": names}
            )
            for task_id, names in lost.items()
        ]
    )
