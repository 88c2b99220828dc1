import json

import pytest

from accounts.models import AuthSession
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/auth/login/"


def body_without_request_id(response) -> dict:
    body = json.loads(response.content)
    body["error"].pop("request_id")
    return body


@pytest.mark.parametrize("name", ["ada", "ADA", "ada@example.com", "Ada@Example.com"])
def test_sign_in_by_username_or_email_in_any_case(anonymous_client, name):
    user = UserFactory(username="ada", email="ada@example.com")
    # when
    response = anonymous_client.post(
        URL, {"username": name, "password": PASSWORD}, format="json", HTTP_USER_AGENT="Firefox"
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["id"] == user.pk
    session = AuthSession.objects.get(user=user)
    assert session.user_agent == "Firefox"
    user.refresh_from_db()
    assert user.last_login is not None


def test_wrong_password_and_unknown_user_look_identical(anonymous_client, hash_calls):
    UserFactory(username="ada")
    # when
    wrong_password = anonymous_client.post(
        URL, {"username": "ada", "password": "not the password"}, format="json"
    )
    verifies_for_wrong_password = hash_calls()["verify"]
    unknown_user = anonymous_client.post(
        URL, {"username": "nobody", "password": "not the password"}, format="json"
    )
    # then: same status, same body, same headers that matter ...
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert body_without_request_id(wrong_password) == body_without_request_id(unknown_user)
    assert body_without_request_id(wrong_password)["error"] == {
        "status": 401,
        "code": "invalid_credentials",
        "message": "The username or password is incorrect.",
    }
    assert wrong_password["WWW-Authenticate"] == unknown_user["WWW-Authenticate"] == 'Bearer realm="api"'
    # ... and the same work: one password hash each, so timing does not tell them apart.
    assert verifies_for_wrong_password == 1
    assert hash_calls()["verify"] == 2
    assert not AuthSession.objects.exists()


def test_inactive_user_cannot_sign_in_and_learns_nothing_more(anonymous_client):
    UserFactory(username="ada", is_active=False)
    response = anonymous_client.post(URL, {"username": "ada", "password": PASSWORD}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_a_stale_authorization_header_does_not_block_sign_in(anonymous_client, user):
    anonymous_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    response = anonymous_client.post(URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_an_overlong_password_is_refused_before_hashing(anonymous_client, user, hash_calls):
    response = anonymous_client.post(
        URL, {"username": user.username, "password": "x" * 10_000}, format="json"
    )
    assert response.status_code == 400
    assert hash_calls() == {"encode": 0, "verify": 0}


def test_missing_fields_are_400(anonymous_client):
    response = anonymous_client.post(URL, {"username": "ada"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["This field is required."]}


def test_access_token_claims(anonymous_client, user, login, settings):
    import jwt

    tokens = login(user)
    claims = jwt.decode(
        tokens["access"],
        settings.JWT_PUBLIC_KEY,
        algorithms=["RS256"],
        audience="tms",
        issuer="tms-auth",
    )
    assert claims["token_type"] == "access"
    assert claims["user_id"] == str(user.pk)
    assert claims["sid"] == AuthSession.objects.get(user=user).pk
    # five minutes; iat and exp are truncated to whole seconds separately
    assert 299 <= claims["exp"] - claims["iat"] <= 300
    assert jwt.get_unverified_header(tokens["access"])["alg"] == "RS256"
