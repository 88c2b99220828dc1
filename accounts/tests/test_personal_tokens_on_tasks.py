"""Personal access tokens on /api/tasks/: who they stand for, when they stop working, what they cost.

The scope of every route is checked from the schema in tests/reliability/test_token_scopes.py.
"""

import datetime
from datetime import timedelta
from importlib import import_module
from types import ModuleType

import pytest
from django.urls import clear_url_caches
from django.urls import path as url_path
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.personal_tokens.models import PersonalAccessToken
from accounts.tests.factories import UserFactory
from accounts.tests.test_personal_tokens import new_secret, pat_client
from tasks.models import Task
from tasks.tests.factories import ProjectFactory, ProjectMemberFactory, TaskFactory
from tasks.views.base import TaskAPIView
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

TASKS = "/api/tasks/"


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code, response.content


def assert_not_valid(response) -> None:
    refused(response, 401, "token_not_valid")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_acts_as_its_user(user):
    TaskFactory(owner=user, title="mine")
    TaskFactory(owner=UserFactory(), title="theirs")
    client = pat_client(new_secret(user, scopes=["tasks:write"]))
    # when
    listed = client.get(TASKS)
    created = client.post(TASKS, {"title": "from a script"}, format="json")
    # then
    assert [task["title"] for task in listed.json()["results"]] == ["mine"]
    assert created.status_code == 201
    assert Task.objects.get(title="from a script").owner_id == user.pk


def test_a_read_token_reads_and_may_not_write(user):
    task = TaskFactory(owner=user, title="keep")
    client = pat_client(new_secret(user, scopes=["tasks:read"]))
    assert client.get(f"{TASKS}{task.pk}/").status_code == 200
    for response in (
        client.post(TASKS, {"title": "no"}, format="json"),
        client.patch(f"{TASKS}{task.pk}/", {"title": "changed"}, format="json"),
        client.delete(f"{TASKS}{task.pk}/"),
    ):
        refused(response, 403, "insufficient_scope")
        assert "tasks:write" in response.json()["error"]["message"]
    task.refresh_from_db()
    assert task.title == "keep" and task.trashed_at is None and Task.objects.count() == 1


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda token: setattr(token, "revoked_at", timezone.now()), id="revoked"),
        pytest.param(
            lambda token: setattr(token, "expires_at", timezone.now() - timedelta(seconds=1)), id="expired"
        ),
        pytest.param(
            lambda token: token.user.__class__.objects.filter(pk=token.user_id).update(is_active=False),
            id="user deactivated",
        ),
    ],
)
def test_a_token_that_stopped_working_is_401_on_its_next_request(user, spoil):
    client = pat_client(new_secret(user, scopes=["tasks:write"]))
    assert client.get(TASKS).status_code == 200
    token = PersonalAccessToken.objects.select_related("user").get()
    # when
    spoil(token)
    token.save()
    # then: at once, on every route
    assert_not_valid(client.get(TASKS))
    assert_not_valid(client.post(TASKS, {"title": "no"}, format="json"))
    assert_not_valid(client.get("/api/tasks/stats/"))
    assert not Task.objects.exists()


def test_revoking_through_the_api_stops_the_token_at_once(user):
    secret = new_secret(user)
    token = PersonalAccessToken.objects.get()
    client = pat_client(secret)
    assert client.get(TASKS).status_code == 200
    assert client_for(user).delete(f"/api/auth/tokens/{token.pk}/").status_code == 204
    assert_not_valid(client.get(TASKS))


def test_a_token_not_yet_expired_works(user):
    secret = new_secret(user, expires_in_days=1)
    assert pat_client(secret).get(TASKS).status_code == 200


@pytest.mark.parametrize(
    "secret",
    ["tms_pat_", "tms_pat_short", "tms_pat_" + "A" * 44, "tms_pat_" + "A" * 43, "tms_pat_" + "é" * 43],
)
def test_an_unknown_or_malformed_token_is_401(user, secret, assert_queries):
    new_secret(user)
    with assert_queries(1 if len(secret) == 51 else 0):  # junk is refused before any query
        response = pat_client(secret).get(TASKS)
    assert_not_valid(response)


