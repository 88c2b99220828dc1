"""Sharing costs no queries per project: the task list is three queries and the project list is
constant whether the caller is in no project or in fifty."""

import pytest

from accounts.tests.factories import UserFactory
from tasks.models import Project
from tasks.tests.factories import (
    LabelFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TaskFactory,
    project_task,
)

pytestmark = pytest.mark.django_db

ROLES = ("viewer", "editor", "admin")


def join_projects(user, count: int, *, tasks_each: int = 2) -> None:
    """Make ``user`` a member of ``count`` projects of other people, each with tasks that have
    sub-tasks, assignees and the user's labels."""
    label = LabelFactory(owner=user)
    for n in range(count):
        project = ProjectFactory(owner=UserFactory())
        ProjectMemberFactory(project=project, user=user, role=ROLES[n % len(ROLES)])
        for _ in range(tasks_each):
            task = project_task(project)
            project_task(project, parent=task)
            task.assignees.add(user, project.owner)
            task.labels.add(label)


@pytest.mark.parametrize("projects", [0, 50])
@pytest.mark.parametrize(
    "query", ["", "?assignee=me", "?parent=none&ordering=title", "?project=inbox", "?status=todo&q=task"]
)
def test_the_task_list_is_three_queries_in_0_or_50_projects(
    owner, owner_client, assert_queries, projects, query
):
    for task in TaskFactory.create_batch(3, owner=owner):
        task.assignees.add(owner)
    join_projects(owner, projects)
    with assert_queries(3):
        response = owner_client.get(f"/api/tasks/{query}")
    assert response.status_code == 200
    assert response.json()["results"]


def test_the_task_list_of_50_projects_filtered_by_some_is_three_queries(owner, owner_client, assert_queries):
    join_projects(owner, 50)
    some = ",".join(str(pk) for pk in Project.objects.values_list("pk", flat=True)[:20])
    with assert_queries(3):
        response = owner_client.get(f"/api/tasks/?project={some}&page_size=100")
    assert len(response.json()["results"]) == 20 * 4


def test_a_member_of_50_projects_sees_their_tasks_with_details(owner, owner_client):
    join_projects(owner, 50, tasks_each=1)
    page = owner_client.get("/api/tasks/?parent=none&page_size=100").json()["results"]
    assert len(page) == 50
    assert all(task["subtask_count"] == 1 for task in page)
    assert all(owner.pk in [a["id"] for a in task["assignees"]] for task in page)
    assert all(len(task["labels"]) == 1 for task in page)


@pytest.mark.parametrize("projects", [0, 1, 50])
def test_the_project_list_is_one_query_in_any_number_of_projects(
    owner, owner_client, assert_queries, projects
):
    join_projects(owner, projects, tasks_each=0)
    with assert_queries(1):
        response = owner_client.get("/api/tasks/projects/?page_size=100")
    assert len(response.json()["results"]) == projects


def test_a_shared_task_and_its_history_cost_what_a_personal_one_does(owner, owner_client, assert_queries):
    join_projects(owner, 5, tasks_each=1)
    task = owner.memberships.first().project.tasks.first()
    with assert_queries(2):
        assert owner_client.get(f"/api/tasks/{task.pk}/").status_code == 200
    with assert_queries(2):
        assert owner_client.get(f"/api/tasks/{task.pk}/history/").status_code == 200
