"""Label writes. Names are unique per owner regardless of case; an account holds at most
TMS_QUOTA_LABELS of them (tasks.services.quotas)."""

from django.db import IntegrityError, transaction
from django.db.models import F

from tasks.errors import TaskInvalid
from tasks.models import Label, Task, TaskEvent
from tasks.selectors import label_get
from tasks.services import history, quotas

NAME_TAKEN = {"name": ["You already have a label with this name."]}


def _name_taken(owner_id: int, name: str, exclude_id: int | None = None) -> bool:
    labels = Label.objects.filter(owner_id=owner_id, name__iexact=name)
    if exclude_id is not None:
        labels = labels.exclude(pk=exclude_id)
    return labels.exists()


def _save(label: Label) -> Label:
    if _name_taken(label.owner_id, label.name, exclude_id=label.pk):
        raise TaskInvalid(NAME_TAKEN)
    try:
        with transaction.atomic():
            label.save()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise TaskInvalid(NAME_TAKEN) from exc
    return label


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
