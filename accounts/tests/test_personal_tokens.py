"""/api/auth/tokens/: making, listing and revoking personal access tokens with a signed-in session."""

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.services import MAX_LIVE_TOKENS, token_create
from accounts.tests.factories import PASSWORD, UserFactory
from tasks.tests.factories import ProjectFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

TOKENS = "/api/auth/tokens/"
SECRET_SHAPE = re.compile(r"tms_pat_[A-Za-z0-9_-]{43}")


def new_secret(user, scopes=("tasks:read",), **options) -> str:
    """A token of ``user`` made as the auth service makes one; its secret."""
    return token_create(user_id=user.pk, name="a script", scopes=list(scopes), **options).secret


def pat_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def session(user) -> APIClient:
    return client_for(user)


def make(client: APIClient, **body):
    body = {"name": "backup script", "scopes": ["tasks:read"], "password": PASSWORD, **body}
    return client.post(TOKENS, body, format="json")


def test_a_new_token_is_shown_once_and_stored_as_its_hash_only(session, user):
    # when
    response = make(session, scopes=["tasks:write"], expires_in_days=30)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["token"]
    assert SECRET_SHAPE.fullmatch(secret)
    assert body["hint"] == secret[:12] and body["hint"].startswith("tms_pat_")
    assert body["scopes"] == ["tasks:write"] and body["project"] is None and body["last_used_at"] is None
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    row = PersonalAccessToken.objects.get(pk=body["id"])
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(value) for value in PersonalAccessToken.objects.filter(pk=row.pk).values().first().values()]
    assert not any(secret in value or secret[12:] in value for value in stored)
    # the list never shows it again
    listed = session.get(TOKENS).json()
    assert [token["id"] for token in listed] == [body["id"]]
    assert "token" not in listed[0] and secret[12:] not in session.get(TOKENS).content.decode()


def test_secrets_are_random_and_long(user):
    secrets = {new_secret(user) for _ in range(20)}
    assert len(secrets) == 20
    assert all(SECRET_SHAPE.fullmatch(secret) for secret in secrets)  # 43 base64url characters: 256 bits


