"""Refresh tokens: HMAC-signed by the auth service alone; never an access token; an earlier
release's RS256 refresh tokens keep working until they expire."""

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import AuthSession
from accounts.tokens import refresh_token_backend
from tms_project.claims import SESSION_CLAIM

pytestmark = pytest.mark.django_db

REFRESH, ME = "/api/auth/refresh/", "/api/auth/me/"


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, format="json")


def hs256(claims: dict, secret: bytes) -> str:
    """A JWT signed with HMAC-SHA256 under ``secret``, by hand (PyJWT refuses PEM keys as secrets)."""

    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signed = header + b"." + part(json.dumps(claims).encode())
    return (signed + b"." + part(hmac.new(secret, signed, hashlib.sha256).digest())).decode()


def test_refresh_tokens_are_hs256_and_access_tokens_rs256(anonymous_client, user, login):
    tokens = login(user)
    assert jwt.get_unverified_header(tokens["refresh"])["alg"] == "HS256"
    assert jwt.get_unverified_header(tokens["access"])["alg"] == "RS256"
    rotated = refresh(anonymous_client, tokens["refresh"]).json()
    assert jwt.get_unverified_header(rotated["refresh"])["alg"] == "HS256"
    assert jwt.get_unverified_header(rotated["access"])["alg"] == "RS256"


def test_a_refresh_token_is_no_access_token_anywhere(anonymous_client, user, login):
    tokens = login(user)
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['refresh']}")
    assert anonymous_client.get(ME).status_code == 401
    assert anonymous_client.get("/api/tasks/").status_code == 401


def test_an_earlier_releases_rs256_refresh_token_still_rotates_once(anonymous_client, user, login):
    login(user)
    session = AuthSession.objects.get(user=user)
    old = RefreshToken.for_user(user)  # simplejwt's own class: signed with the private key (RS256)
    old[SESSION_CLAIM] = session.pk
    session.refresh_jti = old["jti"]
    session.save(update_fields=["refresh_jti"])
    raw = str(old)
    assert jwt.get_unverified_header(raw)["alg"] == "RS256"
    response = refresh(anonymous_client, raw)
    assert response.status_code == 200
    assert jwt.get_unverified_header(response.json()["refresh"])["alg"] == "HS256"
    assert refresh(anonymous_client, raw).status_code == 401  # used once: a replay ends the session


@pytest.mark.parametrize(
    "secret",
    [
        b"another key, thirty-two bytes long",
        settings.SIMPLE_JWT["VERIFYING_KEY"].encode(),  # the public key, as anyone may hold it
        settings.SIMPLE_JWT["SIGNING_KEY"].encode(),  # the private key itself, not the key made from it
    ],
    ids=["another-key", "public-key", "private-key-as-is"],
)
def test_a_refresh_token_signed_with_another_secret_is_refused(anonymous_client, user, login, secret):
    claims = jwt.decode(login(user)["refresh"], options={"verify_signature": False})
    forged = hs256(claims, secret)
    assert refresh(anonymous_client, forged).status_code == 401
    assert AuthSession.objects.get(user=user).revoked_at is None  # nothing was read as a replay


def test_the_same_claims_signed_with_the_derived_key_are_accepted(anonymous_client, user, login):
    """The control for the refusals above: the hand-made signature is right, only the key was wrong."""
    claims = jwt.decode(login(user)["refresh"], options={"verify_signature": False})
    assert refresh(anonymous_client, hs256(claims, refresh_token_backend().signing_key)).status_code == 200
