"""Comments on a task: plain text, by members who may change the task.

Readers of a task read its comments; editors and above comment; the author edits
their comment; the author or a project admin deletes it. Each is an entry in the
task's history (the comment's id, never its text: a deleted comment leaves no copy).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from tasks import access
from tasks.errors import CommentNotFound, QuotaExceeded, RoleTooLow
from tasks.models import Comment, TaskEvent
from tasks.notifications import activity
from tasks.services import history
from tasks.webhooks import events as webhook_events


def comment_list(*, user_id: int, task_id: int) -> QuerySet[Comment]:
    task, _ = access.task_for(user_id, task_id)
    return Comment.objects.filter(task=task).select_related("author")


@transaction.atomic
def comment_add(*, user_id: int, task_id: int, body: str) -> Comment:
    task, _ = access.task_for(user_id, task_id, access.EDITOR, lock=True)
    limit = settings.TMS_QUOTA_COMMENTS_PER_TASK
    if Comment.objects.filter(task=task).count() >= limit:
        raise QuotaExceeded(f"A task holds at most {limit:,} comments.")
    comment = Comment.objects.create(task=task, author_id=user_id, body=body)
    history.record(task, user_id, TaskEvent.Kind.COMMENTED, {"comment": comment.pk})
    activity.notify_commented(task, comment, user_id)
    webhook_events.comment_created(task, comment, user_id)
    return comment


def _comment(task_id: int, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("author").filter(task_id=task_id, pk=comment_id).first()
    if comment is None:
        raise CommentNotFound
    return comment


@transaction.atomic
def comment_edit(*, user_id: int, task_id: int, comment_id: int, body: str) -> Comment:
    task, _ = access.task_for(user_id, task_id, access.EDITOR)
    comment = _comment(task.pk, comment_id)
    if comment.author_id != user_id:
        raise RoleTooLow("Only its author can edit a comment.")
    if comment.body != body:
        comment.body, comment.edited = body, True
        comment.save(update_fields=["body", "edited", "updated_at"])
        history.record(task, user_id, TaskEvent.Kind.COMMENT_EDITED, {"comment": comment.pk})
    return comment


@transaction.atomic
def comment_delete(*, user_id: int, task_id: int, comment_id: int) -> None:
    task, role = access.task_for(user_id, task_id)
    comment = _comment(task.pk, comment_id)
    own = comment.author_id == user_id and access.at_least(role, access.EDITOR)
    if not own and not access.at_least(role, access.ADMIN):
        raise RoleTooLow("Only its author or a project admin can delete a comment.")
    comment.delete()
    history.record(task, user_id, TaskEvent.Kind.COMMENT_DELETED, {"comment": comment_id})
    webhook_events.comment_deleted(task, comment_id, user_id)
