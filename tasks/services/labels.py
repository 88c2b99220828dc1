"""Label writes. Names are unique per owner regardless of case; an account holds at most
TMS_QUOTA_LABELS of them (tasks.services.quotas)."""

from django.db import transaction
from django.db.models import F

from tasks.errors import TaskInvalid
from tasks.models import Label, Task, TaskEvent
from tasks.selectors import label_get
from tasks.services import history, quotas
from tasks.services.names import save_with_unique_name

NAME_TAKEN = {"name": ["You already have a label with this name."]}


def _save(label: Label) -> Label:
    return save_with_unique_name(label, lambda: TaskInvalid(NAME_TAKEN))


@transaction.atomic
def label_create(*, owner_id: int, name: str, colour: str) -> Label:
    quotas.lock_owner(owner_id)
    quotas.ensure_label_room(owner_id=owner_id, adding=1)
    return _save(Label(owner_id=owner_id, name=name, colour=colour))


def label_update(*, owner_id: int, label_id: int, data: dict) -> Label:
    label = label_get(owner_id=owner_id, label_id=label_id)
    for field, value in data.items():
        setattr(label, field, value)
    return _save(label)


@transaction.atomic
def label_delete(*, owner_id: int, label_id: int, actor_id: int | None) -> None:
    """Delete a label; the tasks that carried it record the change in their history."""
    label = label_get(owner_id=owner_id, label_id=label_id)
    tasks = list(label.tasks.filter(trashed_at__isnull=True).prefetch_related("labels"))
    events = []
    for task in tasks:
        if task.project_id is not None:
            continue  # labels are personal: a shared task's history does not show them
        before = history.label_names(mine for mine in task.labels.all() if mine.owner_id == owner_id)
        after = [name for name in before if name != label.name]
        events.append(history.event(task, actor_id, TaskEvent.Kind.LABELS, {"labels": [before, after]}))
    label.delete()
    Task.objects.filter(pk__in=[task.pk for task in tasks]).update(version=F("version") + 1)
    history.record_many(events)
