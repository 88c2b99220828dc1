"""A shared project with one person in each role, and what a refused request must leave unchanged."""

from dataclasses import dataclass, field

from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from tasks.models import Project
from tasks.tests.factories import ProjectFactory, ProjectMemberFactory
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

ROLES = ("owner", "admin", "editor", "viewer")


@dataclass
class Team:
    """A project owned by ``owner`` with an admin, an editor and a viewer; ``stranger`` is no member."""

    project: Project
    owner: User
    admin: User
    editor: User
    viewer: User
    stranger: User
    _clients: dict[int, APIClient] = field(default_factory=dict)

    def client(self, who: str | User) -> APIClient:
        user = getattr(self, who) if isinstance(who, str) else who
        if user.pk not in self._clients:
            self._clients[user.pk] = client_for(user)
        return self._clients[user.pk]

    def user(self, who: str) -> User:
        return getattr(self, who)


def make_team(prefix=""):
    owner = UserFactory(username=f"{prefix}boss")
    project = ProjectFactory(owner=owner, name=f"{prefix}Launch")
    people = {}
    for role in ("admin", "editor", "viewer"):
        people[role] = UserFactory(username=f"{prefix}{role}1")
        ProjectMemberFactory(project=project, user=people[role], role=role)
    return Team(project=project, owner=owner, stranger=UserFactory(username=f"{prefix}outsider"), **people)


# Everything a refused request must leave as it was (the sharing tables included).
shared_snapshot = database_snapshot


def error_code(response) -> str:
    return response.json()["error"]["code"]
