"""Access tokens: RS256 only, our issuer and audience only, our key only."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from tms_project.jwt_keys import generate_private_key_pem

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


@pytest.fixture
def claims(user, login) -> dict:
    return jwt.decode(login(user)["access"], options={"verify_signature": False})


def status_with(client, token: str) -> int:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(ME).status_code


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_genuine_token_is_accepted(anonymous_client, user, login):
    assert status_with(anonymous_client, login(user)["access"]) == 200


def test_a_token_signed_with_another_key_is_refused(anonymous_client, claims):
    forged = jwt.encode(claims, generate_private_key_pem(), algorithm="RS256")
    assert status_with(anonymous_client, forged) == 401


def test_the_none_algorithm_is_refused(anonymous_client, claims):
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    assert status_with(anonymous_client, f"{header}.{payload}.") == 401


def test_hs256_signed_with_the_public_key_is_refused(anonymous_client, claims, settings):
    # The classic confusion attack: the public key used as an HMAC secret.
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(
        settings.JWT_PUBLIC_KEY.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    assert status_with(anonymous_client, f"{header}.{payload}.{b64(signature)}") == 401


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "another-service"},
        {"iss": "someone-else"},
        {"exp": int(time.time()) - 60},
        {"token_type": "refresh"},
    ],
    ids=["audience", "issuer", "expired", "type"],
)
def test_tokens_with_foreign_claims_are_refused(anonymous_client, claims, settings, change):
    forged = jwt.encode({**claims, **change}, settings.JWT_PRIVATE_KEY, algorithm="RS256")
    response_status = status_with(anonymous_client, forged)
    assert response_status == 401


def test_a_refused_token_gets_the_error_shape(anonymous_client, claims):
    anonymous_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = anonymous_client.get(ME)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_not_valid"
    assert error["message"] == "Given token not valid for any token type"


NOW = int(time.time())


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"exp": "tomorrow"}, id="exp-text"),
        pytest.param({"exp": str(NOW + 600)}, id="exp-digits-as-text"),
        pytest.param({"exp": 2**80}, id="exp-beyond-any-date"),
        pytest.param({"exp": 1e300}, id="exp-huge-float"),
        pytest.param({"exp": NOW + 600.5}, id="exp-fraction"),
        pytest.param({"exp": True}, id="exp-boolean"),
        pytest.param({"iat": str(NOW)}, id="iat-digits-as-text"),
        pytest.param({"iat": -1}, id="iat-before-1970"),
        pytest.param({"nbf": {"at": NOW}}, id="nbf-object"),
        pytest.param({"user_id": "abc"}, id="user-text"),
        pytest.param({"user_id": {"id": 1}}, id="user-object"),
        pytest.param({"user_id": [1]}, id="user-list"),
        pytest.param({"user_id": 1.5}, id="user-fraction"),
        pytest.param({"user_id": True}, id="user-boolean"),
        pytest.param({"user_id": 2**80}, id="user-beyond-any-id"),
        pytest.param({"user_id": "-1"}, id="user-negative"),
        pytest.param({"user_id": None}, id="user-null"),
        pytest.param({"sid": "x"}, id="session-text"),
        pytest.param({"sid": {"id": 1}}, id="session-object"),
        pytest.param({"sid": 1.5}, id="session-fraction"),
        pytest.param({"tz": 5}, id="time-zone-number"),
        pytest.param({"tz": {"name": "UTC"}}, id="time-zone-object"),
        pytest.param({"token_type": ["access"]}, id="type-list"),
    ],
)
@pytest.mark.parametrize("path", [ME, "/api/tasks/", "/api/tasks/stats/"])
def test_signed_tokens_with_claims_of_the_wrong_type_are_refused(
    anonymous_client, claims, settings, change, path
):
    # given a token signed with the real key whose claim is of a type TMS never writes
    forged = jwt.encode({**claims, **change}, settings.JWT_PRIVATE_KEY, algorithm="RS256")
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    # when
    response = anonymous_client.get(path)
    # then: the token is refused in the error shape, as any bad token (found by an attack run: 500s)
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "token_not_valid"


@pytest.mark.parametrize("path", [ME, "/api/tasks/"])
def test_a_user_id_given_as_a_number_is_the_same_user(anonymous_client, claims, settings, user, path):
    # simplejwt writes it as digits; the number means the same account
    token = jwt.encode({**claims, "user_id": user.pk}, settings.JWT_PRIVATE_KEY, algorithm="RS256")
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anonymous_client.get(path).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"sid": "x"}, id="session-text"),
        pytest.param({"sid": {"id": 1}}, id="session-object"),
        pytest.param({"sid": 2**80}, id="session-beyond-any-id"),
        pytest.param({"exp": "tomorrow"}, id="exp-text"),
        pytest.param({"jti": ["x"]}, id="jti-list"),
    ],
)
@pytest.mark.parametrize("path", ["/api/auth/refresh/", "/api/auth/logout/"])
def test_signed_refresh_tokens_with_claims_of_the_wrong_type_are_refused(
    anonymous_client, user, login, settings, change, path
):
    # given a refresh token signed with the real key whose claim is of a type TMS never writes
    refresh = jwt.decode(login(user)["refresh"], options={"verify_signature": False})
    forged = jwt.encode({**refresh, **change}, settings.JWT_PRIVATE_KEY, algorithm="RS256")
    # when
    response = anonymous_client.post(path, {"refresh": forged}, format="json")
    # then: refused like any ended session, never a 500
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "token_not_valid"
