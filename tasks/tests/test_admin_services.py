"""Staff changes in the admin's task form go through the services the API uses: status and
``completed_at`` agree, the history names the staff member, and ``version`` (the ETag) moves, so a web
app still holding the old version gets the API's conflict instead of overwriting the staff change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Task, TaskEvent
from tasks.tests.factories import (
    LabelFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TaskFactory,
    project_task,
)
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def change_form(task: Task, **fields) -> dict:
    """The task's change form as the admin posts it: the task's current values, with ``fields`` changed."""
    form = {
        "owner": task.owner_id,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "project": task.project_id or "",
        "parent": task.parent_id or "",
        "labels": list(task.labels.values_list("pk", flat=True)) if task.pk else [],
        "assignees": list(task.assignees.values_list("pk", flat=True)) if task.pk else [],
        "events-TOTAL_FORMS": 0,  # the history inline's management form
        "events-INITIAL_FORMS": 0,
    }
    form.update(fields)
    return form


def save(staff_client, task: Task, **fields) -> Task:
    response = staff_client.post(f"/admin/tasks/task/{task.pk}/change/", change_form(task, **fields))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Task.objects.get(pk=task.pk)


def refused(staff_client, task: Task, message: str, **fields) -> None:
    response = staff_client.post(f"/admin/tasks/task/{task.pk}/change/", change_form(task, **fields))
    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode()


def test_done_in_the_admin_completes_records_and_bumps_the_version_so_a_stale_editor_conflicts(
    staff_client, staff
):
    owner = UserFactory(username="ada")
    task = TaskFactory(owner=owner, title="water plants")
    web_app = client_for(owner)
    read = web_app.get(f"/api/tasks/{task.pk}/")
    assert read["ETag"].startswith('"1-')  # the version, then the hash of the body

    done = save(staff_client, task, status="done")
    assert done.completed_at is not None
    assert done.version == 2
    assert done.updated_at > task.updated_at
    event = TaskEvent.objects.get(task=task)
    assert (event.kind, event.actor_id, event.changes) == ("updated", staff.pk, {"status": ["todo", "done"]})
    history = web_app.get(f"/api/tasks/{task.pk}/history/").json()
    assert [entry["actor_id"] for entry in history["results"]] == [staff.pk]

    # The web app's editor, still on version 1, saves its old title: the API refuses, as for any stale ETag.
    stale = web_app.patch(
        f"/api/tasks/{task.pk}/", {"title": "mine", "status": "todo"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert Task.objects.values_list("title", "status", "version").get(pk=task.pk) == (
        "water plants",
        "done",
        2,
    )
    assert web_app.get(f"/api/tasks/{task.pk}/")["ETag"].startswith('"2-')

    reopened = save(staff_client, done, status="todo")
    assert (reopened.status, reopened.completed_at, reopened.version) == ("todo", None, 3)
    assert TaskEvent.objects.filter(task=task).latest("id").changes == {"status": ["done", "todo"]}


def test_in_progress_in_the_admin_clears_completed_at_as_the_api_does(staff_client):
    task = TaskFactory(status="done", completed_at=timezone.now())
    moved_on = save(staff_client, task, status="in_progress")
    assert (moved_on.status, moved_on.completed_at, moved_on.version) == ("in_progress", None, 2)


def test_staff_field_changes_are_recorded_once_with_every_changed_field(staff_client, staff):
    project = ProjectFactory(name="Garden")
    member = ProjectMemberFactory(project=project, role="editor").user
    task = project_task(project, title="dig")
    saved = save(staff_client, task, title="dig deeper", priority=Task.Priority.HIGH, assignees=[member.pk])
    assert saved.version == 2
    event = TaskEvent.objects.get(task=task)
    assert event.actor_id == staff.pk
    assert event.changes == {
        "title": ["dig", "dig deeper"],
        "priority": ["none", "high"],
        "assignees": [[], [member.username]],
    }


def test_saving_the_form_unchanged_changes_nothing(staff_client):
    task = TaskFactory(title="same")
    assert save(staff_client, task).version == 1
    assert not TaskEvent.objects.exists()


def test_the_owners_labels_are_set_through_the_service_and_others_are_refused(staff_client):
    owner = UserFactory()
    task = TaskFactory(owner=owner)
    mine = LabelFactory(owner=owner, name="home")
    saved = save(staff_client, task, labels=[mine.pk])
    assert list(saved.labels.all()) == [mine] and saved.version == 2
    assert TaskEvent.objects.get(task=task).changes == {"labels": [[], ["home"]]}
    refused(staff_client, saved, "Labels are personal", labels=[mine.pk, LabelFactory().pk])
    assert list(Task.objects.get(pk=task.pk).labels.all()) == [mine]


def test_what_the_services_refuse_is_a_form_error(staff_client):
    task = TaskFactory()
    refused(staff_client, task, "A task in an Inbox stays with its owner", owner=UserFactory().pk)
    outsider_project = ProjectFactory(name="Elsewhere")
    refused(
        staff_client,
        task,
        "The task&#x27;s owner is not an editor of this project",
        owner=outsider_project.owner_id,
        project=outsider_project.pk,
    )
    binned = TaskFactory(trashed_at=timezone.now())
    refused(staff_client, binned, "This task is in the trash", title="new")
    assert Task.objects.get(pk=binned.pk).title == binned.title


def test_a_staff_move_to_another_owners_project_goes_through_the_service(staff_client, staff):
    owner = UserFactory()
    task = TaskFactory(owner=owner)
    project = ProjectFactory(name="Team")
    ProjectMemberFactory(project=project, user=owner, role="editor")
    moved = save(staff_client, task, owner=project.owner_id, project=project.pk)
    assert (moved.project_id, moved.owner_id, moved.version) == (project.pk, project.owner_id, 2)
    assert TaskEvent.objects.get(task=task).changes == {"project": [None, project.pk]}


def test_a_task_made_in_the_admin_is_made_by_the_create_service(staff_client, staff):
    owner = UserFactory()
    label = LabelFactory(owner=owner, name="home")
    form = change_form(TaskFactory.build(owner=owner, title="from staff"), status="done", labels=[label.pk])
    response = staff_client.post("/admin/tasks/task/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    task = Task.objects.get(title="from staff")
    assert task.completed_at is not None and task.position > 0 and task.version == 1
    assert list(task.labels.all()) == [label]
    event = TaskEvent.objects.get(task=task)
    assert (event.kind, event.actor_id) == ("created", staff.pk)
    assert event.changes["status"] == "done" and event.changes["labels"] == ["home"]


def test_a_task_made_in_the_admin_keeps_the_owners_task_quota(staff_client, settings):
    settings.TMS_QUOTA_TASKS = 1
    owner = UserFactory()
    TaskFactory(owner=owner)
    form = change_form(TaskFactory.build(owner=owner, title="one too many"))
    response = staff_client.post("/admin/tasks/task/add/", form)
    assert response.status_code == 200
    assert "quota" in response.content.decode()
    assert Task.objects.filter(owner=owner).count() == 1


def test_a_staff_change_costs_the_same_queries_with_more_assignees(staff_client):
    def queries(people: int) -> int:
        project = ProjectFactory()
        members = UserFactory.create_batch(people)
        for member in members:
            ProjectMemberFactory(project=project, user=member)
        task = project_task(project)
        with CaptureQueriesContext(connection) as context:
            save(staff_client, task, status="done", assignees=[member.pk for member in members])
        return len(context.captured_queries)

    assert queries(1) == queries(5)
