"""The hand-written task representation says exactly what DRF's declared fields would."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from tasks.models import Reminder, Task
from tasks.representation import task_page
from tasks.selectors import TASK_COLUMNS, details_attach
from tasks.serializers import TaskSerializer, TrashedTaskSerializer
from tasks.tests.factories import LabelFactory, TaskFactory


def drf_rendering(serializer_class, task: Task) -> dict:
    """What DRF renders field by field for the declared fields (the reference)."""
    return dict(serializers.Serializer.to_representation(serializer_class(), task))


@pytest.fixture
def varied_tasks(owner):
    home = LabelFactory(owner=owner, name="home", colour="#00aa00")
    urgent = LabelFactory(owner=owner, name="Errands", colour="#aa0000")
    plain = TaskFactory(owner=owner)
    done = TaskFactory(
        owner=owner,
        title="Renew passport",
        description="Bring two photos.\nAnd the old one.",
        status=Task.Status.DONE,
        priority=Task.Priority.URGENT,
        due_date=date(2026, 12, 24),
        completed_at=timezone.now() - timedelta(hours=3, microseconds=17),
    )
    done.labels.set([home, urgent])
    trashed = TaskFactory(owner=owner, priority=Task.Priority.LOW, trashed_at=timezone.now())
    trashed.labels.set([home])
    repeating = TaskFactory(
        owner=owner,
        due_date=date(2027, 1, 31),
        due_time=time(9, 5),
        due_at=datetime(2027, 1, 31, 8, 5, tzinfo=UTC),
        recurrence="FREQ=MONTHLY;BYMONTHDAY=-1",
        recurrence_basis="completion",
    )
    Reminder.objects.create(
        task=repeating, before_minutes=30, fire_at=datetime(2027, 1, 31, 7, 35, tzinfo=UTC)
    )
    Reminder.objects.create(task=repeating, at=datetime(2027, 1, 30, 17, 0, 0, 250, tzinfo=UTC))
    return [Task.objects.get(pk=task.pk) for task in (plain, done, trashed, repeating)]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Chatham"])
def test_each_task_renders_as_the_declared_fields_would(varied_tasks, zone):
    with timezone.override(zone):
        for task in varied_tasks:
            details_attach([task], task.owner_id)
            expected = drf_rendering(TaskSerializer, task)
            assert TaskSerializer(task).data == expected
            assert TrashedTaskSerializer(task).data == drf_rendering(TrashedTaskSerializer, task)


def test_a_page_renders_as_its_tasks_do_with_labels_in_name_order(varied_tasks):
    details_attach(varied_tasks, varied_tasks[0].owner_id)
    expected = [drf_rendering(TaskSerializer, task) for task in varied_tasks]
    assert TaskSerializer(varied_tasks, many=True).data == expected
    trashed = [drf_rendering(TrashedTaskSerializer, task) for task in varied_tasks]
    assert TrashedTaskSerializer(varied_tasks, many=True).data == trashed
    assert [label["name"] for label in expected[1]["labels"]] == ["Errands", "home"]
    assert expected[1]["completed_at"].endswith("Z") and expected[1]["due_date"] == "2026-12-24"
    assert (expected[3]["due_time"], expected[3]["due_at"]) == ("09:05", "2027-01-31T08:05:00Z")
    assert expected[3]["recurrence_text"] == "every month on the last day"
    assert [(r["before_minutes"], r["at"], r["fire_at"]) for r in expected[3]["reminders"]] == [
        (30, None, "2027-01-31T07:35:00Z"),
        (None, "2027-01-30T17:00:00.000250Z", None),
    ]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Chatham"])
def test_a_page_of_rows_renders_as_its_model_instances_do(varied_tasks, zone):
    """The list reads values() rows, not model instances: the same answer, field for field."""
    owner_id = varied_tasks[0].owner_id
    ids = [task.pk for task in varied_tasks]
    rows = list(Task.objects.filter(pk__in=ids).order_by("pk").values(*TASK_COLUMNS))
    with timezone.override(zone):
        details_attach(varied_tasks, owner_id)
        expected = [drf_rendering(TaskSerializer, task) for task in sorted(varied_tasks, key=lambda t: t.pk)]
        assert task_page(rows, owner_id) == expected
