"""Sharing under concurrent requests, in real threads with their own connections: a person is a
member once, and a name is one project's, whatever the database (MariaDB has no unique index on
the lower-cased name)."""

import pytest

from accounts.tests.factories import UserFactory
from tasks.models import Project, ProjectMember
from tasks.tests.factories import ProjectFactory, ProjectMemberFactory
from tasks.tests.test_concurrency import race
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_adding_the_same_person_at_once_makes_one_membership():
    owner, admin = UserFactory(username="boss"), UserFactory(username="helper")
    project = ProjectFactory(owner=owner)
    ProjectMemberFactory(project=project, user=admin, role="admin")
    UserFactory(username="newcomer")
    clients = [client_for(owner), client_for(admin)]
    url = f"/api/tasks/projects/{project.pk}/members/"
    index = iter(range(2))

    def add() -> int:
        return clients[next(index)].post(url, {"user": "newcomer"}, format="json").status_code

    statuses = race(2, add)
    assert sorted(statuses) == [201, 409]
    assert ProjectMember.objects.filter(project=project, user__username="newcomer").count() == 1


def test_two_projects_created_at_once_with_one_name_in_two_cases_make_one():
    owner = UserFactory(username="boss")
    names = iter(["Garden", "GARDEN"])

    def create() -> int:
        return (
            client_for(owner).post("/api/tasks/projects/", {"name": next(names)}, format="json").status_code
        )

    assert sorted(race(2, create)) == [201, 409]
    assert Project.objects.count() == 1


def test_two_projects_renamed_at_once_to_one_name_keep_their_names_apart():
    owner = UserFactory(username="boss")
    projects = [ProjectFactory(owner=owner, name=name) for name in ("one", "two")]
    renames = iter(zip(projects, ["Garden", "garden"], strict=True))

    def rename() -> int:
        project, name = next(renames)
        return (
            client_for(owner)
            .patch(f"/api/tasks/projects/{project.pk}/", {"name": name}, format="json")
            .status_code
        )

    assert sorted(race(2, rename)) == [200, 409]
    assert sorted(name.lower() for name in Project.objects.values_list("name", flat=True)) in (
        ["garden", "one"],
        ["garden", "two"],
    )