def test_last_used_is_written_at_most_once_a_minute(user, assert_queries):
    client = pat_client(new_secret(user))
    token = PersonalAccessToken.objects.get()
    assert token.last_used_at is None
    # the first use: the token, its UPDATE, then the list (projects, page)
    with assert_queries(4):
        assert client.get(TASKS).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    # within the minute: no write at all
    with assert_queries(3):
        assert client.get(TASKS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    # a minute later: written again
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=61))
    client.get(TASKS)
    token.refresh_from_db()
    assert token.last_used_at > first
    listed = client_for(user).get("/api/auth/tokens/").json()
    assert listed[0]["last_used_at"] is not None


def test_a_list_through_a_token_is_one_query_more_than_with_a_session(user, assert_queries):
    # given: the token used once already this minute (its last use is written)
    TaskFactory.create_batch(5, owner=user)
    client = pat_client(new_secret(user))
    client.get(TASKS)
    # then: the token (with its user), the projects, the page, its details
    with assert_queries(4):
        response = client.get(TASKS)
    assert len(response.json()["results"]) == 5
    with assert_queries(3):
        client_for(user).get(TASKS)


def test_the_users_time_zone_comes_from_the_token_row():
    # Etc/GMT-14 is 26 hours ahead of Etc/GMT+12: their dates always differ. A task due today in
    # the one behind is overdue for the one ahead only.
    behind = UserFactory(time_zone="Etc/GMT+12")
    ahead = UserFactory(time_zone="Etc/GMT-14")
    today_behind = timezone.now().astimezone(datetime.timezone(timedelta(hours=-12))).date()
    for person in (behind, ahead):
        TaskFactory(owner=person, title="due", due_date=today_behind)
    overdue = {
        person.time_zone: pat_client(new_secret(person)).get(f"{TASKS}?overdue=true").json()["results"]
        for person in (behind, ahead)
    }
    assert overdue["Etc/GMT+12"] == []
    assert [task["title"] for task in overdue["Etc/GMT-14"]] == ["due"]


def test_requests_with_a_token_spend_the_users_task_limits(user, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "tasks_write": "2/m"}
    session, token = client_for(user), pat_client(new_secret(user, scopes=["tasks:write"]))
    assert session.post(TASKS, {"title": "one"}, format="json").status_code == 201
    assert token.post(TASKS, {"title": "two"}, format="json").status_code == 201
    refused(token.post(TASKS, {"title": "three"}, format="json"), 429, "throttled")
    refused(session.post(TASKS, {"title": "four"}, format="json"), 429, "throttled")
    assert Task.objects.count() == 2


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/tasks/calendar-feed/", None),
        ("post", "/api/tasks/calendar-feed/", None),
        ("delete", "/api/tasks/calendar-feed/", None),
        ("post", "/api/tasks/push/subscriptions/", {"endpoint": "https://push.example.net/x", "keys": {}}),
        ("delete", "/api/tasks/push/subscriptions/", {"endpoint": "https://push.example.net/x"}),
    ],
)
def test_calendar_feed_and_push_need_a_session(user, method, path, body):
    client = pat_client(new_secret(user, scopes=["tasks:write", "webhooks:manage"]))
    refused(getattr(client, method)(path, body, format="json"), 403, "session_required")


class WebhookStandIn(TaskAPIView):
    """Stands for the views under /api/tasks/webhooks/: the rule is the path's, not the view's."""

    def get(self, request: Request) -> Response:
        return Response(status=204)

    def post(self, request: Request) -> Response:
        return Response(status=204)


@pytest.fixture
def webhook_route(settings):
    urls = ModuleType("webhook_stand_in_urls")
    urls.urlpatterns = [
        url_path("api/tasks/webhooks/stand-in/", WebhookStandIn.as_view()),
        *import_module(settings.ROOT_URLCONF).urlpatterns,
    ]
    settings.ROOT_URLCONF = urls
    clear_url_caches()
    yield "/api/tasks/webhooks/stand-in/"
    clear_url_caches()


@pytest.mark.parametrize(
    ("scopes", "status"),
    [(["tasks:write"], 403), (["tasks:read"], 403), (["webhooks:manage"], 204)],
)
def test_webhooks_need_their_own_scope(user, webhook_route, scopes, status):
    client = pat_client(new_secret(user, scopes=scopes))
    for response in (client.get(webhook_route), client.post(webhook_route, {}, format="json")):
        assert response.status_code == status
        if status == 403:
            assert response.json()["error"]["code"] == "insufficient_scope"
            assert "webhooks:manage" in response.json()["error"]["message"]


def test_a_webhooks_token_does_not_reach_tasks(user):
    refused(pat_client(new_secret(user, scopes=["webhooks:manage"])).get(TASKS), 403, "insufficient_scope")


