"""Sub-tasks: a task's parent is a task of the same project, at most MAX_LEVELS deep, never
itself or one of its own sub-tasks. A level is one query, so a walk is at most four."""

from django.db.models import Q

from tasks.errors import TaskInvalid
from tasks.models import Task

# A top-level task is level 1; its sub-tasks level 2; and so on.
MAX_LEVELS = 4


def descendant_ids(task_ids: list[int], *, trashed_at_in: Q | None = None) -> list[int]:
    """Every sub-task, sub-sub-task… of these tasks (trashed or not, unless ``trashed_at_in`` narrows)."""
    found: list[int] = []
    level = list(task_ids)
    for _ in range(MAX_LEVELS):
        children = Task.objects.filter(parent_id__in=level)
        if trashed_at_in is not None:
            children = children.filter(trashed_at_in)
        level = list(children.values_list("pk", flat=True))
        if not level:
            break
        found += level
    return found


def _level(task: Task) -> int:
    """1 for a top-level task, 2 for its sub-task, ..."""
    level, parent_id = 1, task.parent_id
    while parent_id is not None and level <= MAX_LEVELS:
        parent_id = Task.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        level += 1
    return level


def _height(task: Task) -> tuple[int, set[int]]:
    """How many levels the task and its sub-tasks span (1 without sub-tasks), and their ids."""
    height, level, below = 1, [task.pk], set()
    while level and height <= MAX_LEVELS:
        level = list(Task.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        if level:
            height += 1
            below.update(level)
    return height, below


def check_parent(task: Task | None, parent: Task) -> None:
    """Refuse ``parent`` for ``task`` (None: a new task) if it is in another project, makes a
    cycle, or would put a sub-task deeper than MAX_LEVELS."""
    if task is not None and parent.project_id != task.project_id:
        raise TaskInvalid({"parent": ["A sub-task's parent must be a task of the same project."]})
    if task is not None and task.project_id is None and parent.owner_id != task.owner_id:
        raise TaskInvalid({"parent": ["A sub-task's parent must be a task of the same project."]})
    height, below = _height(task) if task is not None else (1, set())
    if task is not None and (parent.pk == task.pk or parent.pk in below):
        raise TaskInvalid({"parent": ["A task cannot be its own sub-task, directly or further down."]})
    if _level(parent) + height > MAX_LEVELS:
        raise TaskInvalid({"parent": [f"Sub-tasks go at most {MAX_LEVELS} levels deep."]})