def test_the_secret_never_reaches_the_logs(session, user, caplog):
    caplog.set_level(logging.DEBUG)
    secret = make(session).json()["token"]
    assert pat_client(secret).get("/api/tasks/").status_code == 200
    assert pat_client(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/api/tasks/").status_code == 401
    assert pat_client(secret).get("/api/auth/me/").status_code == 401
    logged = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert secret[8:] not in logged and secret[12:-1] not in logged


def test_the_list_is_live_tokens_newest_first_and_only_ones_own(session, user):
    first, second, revoked = (make(session, name=name).json()["id"] for name in ("one", "two", "three"))
    assert session.delete(f"{TOKENS}{revoked}/").status_code == 204
    new_secret(UserFactory())  # someone else's
    listed = session.get(TOKENS)
    assert listed.status_code == 200
    assert [token["id"] for token in listed.json()] == [second, first]
    assert set(listed.json()[0]) == {
        "id",
        "name",
        "hint",
        "scopes",
        "project",
        "created_at",
        "last_used_at",
        "expires_at",
    }
    assert listed["Cache-Control"] == "no-store"


def test_revoking_someone_elses_or_an_unknown_token_is_404_and_changes_nothing(session):
    other = token_create(user_id=UserFactory().pk, name="theirs", scopes=["tasks:read"]).token
    assert session.delete(f"{TOKENS}{other.pk}/").json()["error"]["code"] == "not_found"
    assert session.delete(f"{TOKENS}987654/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoking_twice_is_404_the_second_time(session):
    token = make(session).json()["id"]
    assert session.delete(f"{TOKENS}{token}/").status_code == 204
    assert session.delete(f"{TOKENS}{token}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "tasks:read"}, "scopes"),
        ({"scopes": ["tasks:admin"]}, "scopes"),
        ({"scopes": ["*"]}, "scopes"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 367}, "expires_in_days"),
        ({"expires_in_days": "soon"}, "expires_in_days"),
        ({"project": 0}, "project"),
        ({"secret": "tms_pat_mine"}, "secret"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_makes_nothing(session, body, field):
    response = make(session, **body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]
    assert not PersonalAccessToken.objects.exists()


def test_a_project_must_be_one_the_person_reads(session, user):
    theirs = ProjectFactory(owner=UserFactory())
    response = make(session, project=theirs.pk)
    assert response.status_code == 400 and "project" in response.json()["error"]["fields"]
    mine = ProjectFactory(owner=user)
    made = make(session, project=mine.pk)
    assert made.status_code == 201 and made.json()["project"] == mine.pk


def test_no_expiry_means_never(session):
    assert make(session, expires_in_days=None).json()["expires_at"] is None
    assert make(session).json()["expires_at"] is None


def test_at_most_fifty_live_tokens(session, user, settings):
    settings.RATELIMIT_ENABLE = False
    for _ in range(MAX_LIVE_TOKENS):
        new_secret(user)
    # when
    response = make(session)
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert PersonalAccessToken.objects.filter(user=user).count() == MAX_LIVE_TOKENS
    # revoking one makes room
    session.delete(f"{TOKENS}{PersonalAccessToken.objects.filter(user=user).first().pk}/")
    assert make(session).status_code == 201


def test_managing_webhooks_needs_reading_tasks_too(session):
    # A webhook's deliveries show the tasks' data, so managing them is no less than reading tasks.
    refused = make(session, scopes=["webhooks:manage"])
    assert refused.status_code == 400
    assert "webhooks:manage needs tasks:read" in refused.json()["error"]["fields"]["scopes"][0]
    assert not PersonalAccessToken.objects.exists()
    assert make(session, scopes=["webhooks:manage", "tasks:read"]).status_code == 201
    assert make(session, scopes=["webhooks:manage", "tasks:write"]).status_code == 201


@pytest.mark.parametrize("password", [None, "", "not the password 42"])
def test_making_a_token_needs_the_password(session, password):
    # given: someone holding only the access token of a session (it lasts minutes)
    body = {"name": "thief's script", "scopes": ["tasks:write"]}
    if password is not None:
        body["password"] = password
    # when
    response = session.post(TOKENS, body, format="json")
    # then: refused on the password field, and no lasting credential was made
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    assert not PersonalAccessToken.objects.exists()


def test_wrong_passwords_spend_the_accounts_password_budget(session, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "password_account": "2/h"}
    codes = [make(session, password="not the password 42").status_code for _ in range(2)]
    assert codes == [400, 400]
    assert make(session).status_code == 429  # the right password too, once the budget is spent
    assert not PersonalAccessToken.objects.exists()


def test_making_tokens_is_rate_limited_per_user(session, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "tokens_create": "2/h"}
    assert [make(session).status_code for _ in range(3)] == [201, 201, 429]
    assert PersonalAccessToken.objects.count() == 2


def test_a_personal_token_never_reaches_the_token_routes(user):
    secret = new_secret(user, scopes=["tasks:write", "webhooks:manage"])
    token = PersonalAccessToken.objects.get()
    client = pat_client(secret)
    for response in (
        client.get(TOKENS),
        client.post(TOKENS, {"name": "more", "scopes": ["tasks:write"]}, format="json"),
        client.delete(f"{TOKENS}{token.pk}/"),
    ):
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "token_not_valid"
        assert error["message"] == "Personal access tokens are accepted on /api/tasks/ only."
        assert response["WWW-Authenticate"].startswith("Bearer")
    # the account's own routes: no JWT either, so 401 too
    for response in (client.get("/api/auth/me/"), client.delete("/api/auth/sessions/1/")):
        assert response.status_code == 401 and response.json()["error"]["code"] == "token_not_valid"
        assert (
            response.json()["error"]["message"] == "Personal access tokens are accepted on /api/tasks/ only."
        )
    token.refresh_from_db()
    assert token.revoked_at is None and PersonalAccessToken.objects.count() == 1


def test_without_a_session_the_routes_are_401(anonymous_client):
    assert anonymous_client.get(TOKENS).status_code == 401
    assert (
        anonymous_client.post(TOKENS, {"name": "x", "scopes": ["tasks:read"]}, format="json").status_code
        == 401
    )


@pytest.fixture
def staff_browser(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_staff_see_tokens_in_the_admin_without_their_secret(staff_browser, user):
    secret = new_secret(user)
    token = PersonalAccessToken.objects.get()
    for page in (
        "/admin/accounts/personalaccesstoken/",
        f"/admin/accounts/personalaccesstoken/{token.pk}/change/",
    ):
        response = staff_browser.get(page, HTTP_HOST="localhost")
        assert response.status_code == 200
        content = response.content.decode()
        assert token.hint in content
        assert secret[12:] not in content and token.token_hash not in content


def test_staff_revoke_a_token_and_make_or_change_none(staff_browser, user):
    secret = new_secret(user)
    token = PersonalAccessToken.objects.get()
    # when
    response = staff_browser.post(
        "/admin/accounts/personalaccesstoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
        HTTP_HOST="localhost",
        follow=True,
    )
    # then
    assert response.status_code == 200 and "Revoked 1 access token(s)." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert pat_client(secret).get("/api/tasks/").status_code == 401
    assert (
        staff_browser.get("/admin/accounts/personalaccesstoken/add/", HTTP_HOST="localhost").status_code
        == 403
    )
    changed = staff_browser.post(
        f"/admin/accounts/personalaccesstoken/{token.pk}/change/", {"name": "renamed"}, HTTP_HOST="localhost"
    )
    assert changed.status_code == 403
    token.refresh_from_db()
    assert token.name == "a script"
