"""TMS_SERVICE: each role serves only its own routes (DESIGN §1)."""

import pytest
from django.urls import Resolver404, resolve

from tests.support.server import GunicornServer, base_env, http

pytestmark = pytest.mark.django_db

AUTH_ONLY = ["/api/auth/anything/", "/admin/login/"]
TASKS_ONLY = ["/api/tasks/anything/"]


def resolves(path: str, urlconf: str) -> bool:
    try:
        resolve(path, urlconf=urlconf)
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize(
    ("role", "served", "refused"),
    [
        ("auth", ["/admin/login/", "/api/schema/", "/api/docs/"], TASKS_ONLY),
        ("tasks", ["/api/schema/", "/api/docs/"], AUTH_ONLY),
        ("all", ["/admin/login/", "/api/schema/", "/api/docs/"], []),
    ],
)
def test_each_role_answers_404_for_the_other_roles_paths(client, settings, role, served, refused):
    settings.ROOT_URLCONF = f"tms_project.urls.{role}"
    for path in served:
        assert client.get(path).status_code == 200, path
    for path in refused:
        response = client.get(path)
        assert response.status_code == 404, path
        if path.startswith("/api/"):
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [("auth", "/api/auth/", "/api/tasks/"), ("tasks", "/api/tasks/", "/api/auth/")],
)
def test_each_role_serves_its_own_api_and_documents_only_that(client, settings, role, own, other):
    settings.ROOT_URLCONF = f"tms_project.urls.{role}"
    own_endpoint = {"auth": "/api/auth/me/", "tasks": "/api/tasks/"}[role]
    assert client.get(own_endpoint).status_code == 401  # exists, wants a token
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert paths and all(path.startswith(own) for path in paths)
    assert not any(path.startswith(other) for path in paths)


def test_the_all_role_includes_both_prefixes():
    assert resolves("/admin/", "tms_project.urls.all")
    assert not resolves("/admin/", "tms_project.urls.tasks")


@pytest.mark.server
def test_tms_service_environment_variable_selects_the_role(tmp_path):
    env = base_env(TMS_SERVICE="tasks", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with GunicornServer(env, log_path=tmp_path / "gunicorn.log") as server:
        status, _, body = http("GET", f"{server.url}/api/auth/login/")
        assert status == 404
        assert b'"not_found"' in body
        status, _, _ = http("GET", f"{server.url}/admin/login/")
        assert status == 404
        status, _, _ = http("GET", f"{server.url}/api/schema/")
        assert status == 200


@pytest.mark.server
@pytest.mark.parametrize(("role", "expected"), [("auth", 200), ("all", 200), ("tasks", 404)])
def test_only_the_auth_role_serves_static_files(tmp_path, role, expected):
    # given a server of each role (development: static files come straight from the apps)
    env = base_env(TMS_SERVICE=role, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with GunicornServer(env, log_path=tmp_path / "gunicorn.log") as server:
        # when the admin's stylesheet is asked for
        status, _, body = http("GET", f"{server.url}/static/admin/css/base.css")
    # then only the auth role (and `all`, which is every role) has it
    assert status == expected
    assert (b"font-family" in body) is (expected == 200)
