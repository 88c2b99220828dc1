"""Refresh tokens: signed with the private key (RS256) or, with TMS_REFRESH_TOKEN_SIGNING=hmac,
with HMAC-SHA256 under a key only the auth service derives; either kind is read whatever a pod
issues (a rolling update); never an access token."""

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import AuthSession
from accounts.tokens import refresh_token_backend
from tms_project.claims import SESSION_CLAIM
from tms_project.jwt_keys import generate_private_key_pem

pytestmark = pytest.mark.django_db

REFRESH, ME = "/api/auth/refresh/", "/api/auth/me/"


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, format="json")


def algorithm(token: str) -> str:
    return jwt.get_unverified_header(token)["alg"]


def hs256(claims: dict, secret: bytes) -> str:
    """A JWT signed with HMAC-SHA256 under ``secret``, by hand (PyJWT refuses PEM keys as secrets)."""

    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signed = header + b"." + part(json.dumps(claims).encode())
    return (signed + b"." + part(hmac.new(secret, signed, hashlib.sha256).digest())).decode()


@pytest.fixture
def hmac_signing(settings):
    settings.TMS_REFRESH_TOKEN_SIGNING = "hmac"


def test_by_default_refresh_tokens_are_rs256_as_before(anonymous_client, user, login):
    tokens = login(user)
    assert (algorithm(tokens["refresh"]), algorithm(tokens["access"])) == ("RS256", "RS256")
    rotated = refresh(anonymous_client, tokens["refresh"]).json()
    assert (algorithm(rotated["refresh"]), algorithm(rotated["access"])) == ("RS256", "RS256")


def test_with_hmac_refresh_tokens_are_hs256_and_access_tokens_stay_rs256(
    anonymous_client, user, login, hmac_signing
):
    tokens = login(user)
    assert (algorithm(tokens["refresh"]), algorithm(tokens["access"])) == ("HS256", "RS256")
    rotated = refresh(anonymous_client, tokens["refresh"]).json()
    assert (algorithm(rotated["refresh"]), algorithm(rotated["access"])) == ("HS256", "RS256")


def test_a_rolling_update_reads_both_kinds_either_way(anonymous_client, user, login, settings):
    """A pod that issues HMAC tokens reads the RS256 tokens of pods that do not yet, and back."""
    settings.TMS_REFRESH_TOKEN_SIGNING = "rs256"
    issued_by_old = login(user)["refresh"]
    settings.TMS_REFRESH_TOKEN_SIGNING = "hmac"
    response = refresh(anonymous_client, issued_by_old)
    assert response.status_code == 200
    issued_by_new = response.json()["refresh"]
    assert algorithm(issued_by_new) == "HS256"
    settings.TMS_REFRESH_TOKEN_SIGNING = "rs256"
    response = refresh(anonymous_client, issued_by_new)
    assert response.status_code == 200
    assert algorithm(response.json()["refresh"]) == "RS256"
    assert refresh(anonymous_client, issued_by_new).status_code == 401  # used once: a replay ends it


def test_a_refresh_token_is_no_access_token_anywhere(anonymous_client, user, login, hmac_signing):
    tokens = login(user)
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['refresh']}")
    assert anonymous_client.get(ME).status_code == 401
    assert anonymous_client.get("/api/tasks/").status_code == 401


def test_simplejwts_own_rs256_refresh_token_still_rotates_once(anonymous_client, user, login, hmac_signing):
    login(user)
    session = AuthSession.objects.get(user=user)
    old = RefreshToken.for_user(user)  # simplejwt's own class: signed with the private key (RS256)
    old[SESSION_CLAIM] = session.pk
    session.refresh_jti = old["jti"]
    session.save(update_fields=["refresh_jti"])
    raw = str(old)
    assert algorithm(raw) == "RS256"
    response = refresh(anonymous_client, raw)
    assert response.status_code == 200
    assert algorithm(response.json()["refresh"]) == "HS256"
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
def test_a_refresh_token_signed_with_another_secret_is_refused(
    anonymous_client, user, login, secret, hmac_signing
):
    claims = jwt.decode(login(user)["refresh"], options={"verify_signature": False})
    forged = hs256(claims, secret)
    assert refresh(anonymous_client, forged).status_code == 401
    assert AuthSession.objects.get(user=user).revoked_at is None  # nothing was read as a replay


def test_the_same_claims_signed_with_the_derived_key_are_accepted(
    anonymous_client, user, login, hmac_signing
):
    """The control for the refusals above: the hand-made signature is right, only the key was wrong."""
    claims = jwt.decode(login(user)["refresh"], options={"verify_signature": False})
    assert refresh(anonymous_client, hs256(claims, refresh_token_backend().signing_key)).status_code == 200


def test_the_key_is_the_private_keys_whatever_its_pem_looks_like(settings):
    """Pods given the same key as PKCS#8 or PKCS#1, with CRLF line ends, derive the same HMAC key."""
    pem = settings.SIMPLE_JWT["SIGNING_KEY"]
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    pkcs1 = serialization.PrivateFormat.TraditionalOpenSSL
    traditional = key.private_bytes(serialization.Encoding.PEM, pkcs1, serialization.NoEncryption()).decode()
    derived = refresh_token_backend().signing_key
    for variant in (pem.replace("\n", "\r\n") + "\r\n", traditional, pem.strip()):
        settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": variant}
        assert refresh_token_backend().signing_key == derived
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": generate_private_key_pem()}
    assert refresh_token_backend().signing_key != derived  # another key pair: another HMAC key
