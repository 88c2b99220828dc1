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


def status_with(api, token: str) -> int:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api.get(ME).status_code


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_genuine_token_is_accepted(api, user, login):
    assert status_with(api, login(user)["access"]) == 200


def test_a_token_signed_with_another_key_is_refused(api, claims):
    forged = jwt.encode(claims, generate_private_key_pem(), algorithm="RS256")
    assert status_with(api, forged) == 401


def test_the_none_algorithm_is_refused(api, claims):
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    assert status_with(api, f"{header}.{payload}.") == 401


def test_hs256_signed_with_the_public_key_is_refused(api, claims, settings):
    # The classic confusion attack: the public key used as an HMAC secret.
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(
        settings.JWT_PUBLIC_KEY.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    assert status_with(api, f"{header}.{payload}.{b64(signature)}") == 401


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
def test_tokens_with_foreign_claims_are_refused(api, claims, settings, change):
    forged = jwt.encode({**claims, **change}, settings.JWT_PRIVATE_KEY, algorithm="RS256")
    response_status = status_with(api, forged)
    assert response_status == 401


def test_a_refused_token_gets_the_error_shape(api, claims):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api.get(ME)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_not_valid"
    assert error["message"] == "Given token not valid for any token type"
