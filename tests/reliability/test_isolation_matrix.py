"""Nobody sees or touches another user's data: every operation × method × owner, from the schema.

The operations come from the OpenAPI schema, so an endpoint added later is in
the matrix without anyone remembering to add it. Another user's object answers
exactly like an object that does not exist — 404, never 403, never its data —
and nothing changes. Staff members get no more through the API than anyone
else; the admin refuses users who are not staff.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.services.sessions import session_start
from accounts.tests.factories import PASSWORD, UserFactory
from tasks.tests.factories import LabelFactory, TaskFactory
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

# A body each operation would accept from the object's owner, so that a refusal cannot be a 400.
BODIES = {
    ("put", "/api/tasks/{task_id}/"): {"title": "hijacked"},
    ("patch", "/api/tasks/{task_id}/"): {"title": "hijacked"},
    ("post", "/api/tasks/{task_id}/move/"): {"status": "done"},
    ("patch", "/api/tasks/labels/{label_id}/"): {"name": "hijacked"},
}
# Paths whose {task_id} names a task in the trash.
TRASH_PATHS = {"/api/tasks/{task_id}/restore/", "/api/tasks/trash/{task_id}/"}


def operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


OBJECT_OPERATIONS = [(method, path) for method, path in operations() if "{" in path]
COLLECTIONS = [path for method, path in operations() if method == "get" and "{" not in path]


@pytest.fixture
def world():
    """Ada owns a task, a trashed task, a label and a session; Bob is another user; Root is staff."""
    ada = UserFactory(username="ada")
    bob = UserFactory(username="bob")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    label = LabelFactory(owner=ada, name="ada-secret-label")
    task = TaskFactory(owner=ada, title="ada-secret-task", description="ada-secret-notes")
    task.labels.add(label)
    trashed = TaskFactory(owner=ada, title="ada-secret-trashed")
    client_for(ada).delete(f"/api/tasks/{trashed.pk}/")
    session = session_start(user=ada, user_agent="ada-secret-browser", ip_address="192.0.2.1").session
    objects = {"task_id": task.pk, "label_id": label.pk, "session_id": session.pk}
    return {"ada": ada, "bob": bob, "root": root, "objects": objects, "trashed": trashed.pk}


def url_for(path: str, world: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "task_id" and path in TRASH_PATHS:
            return str(world["trashed"])
        return str(world["objects"][name])

    return re.sub(r"\{(\w+)\}", value, path)


def test_the_matrix_covers_every_kind_of_object():
    parameters = {name for _, path in OBJECT_OPERATIONS for name in re.findall(r"\{(\w+)\}", path)}
    assert parameters == {"task_id", "label_id", "session_id"}
    assert len(OBJECT_OPERATIONS) >= 14


@pytest.mark.parametrize("who", ["bob", "root"])
@pytest.mark.parametrize(
    ("method", "path"), OBJECT_OPERATIONS, ids=[f"{m} {p}" for m, p in OBJECT_OPERATIONS]
)
def test_another_users_object_is_404_and_untouched(world, who, method, path):
    client = client_for(world[who])
    before = database_snapshot()
    body = BODIES.get((method, path))
    response = getattr(client, method)(url_for(path, world), body, format="json")
    missing = getattr(client, method)(re.sub(r"\{\w+\}", "987654321", path), body, format="json")
    assert response.status_code == 404, (response.status_code, response.content[:200])
    assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    assert b"ada-secret" not in response.content
    assert database_snapshot() == before


@pytest.mark.parametrize("who", ["bob", "root"])
@pytest.mark.parametrize("path", COLLECTIONS)
def test_collections_show_nothing_of_another_user(world, who, path):
    response = client_for(world[who]).get(path)
    assert response.status_code == 200, path
    assert b"ada-secret" not in response.getvalue()


def test_the_owner_does_see_their_data(world):
    # the control: the same requests as Ada find everything the matrix above says is hidden
    client = client_for(world["ada"])
    listed = client.get("/api/tasks/").json()["results"]
    assert [task["title"] for task in listed] == ["ada-secret-task"]
    assert client.get(url_for("/api/tasks/{task_id}/", world)).status_code == 200
    assert client.get("/api/tasks/trash/").json()["results"][0]["title"] == "ada-secret-trashed"


def test_references_to_another_users_objects_are_refused(world):
    bob = client_for(world["bob"])
    label, task = world["objects"]["label_id"], world["objects"]["task_id"]
    before = database_snapshot()
    assert bob.post("/api/tasks/", {"title": "x", "labels": [label]}, format="json").status_code == 400
    assert bob.post("/api/tasks/bulk/", {"ids": [task], "action": "trash"}, format="json").status_code == 404
    assert bob.get(f"/api/tasks/?label={label}").json()["results"] == []
    assert database_snapshot() == before


@pytest.mark.parametrize("path", ["/admin/", "/admin/tasks/task/", "/admin/accounts/user/"])
def test_admin_pages_refuse_anyone_not_staff(world, path):
    browser = APIClient()
    assert browser.get(path, HTTP_HOST="localhost").status_code == 302  # to the login form
    browser.force_login(world["bob"])
    response = browser.get(path, HTTP_HOST="localhost")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    browser.force_login(world["root"])
    assert browser.get(path, HTTP_HOST="localhost").status_code == 200


def test_a_user_who_is_not_staff_cannot_sign_in_to_the_admin(world):
    browser = APIClient(enforce_csrf_checks=False)
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": "bob", "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in browser.session
