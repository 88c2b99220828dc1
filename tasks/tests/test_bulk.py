import pytest

from tasks.models import Task, TaskEvent
from tasks.tests.factories import LabelFactory, TaskFactory

pytestmark = pytest.mark.django_db

BULK = "/api/tasks/bulk/"


def bulk(client, ids, action, **extra):
    return client.post(BULK, {"ids": ids, "action": action, **extra}, format="json")


@pytest.fixture
def three(owner):
    return TaskFactory.create_batch(3, owner=owner)


def ids_of(tasks):
    return [task.pk for task in tasks]


def test_complete_and_reopen(owner_client, three):
    response = bulk(owner_client, ids_of(three), "complete")
    assert response.status_code == 200
    assert response.json() == {"action": "complete", "matched": 3, "changed": 3}
    assert set(Task.objects.values_list("status", flat=True)) == {"done"}
    assert not Task.objects.filter(completed_at__isnull=True).exists()
    assert bulk(owner_client, ids_of(three), "complete").json()["changed"] == 0
    bulk(owner_client, ids_of(three), "reopen")
    assert set(Task.objects.values_list("status", flat=True)) == {"todo"}
    assert not Task.objects.filter(completed_at__isnull=False).exists()
    assert TaskEvent.objects.filter(kind="completed").count() == 3
    assert TaskEvent.objects.filter(kind="reopened").count() == 3


def test_set_status_and_priority(owner_client, three):
    bulk(owner_client, ids_of(three), "set_status", value="in_progress")
    bulk(owner_client, ids_of(three), "set_priority", value="urgent")
    assert set(Task.objects.values_list("status", "priority")) == {("in_progress", Task.Priority.URGENT)}
    event = TaskEvent.objects.filter(kind="updated").first()
    assert event.changes in ({"status": ["todo", "in_progress"]}, {"priority": ["none", "urgent"]})


def test_trash_and_restore(owner_client, three):
    bulk(owner_client, ids_of(three), "trash")
    assert owner_client.get("/api/tasks/").json()["results"] == []
    assert bulk(owner_client, ids_of(three), "restore").json()["changed"] == 3
    assert len(owner_client.get("/api/tasks/").json()["results"]) == 3


def test_add_and_remove_a_label(owner_client, owner, three):
    label = LabelFactory(owner=owner, name="batch")
    three[0].labels.add(label)
    assert bulk(owner_client, ids_of(three), "add_label", value=label.pk).json()["changed"] == 2
    assert all(task.labels.filter(pk=label.pk).exists() for task in three)
    assert bulk(owner_client, ids_of(three), "remove_label", value=label.pk).json()["changed"] == 3
    assert not Task.labels.through.objects.exists()


def test_changes_bump_versions(owner_client, three):
    bulk(owner_client, ids_of(three), "set_priority", value="high")
    assert set(Task.objects.values_list("version", flat=True)) == {2}


def test_a_foreign_id_means_404_and_nothing_changes(owner_client, three, stranger):
    theirs = TaskFactory(owner=stranger)
    response = bulk(owner_client, [*ids_of(three), theirs.pk], "complete")
    assert response.status_code == 404
    assert not Task.objects.filter(status="done").exists()
    assert not TaskEvent.objects.exists()


def test_an_unknown_id_means_404_and_nothing_changes(owner_client, three):
    assert bulk(owner_client, [*ids_of(three), 999999], "trash").status_code == 404
    assert not Task.objects.filter(trashed_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ids": [], "action": "complete"}, "ids"),
        ({"ids": list(range(1, 102)), "action": "complete"}, "ids"),
        ({"ids": ["a"], "action": "complete"}, "ids"),
        ({"ids": [1], "action": "explode"}, "action"),
        ({"ids": [1], "action": "set_status"}, "value"),
        ({"ids": [1], "action": "set_status", "value": "later"}, "value"),
        ({"ids": [1], "action": "set_priority", "value": 3}, "value"),
        ({"ids": [1], "action": "add_label", "value": "x"}, "value"),
        ({"ids": [1], "action": "complete", "value": "x"}, "value"),
        ({"ids": [1], "action": "complete", "extra": 1}, "extra"),
    ],
)
def test_invalid_requests_are_400(owner_client, payload, field):
    response = owner_client.post(BULK, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_someone_elses_label_is_400(owner_client, three, stranger):
    theirs = LabelFactory(owner=stranger, name="theirs")
    response = bulk(owner_client, ids_of(three), "add_label", value=theirs.pk)
    assert response.status_code == 400
    assert not Task.labels.through.objects.exists()


@pytest.mark.parametrize("count", [2, 50])
@pytest.mark.parametrize(("action", "value"), [("complete", None), ("add_label", "label"), ("trash", None)])
def test_queries_do_not_grow_with_the_number_of_tasks(
    owner_client, owner, assert_queries, count, action, value
):
    label = LabelFactory(owner=owner, name="l")
    tasks = TaskFactory.create_batch(count, owner=owner)
    extra = {"value": label.pk} if value else {}
    # lock + labels prefetch, (label lookup), link or update, version bump, history; trash also
    # looks for sub-tasks to take along (one query per level, and there are none); complete and
    # trash unschedule the tasks' reminders in one more; one for the webhooks of the tasks' readers
    expected = {"complete": 6, "add_label": 7, "trash": 7}[action]
    with assert_queries(expected):
        assert bulk(owner_client, ids_of(tasks), action, **extra).status_code == 200
