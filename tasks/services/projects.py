"""Project writes: create, change, trash, restore, purge.

A project's name is unique per owner regardless of case (the trash counts: a restore
never clashes); an account owns at most TMS_QUOTA_PROJECTS projects. Trashing a
project takes its tasks to the trash at the same moment, so a restore brings back
exactly those, and not the tasks that were already in the trash before.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tasks import access
from tasks.errors import ProjectNameTaken, ProjectNotFound, QuotaExceeded
from tasks.models import Project, ProjectMember, Task, TaskEvent
from tasks.notifications import schedule
from tasks.services import history, quotas
from tasks.services.names import save_with_unique_name


def _name_taken(project: Project) -> ProjectNameTaken:
    return ProjectNameTaken(
        f"The owner already has a project named {project.name!r} (the trash counts too); choose another name."
    )


def _save(project: Project) -> Project:
    return save_with_unique_name(project, lambda: _name_taken(project))


@transaction.atomic
def project_create(
    *, user_id: int, name: str, description: str = "", colour: str = "#2563eb", archived: bool = False
) -> Project:
    quotas.lock_owner(user_id)
    quota = settings.TMS_QUOTA_PROJECTS
    have = Project.objects.filter(owner_id=user_id).count()
    if have >= quota:
        raise QuotaExceeded(
            f"The projects quota is {quota:,} per account, and you have {have:,}."
            " Delete some projects first (the trash counts too)."
        )
    project = _save(
        Project(owner_id=user_id, name=name, description=description, colour=colour, archived=archived)
    )
    ProjectMember.objects.create(project=project, user_id=user_id, role=access.OWNER)
    return project


@transaction.atomic
def project_update(*, user_id: int, project_id: int, data: dict[str, Any]) -> tuple[Project, str]:
    """Rename, describe, recolour or (un)archive: an admin's or the owner's change.

    A new name is checked under the owner's lock, as on create: two renames to one name run one
    after the other (MariaDB has no unique index on the lower-cased name to stop the second).
    """
    project, role = access.project_for(user_id, project_id, access.CHANGE_PROJECT)
    if "name" in data:
        quotas.lock_owner(project.owner_id)  # the owner's lock first, as in every write that takes it
    project = Project.objects.select_for_update().select_related("owner").get(pk=project.pk)
    for field, value in data.items():
        setattr(project, field, value)
    return _save(project), role


def _trashed_tasks_event(task_ids: list[int], actor_id: int | None, kind: str, project: Project) -> None:
    history.record_many(
        [
            TaskEvent(task_id=pk, actor_id=actor_id, kind=kind, changes={"project": project.pk})
            for pk in task_ids
        ]
    )


@transaction.atomic
def project_trash(*, user_id: int, project_id: int) -> None:
    """The owner moves the project, and its tasks not yet in the trash, to the trash."""
    project, _ = access.project_for(user_id, project_id, access.DELETE_PROJECT, lock=True)
    project.trashed_at = timezone.now()
    project.save(update_fields=["trashed_at", "updated_at"])
    tasks = Task.objects.filter(project=project, trashed_at__isnull=True)
    ids = list(tasks.values_list("pk", flat=True))
    tasks.update(trashed_at=project.trashed_at, version=F("version") + 1, updated_at=project.trashed_at)
    schedule.unschedule(ids)  # nothing is reminded of from the trash
    _trashed_tasks_event(ids, user_id, TaskEvent.Kind.TRASHED, project)


def trashed_projects(*, user_id: int) -> Any:
    return Project.objects.filter(owner_id=user_id, trashed_at__isnull=False).select_related("owner")


@transaction.atomic
def project_restore(*, user_id: int, project_id: int) -> Project:
    """The owner takes the project out of the trash with the tasks that went there with it."""
    project = (
        Project.objects.select_for_update()
        .filter(pk=project_id, owner_id=user_id, trashed_at__isnull=False)
        .first()
    )
    if project is None:
        raise ProjectNotFound
    tasks = Task.objects.filter(project=project, trashed_at=project.trashed_at)
    ids = list(tasks.values_list("pk", flat=True))
    now = timezone.now()
    tasks.update(trashed_at=None, version=F("version") + 1, updated_at=now)
    schedule.reschedule_tasks(ids)
    _trashed_tasks_event(ids, user_id, TaskEvent.Kind.RESTORED, project)
    project.trashed_at = None
    project.save(update_fields=["trashed_at", "updated_at"])
    return project


def project_purge_older_than(*, days: int) -> int:
    """Delete every project trashed more than ``days`` ago, with its tasks; returns how many projects."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    for project_id in list(Project.objects.filter(trashed_at__lt=cutoff).values_list("pk", flat=True)):
        # Its tasks first, in batches, so that no transaction holds a whole large project.
        while ids := list(Task.objects.filter(project_id=project_id).values_list("pk", flat=True)[:1000]):
            with transaction.atomic():
                Task.objects.filter(pk__in=ids).delete()
        Project.objects.filter(pk=project_id).delete()
        deleted += 1
    return deleted
