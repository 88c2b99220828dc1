"""Who may read or change which tasks and projects: the one place that decides.

A person reads the tasks of their personal Inbox (``project`` null, ``owner`` them)
and every task of a project they are a member of, in any role, while the project
is not in the trash. What they may do there follows their role:

- ``viewer`` reads tasks and comments;
- ``editor`` also creates, edits, moves, completes, trashes tasks and comments;
- ``admin`` also manages the members and the project;
- ``owner`` also deletes and restores the project. On an Inbox task its owner is ``owner``.

Whoever may not read an object gets NotFound, exactly as if it did not exist; whoever
may read it but not do this gets Forbidden (403). Membership is read on every
request, so a removed member loses access on their next one.
"""

from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Q, QuerySet

from tasks.errors import ProjectNotFound, RoleTooLow, TaskNotFound
from tasks.models import Project, ProjectMember, Task

Role = Project.Role
VIEWER, EDITOR, ADMIN, OWNER = Role.VIEWER, Role.EDITOR, Role.ADMIN, Role.OWNER
_RANK = {role: rank for rank, role in enumerate(Role.values)}

# What each write needs (the reads need VIEWER).
MANAGE_MEMBERS = ADMIN
CHANGE_PROJECT = ADMIN
DELETE_PROJECT = OWNER


def at_least(role: str | None, needed: str) -> bool:
    return role is not None and _RANK[role] >= _RANK[needed]


def require(role: str | None, needed: str, what: str = "do this") -> None:
    """NotFound-style callers check ``role is None`` first; this refuses a role below ``needed``."""
    if not at_least(role, needed):
        raise RoleTooLow(f"Your role in this project ({role}) does not allow you to {what}.")


def memberships(user_id: int) -> QuerySet[ProjectMember]:
    """The user's memberships of projects outside the trash."""
    return ProjectMember.objects.filter(user_id=user_id, project__trashed_at__isnull=True)


@dataclass(frozen=True)
class Scope:
    """The projects a user reads, loaded once per request: project id -> archived."""

    user_id: int
    projects: dict[int, bool]

    def tasks(self, *, project_ids: list[int] | None = None, inbox: bool = False) -> Q:
        """Tasks of the Inbox and of these projects (only those the user is a member of).

        Without a choice: the Inbox and every project that is not archived.
        """
        if project_ids is None and not inbox:
            wanted = [pid for pid, archived in self.projects.items() if not archived]
            inbox = True
        else:
            wanted = [pid for pid in project_ids or [] if pid in self.projects]
        parts = []
        if inbox:
            parts.append(Q(owner_id=self.user_id, project__isnull=True))
        if wanted:
            # The ids are written into the query: with the Inbox they are ranges of one index, (project,
            # owner, trashed_at, position), and a page by position is sorted from it (docs/performance.md).
            parts.append(Q(project_id__in=sorted(wanted)))
        if not parts:
            return Q(pk__in=[])
        query = parts[0]
        for part in parts[1:]:
            query |= part
        return query


def scope_of(user_id: int) -> Scope:
    """What ``memberships(user_id)`` holds, as project id -> archived: one query per list request.

    Hand-written: compiling the equivalent ORM query was a tenth of a list request's time
    (docs/performance.md).
    """
    members, projects = ProjectMember._meta.db_table, Project._meta.db_table
    sql = (
        f"SELECT m.project_id, p.archived FROM {members} m JOIN {projects} p ON p.id = m.project_id "  # noqa: S608 - model names
        "WHERE m.user_id = %s AND p.trashed_at IS NULL"
    )
    # Always the primary, also when the tasks themselves are read from a replica: who may read what
    # is never a replica's lagging copy (a removed member loses access on their next request).
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, [user_id])
        return Scope(user_id, {project_id: bool(archived) for project_id, archived in cursor.fetchall()})


def readable_tasks(user_id: int, *, trashed: bool = False) -> QuerySet[Task]:
    """Every task the user may read (any project, archived too), outside the trash or in it."""
    member_of: Any = memberships(user_id).values("project_id")
    if router.db_for_read(Task) != DEFAULT_DB_ALIAS:
        # The tasks come from a read replica, which may lag: the memberships come from the primary
        # (one indexed query), so a removed member's access ends at once there too.
        member_of = list(member_of.using(DEFAULT_DB_ALIAS).values_list("project_id", flat=True))
    visible = Q(owner_id=user_id, project__isnull=True) | Q(project_id__in=member_of)
    return Task.objects.filter(visible, trashed_at__isnull=not trashed)


def project_role(user_id: int, project_id: int | None) -> str | None:
    if project_id is None:
        return None
    return memberships(user_id).filter(project_id=project_id).values_list("role", flat=True).first()


def task_role(user_id: int, task: Task) -> str | None:
    """The user's role on this task: OWNER for their own Inbox task, their project role, or None."""
    if task.project_id is None:
        return OWNER if task.owner_id == user_id else None
    return project_role(user_id, task.project_id)


def task_for(
    user_id: int, task_id: int, needed: str = VIEWER, *, trashed: bool = False, lock: bool = False
) -> tuple[Task, str]:
    """The task and the user's role on it; TaskNotFound if they may not read it, RoleTooLow if
    they may read it but ``needed`` is more than their role. ``lock`` row-locks it."""
    tasks = Task.objects.select_for_update() if lock else Task.objects
    task = tasks.filter(pk=task_id, trashed_at__isnull=not trashed).first()
    role = task_role(user_id, task) if task is not None else None
    if task is None or role is None:
        raise TaskNotFound
    require(role, needed, "change this task" if needed == EDITOR else "do this")
    return task, role


def project_for(
    user_id: int, project_id: int, needed: str = VIEWER, *, lock: bool = False
) -> tuple[Project, str]:
    """The project and the user's role in it; ProjectNotFound for a non-member (or a trashed
    project), RoleTooLow for a member whose role is below ``needed``."""
    membership = memberships(user_id).filter(project_id=project_id).select_related("project").first()
    if membership is None:
        raise ProjectNotFound
    project = membership.project
    if lock:
        project = Project.objects.select_for_update().get(pk=project.pk)
    require(membership.role, needed, _WHAT.get(needed, "do this"))
    return project, membership.role


_WHAT: dict[str, str] = {
    EDITOR: "change its tasks",
    ADMIN: "manage this project or its members",
    OWNER: "delete or restore this project (only its owner can)",
}
