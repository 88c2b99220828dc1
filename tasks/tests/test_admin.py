import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from tasks.models import Label, Task
from tasks.tests.factories import LabelFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def changelist_query_count(staff_client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert staff_client.get("/admin/tasks/task/").status_code == 200
    return len(context.captured_queries)


def test_changelist_has_no_n_plus_one(staff_client):
    owners = UserFactory.create_batch(3)
    for owner in owners:
        TaskFactory.create_batch(2, owner=owner)
    few = changelist_query_count(staff_client)
    for owner in owners:
        TaskFactory.create_batch(20, owner=owner)
    UserFactory.create_batch(5)
    assert changelist_query_count(staff_client) == few


def test_changelist_filters_and_search(staff_client):
    TaskFactory(title="needle in haystack", status="done", priority=Task.Priority.HIGH)
    TaskFactory(title="other", status="todo")
    content = staff_client.get("/admin/tasks/task/?status__exact=done&q=needle").content.decode()
    assert "needle in haystack" in content and ">other<" not in content
    assert staff_client.get("/admin/tasks/task/?priority__exact=3&due_date__isnull=True").status_code == 200


def test_mark_done_and_reopen_actions(staff_client):
    tasks = TaskFactory.create_batch(3)
    ids = [task.pk for task in tasks]
    staff_client.post("/admin/tasks/task/", {"action": "mark_done", "_selected_action": ids})
    assert set(Task.objects.values_list("status", flat=True)) == {"done"}
    assert not Task.objects.filter(completed_at__isnull=True).exists()
    staff_client.post("/admin/tasks/task/", {"action": "reopen", "_selected_action": ids})
    assert set(Task.objects.values_list("status", flat=True)) == {"todo"}
    assert not Task.objects.filter(completed_at__isnull=False).exists()


def test_owner_autocomplete_answers(staff_client):
    UserFactory(username="findable")
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "tasks", "model_name": "task", "field_name": "owner", "term": "findab"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["findable"]


def test_task_page_shows_history_read_only(staff_client):
    from tasks.services.tasks import task_update

    task = TaskFactory(title="old title")
    task_update(user_id=task.owner_id, task_id=task.pk, actor_id=None, data={"title": "new title"})
    content = staff_client.get(f"/admin/tasks/task/{task.pk}/change/").content.decode()
    assert "old title" in content and "updated" in content
    assert "taskevent_set-TOTAL_FORMS" in content or "events-TOTAL_FORMS" in content


def test_trash_filter_and_restore_action(staff_client):
    from django.utils import timezone

    binned = TaskFactory(title="binned", trashed_at=timezone.now())
    TaskFactory(title="alive")
    content = staff_client.get("/admin/tasks/task/?trashed=yes").content.decode()
    assert "binned" in content and ">alive<" not in content
    staff_client.post("/admin/tasks/task/", {"action": "restore", "_selected_action": [binned.pk]})
    binned.refresh_from_db()
    assert binned.trashed_at is None


def test_staff_cannot_give_a_task_more_than_twenty_labels(staff_client):
    task = TaskFactory(title="tagged")
    labels = Label.objects.bulk_create([Label(owner=task.owner, name=f"l{n}") for n in range(21)])
    form = {
        "owner": task.owner_id,
        "title": "tagged",
        "description": "",
        "status": "todo",
        "priority": 0,
        "events-TOTAL_FORMS": 0,  # the history inline's management form
        "events-INITIAL_FORMS": 0,
    }
    response = staff_client.post(
        f"/admin/tasks/task/{task.pk}/change/", {**form, "labels": [label.pk for label in labels]}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "A task has at most 20 labels." in response.content.decode()
    assert not task.labels.exists()
    staff_client.post(f"/admin/tasks/task/{task.pk}/change/", {**form, "labels": [labels[0].pk]})
    assert list(task.labels.all()) == [labels[0]]


def test_staff_cannot_pass_a_users_label_quota(staff_client, settings):
    settings.TMS_QUOTA_LABELS = 1
    owner = UserFactory()
    LabelFactory(owner=owner, name="only")
    response = staff_client.post(
        "/admin/tasks/label/add/", {"owner": owner.pk, "name": "second", "colour": "#123456"}
    )
    assert response.status_code == 200
    assert "The labels quota is 1 per account" in response.content.decode()
    assert Label.objects.filter(owner=owner).count() == 1
