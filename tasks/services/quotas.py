"""What one account may hold: per-account quotas and per-task caps.

Quotas (settings ``TMS_QUOTA_TASKS``, ``TMS_QUOTA_LABELS``) bound what an account
keeps in total: tasks count with the trash. A write that would pass one is
refused with 409 ``quota_exceeded`` and changes nothing.

Writes that add to a quota first lock the owner's user row, then count: two
requests racing at the edge of a quota run one after the other, so the second
sees the first's rows. Every such write takes that lock first in its
transaction (before any insert), so the order of locks is the same everywhere.
"""

from django.conf import settings
from django.contrib.auth import get_user_model

from tasks.errors import OwnerGone, QuotaExceeded
from tasks.selectors import label_count, task_count

MAX_LABELS_PER_TASK = 20


def lock_owner(owner_id: int) -> None:
    """Row-lock the owner until the transaction ends; OwnerGone (401) if the account was deleted.

    A valid access token can outlive its account by a few minutes.
    """
    locked = get_user_model().objects.select_for_update().filter(pk=owner_id).values_list("pk", flat=True)
    if not list(locked):
        raise OwnerGone


def _refuse(what: str, quota: int, have: int, adding: int, holder: str = "you have") -> None:
    raise QuotaExceeded(
        f"The {what} quota is {quota:,} per account: {holder} {have:,}, and this would add {adding:,}."
        f" Delete some {what} first{' (the trash counts too)' if what == 'tasks' else ''}."
    )


def ensure_task_room(
    *, owner_id: int, adding: int, have: int | None = None, for_project: bool = False
) -> None:
    """Room for ``adding`` tasks in the owner's account; ``for_project``: tasks of a project, which
    count against its owner (the refusal says so, since the person asking may be another member)."""
    quota = settings.TMS_QUOTA_TASKS
    have = task_count(owner_id) if have is None else have
    if have + adding > quota:
        _refuse("tasks", quota, have, adding, "the project's owner has" if for_project else "you have")


def ensure_label_room(*, owner_id: int, adding: int, have: int | None = None) -> None:
    quota = settings.TMS_QUOTA_LABELS
    have = label_count(owner_id) if have is None else have
    if have + adding > quota:
        _refuse("labels", quota, have, adding)
