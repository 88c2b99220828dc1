"""Rotating the JWT key pair signs no one out: while the pair before is configured as the previous
one (TMS_JWT_PREVIOUS_*), tokens it signed are accepted and refreshed into tokens of the new pair;
without it they are refused; nothing is ever signed with it."""

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from accounts.tokens import refresh_token_backend
from tms_project.jwt_keys import generate_private_key_pem, load_previous_keys, public_key_pem_of

pytestmark = pytest.mark.django_db

REFRESH, TASKS = "/api/auth/refresh/", "/api/tasks/"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def rotate(settings, *, keep_previous: bool) -> str:
    """What a rotation does to a pod's settings: a new pair, the old one kept as the previous."""
    old = settings.SIMPLE_JWT["SIGNING_KEY"]
    new = generate_private_key_pem()
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": new, "VERIFYING_KEY": public_key_pem_of(new)}
    settings.JWT_PREVIOUS_PRIVATE_KEY = old if keep_previous else None
    settings.JWT_PREVIOUS_PUBLIC_KEY = public_key_pem_of(old) if keep_previous else None
    return new


def signed_by(token: str, private_pem: str) -> bool:
    try:
        jwt.decode(token, public_key_pem_of(private_pem), algorithms=["RS256"], options={"verify_aud": False})
    except jwt.InvalidSignatureError:
        return False
    return True


@pytest.mark.parametrize("signing", ["rs256", "hmac"])
def test_sessions_survive_a_rotation_with_the_previous_pair_kept(
    anonymous_client, user, login, settings, signing
):
    settings.TMS_REFRESH_TOKEN_SIGNING = signing
    before = login(user)
    new = rotate(settings, keep_previous=True)

    assert bearer(before["access"]).get(TASKS).status_code == 200  # an access token of the old pair
    response = anonymous_client.post(REFRESH, {"refresh": before["refresh"]}, format="json")
    assert response.status_code == 200, response.content
    after = response.json()
    assert signed_by(after["access"], new)  # what is issued is the new pair's
    assert bearer(after["access"]).get(TASKS).status_code == 200
    assert anonymous_client.post(REFRESH, {"refresh": after["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize("signing", ["rs256", "hmac"])
def test_without_the_previous_pair_the_old_tokens_are_refused(
    anonymous_client, user, login, settings, signing
):
    """What rotating after a leak does: every session ends, as it should."""
    settings.TMS_REFRESH_TOKEN_SIGNING = signing
    before = login(user)
    rotate(settings, keep_previous=False)
    assert bearer(before["access"]).get(TASKS).status_code == 401
    assert anonymous_client.post(REFRESH, {"refresh": before["refresh"]}, format="json").status_code == 401


def test_a_token_of_a_third_key_is_still_refused(user, login, settings):
    stranger = generate_private_key_pem()
    settings.SIMPLE_JWT = {
        **settings.SIMPLE_JWT,
        "SIGNING_KEY": stranger,
        "VERIFYING_KEY": public_key_pem_of(stranger),
    }
    forged = login(user)["access"]
    rotate(settings, keep_previous=False)  # current and previous: two keys, neither the stranger's
    rotate(settings, keep_previous=True)
    assert bearer(forged).get(TASKS).status_code == 401


def test_an_expired_token_of_the_previous_pair_stays_expired(user, login, settings):
    before = login(user)
    rotate(settings, keep_previous=True)
    assert bearer(before["access"]).get(TASKS).status_code == 200
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "LEEWAY": -3600}  # as if an hour had passed
    assert bearer(before["access"]).get(TASKS).status_code == 401


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_loading_the_previous_pair(tmp_path, monkeypatch):
    for name in ("PRIVATE", "PUBLIC"):
        monkeypatch.delenv(f"TMS_JWT_PREVIOUS_{name}_KEY", raising=False)
        monkeypatch.delenv(f"TMS_JWT_PREVIOUS_{name}_KEY_FILE", raising=False)
    assert load_previous_keys(service="auth") == (None, None)  # outside a rotation

    # The Secret is optional: a mount point with no file in it is no previous key.
    monkeypatch.setenv("TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE", str(tmp_path / "absent.pem"))
    assert load_previous_keys(service="auth") == (None, None)

    old = generate_private_key_pem()
    monkeypatch.setenv("TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE", write(tmp_path, "private.pem", old))
    assert load_previous_keys(service="auth") == (old, public_key_pem_of(old))
    with pytest.raises(ImproperlyConfigured, match="must not hold a signing key"):
        load_previous_keys(service="tasks")

    monkeypatch.delenv("TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE")
    monkeypatch.setenv(
        "TMS_JWT_PREVIOUS_PUBLIC_KEY_FILE", write(tmp_path, "public.pem", public_key_pem_of(old))
    )
    assert load_previous_keys(service="tasks") == (None, public_key_pem_of(old))
    with pytest.raises(ImproperlyConfigured, match="PRIVATE_KEY_FILE"):
        load_previous_keys(service="auth")  # HMAC-signed refresh tokens need the private half

    monkeypatch.setenv(
        "TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE", write(tmp_path, "private.pem", generate_private_key_pem())
    )
    with pytest.raises(ImproperlyConfigured, match="does not belong"):
        load_previous_keys(service="auth")
    monkeypatch.setenv("TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE", write(tmp_path, "private.pem", "not a key"))
    monkeypatch.delenv("TMS_JWT_PREVIOUS_PUBLIC_KEY_FILE")
    with pytest.raises(ImproperlyConfigured, match="not a PEM private key"):
        load_previous_keys(service="auth")


def test_an_hmac_token_of_the_previous_pair_is_never_an_access_token(user, login, settings):
    """Access tokens are RS256 only, with the previous pair as with the current one: an HS256 token
    under the previous pair's refresh key, claiming to be an access token, is refused."""
    settings.TMS_REFRESH_TOKEN_SIGNING = "hmac"
    before = login(user)
    old_hmac_key = refresh_token_backend().signing_key
    claims = jwt.decode(before["access"], options={"verify_signature": False})
    rotate(settings, keep_previous=True)
    forged = jwt.encode(claims, old_hmac_key, algorithm="HS256")
    assert bearer(forged).get(TASKS).status_code == 401
    assert bearer(before["access"]).get(TASKS).status_code == 200  # the real one still works