class TestAProjectBoundToken:
    @pytest.fixture
    def world(self, user):
        project = ProjectFactory(owner=user, name="bound")
        other = ProjectFactory(owner=user, name="other")
        return {
            "project": project,
            "other": other,
            "inside": TaskFactory(owner=user, project=project, title="inside"),
            "outside": TaskFactory(owner=user, project=other, title="outside"),
            "inbox": TaskFactory(owner=user, title="inbox"),
            "client": pat_client(new_secret(user, scopes=["tasks:write"], project_id=project.pk)),
        }

    def test_the_list_shows_that_project_only(self, world):
        client, project = world["client"], world["project"]
        assert [task["title"] for task in client.get(TASKS).json()["results"]] == ["inside"]
        assert [t["title"] for t in client.get(f"{TASKS}?project={project.pk}").json()["results"]] == [
            "inside"
        ]
        refused(client.get(f"{TASKS}?project={world['other'].pk}"), 404, "not_found")
        refused(client.get(f"{TASKS}?project=inbox"), 404, "not_found")

    def test_its_tasks_are_reached_and_the_others_are_404(self, world):
        client, inside = world["client"], world["inside"]
        assert client.get(f"{TASKS}{inside.pk}/").status_code == 200
        assert client.patch(f"{TASKS}{inside.pk}/", {"title": "renamed"}, format="json").status_code == 200
        assert client.post(f"{TASKS}{inside.pk}/comments/", {"body": "hi"}, format="json").status_code == 201
        for task in ("outside", "inbox"):
            refused(client.get(f"{TASKS}{world[task].pk}/"), 404, "not_found")
            refused(client.delete(f"{TASKS}{world[task].pk}/"), 404, "not_found")
        assert Task.objects.filter(trashed_at__isnull=False).count() == 0

    def test_it_creates_only_in_its_project_and_moves_nothing_out(self, world):
        client, project, inside = world["client"], world["project"], world["inside"]
        assert client.post(TASKS, {"title": "new", "project": project.pk}, format="json").status_code == 201
        assert client.post(TASKS, {"title": "sub", "parent": inside.pk}, format="json").status_code == 201
        for body in (
            {"title": "x"},
            {"title": "x", "project": world["other"].pk},
            {"title": "x", "parent": world["outside"].pk},
        ):
            refused(client.post(TASKS, body, format="json"), 403, "insufficient_scope")
        refused(
            client.patch(f"{TASKS}{inside.pk}/", {"project": None}, format="json"), 403, "insufficient_scope"
        )
        inside.refresh_from_db()
        assert inside.project_id == project.pk
        assert set(Task.objects.values_list("title", flat=True)) == {
            "inside",
            "outside",
            "inbox",
            "new",
            "sub",
        }

    def test_the_project_itself_and_its_members_but_no_other(self, world, user):
        client, project = world["client"], world["project"]
        ProjectMemberFactory(project=project, user=UserFactory(), role="viewer")
        assert client.get(f"/api/tasks/projects/{project.pk}/").status_code == 200
        assert client.get(f"/api/tasks/projects/{project.pk}/members/").status_code == 200
        refused(client.get(f"/api/tasks/projects/{world['other'].pk}/"), 404, "not_found")

    @pytest.mark.parametrize(
        "path",
        [
            "/api/tasks/labels/",
            "/api/tasks/stats/",
            "/api/tasks/export/",
            "/api/tasks/trash/",
            "/api/tasks/projects/",
            "/api/tasks/notifications/",
        ],
    )
    def test_every_other_route_is_outside_it(self, world, path):
        response = world["client"].get(path)
        refused(response, 403, "insufficient_scope")
        assert f"confined to project {world['project'].pk}" in response.json()["error"]["message"]

    def test_bulk_is_outside_it(self, world):
        body = {"ids": [world["inside"].pk], "action": "complete"}
        refused(world["client"].post("/api/tasks/bulk/", body, format="json"), 403, "insufficient_scope")
        world["inside"].refresh_from_db()
        assert world["inside"].status != "done"


def test_the_task_services_token_query_names_the_tables_of_the_models():
    # tms_project.personal_tokens.verify reads these tables by name, without the accounts app
    from accounts.models import User
    from tms_project.personal_tokens import verify

    assert PersonalAccessToken._meta.db_table == verify.TOKENS_TABLE
    assert User._meta.db_table == verify.USERS_TABLE
