"""Where a task goes on its board: the column it is in, the free position between two neighbours,
and renumbering a column that has no room left (tasks.positions). Used by task_move inside its
transaction, with the task row-locked.
"""

from django.db.models import Q, QuerySet

from tasks import positions
from tasks.errors import TaskInvalid
from tasks.models import Task


def _column(task: Task, status: str) -> QuerySet[Task]:
    """The board column ``status`` the task is in: of its project, or of its owner's Inbox."""
    where = (
        Q(project_id=task.project_id) if task.project_id else Q(owner_id=task.owner_id, project__isnull=True)
    )
    return Task.objects.filter(where, status=status, trashed_at__isnull=True)


def _neighbour(task: Task, neighbour_id: int | None, status: str, field: str) -> Task | None:
    if neighbour_id is None:
        return None
    neighbour = _column(task, status).filter(pk=neighbour_id).first()
    if neighbour is None:
        raise TaskInvalid({field: [f"There is no task {neighbour_id} in the {status} column."]})
    return neighbour


def _renumber_column(task: Task, status: str) -> None:
    column = list(_column(task, status).select_for_update().order_by("position", "pk"))
    start = column[0].position if column else 0
    for item, position in zip(column, positions.spread(len(column), start), strict=True):
        item.position = position
    Task.objects.bulk_update(column, ["position"], batch_size=500)


def refuse_self_neighbour(task: Task, before_id: int | None, after_id: int | None) -> None:
    for field, neighbour_id in (("before_id", before_id), ("after_id", after_id)):
        if neighbour_id == task.pk:
            raise TaskInvalid({field: ["A task cannot be its own neighbour."]})


def _neighbours(
    task: Task, target: str, before_id: int | None, after_id: int | None
) -> tuple[Task | None, Task | None]:
    """The tasks that will be right above and right below ``task`` in column ``target``.

    With one neighbour given, the other is the task next to it; with none, the task
    goes to the end of the column.
    """
    below = _neighbour(task, before_id, target, "before_id")
    above = _neighbour(task, after_id, target, "after_id")
    column = _column(task, target).exclude(pk=task.pk)
    # A column is shown in (position, id) order: tasks created in the same millisecond share a
    # position, so the next task is the next in that order, not the next larger position.
    if above is not None and below is None and before_id is None:
        later = Q(position__gt=above.position) | Q(position=above.position, pk__gt=above.pk)
        below = column.filter(later).order_by("position", "pk").first()
    elif below is not None and above is None and after_id is None:
        earlier = Q(position__lt=below.position) | Q(position=below.position, pk__lt=below.pk)
        above = column.filter(earlier).order_by("-position", "-pk").first()
    elif above is None and below is None:
        above = column.order_by("-position", "-pk").first()
    if above is not None and below is not None and (above.position, above.pk) > (below.position, below.pk):
        raise TaskInvalid({"before_id": ["before_id must come after after_id in the column."]})
    # Neighbours that share a position leave no room: _free_position renumbers the column.
    return above, below


def free_position(task: Task, target: str, before_id: int | None, after_id: int | None) -> int:
    """A position between the new neighbours, renumbering the column once when there is no room."""
    for _attempt in range(2):
        above, below = _neighbours(task, target, before_id, after_id)
        position = positions.between(above.position if above else None, below.position if below else None)
        if position is not None:
            return position
        _renumber_column(task, target)
        task.refresh_from_db(fields=["position"])
    # Renumbering leaves GAP between every two neighbours, so the second attempt always finds room.
    raise RuntimeError(f"No free position in the {target!r} column after renumbering it.")
