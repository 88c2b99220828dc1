"""Two-factor sign-in, the account's side: enrolling an authenticator, confirming it, recovery codes,
disabling. (The sign-in itself: test_two_factor_login.py; the admin: test_two_factor_admin.py.)"""

import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.models import AuthSession
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.two_factor.models import RecoveryCode, TOTPDevice
from accounts.two_factor.recovery import code_hash, recovery_codes_replace
from accounts.two_factor.totp import new_secret

pytestmark = pytest.mark.django_db

STATUS = "/api/auth/2fa/"
ENROL = "/api/auth/2fa/totp/"
CONFIRM = "/api/auth/2fa/totp/confirm/"
DISABLE = "/api/auth/2fa/totp/disable/"
RECOVERY = "/api/auth/2fa/recovery-codes/"
RECOVERY_CODE = re.compile(r"^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$")


@pytest.fixture(name="frozen")
def frozen_clock():
    """The clock stopped 10 seconds into a 30-second step (before the other fixtures sign in)."""
    now = int(time.time())
    with freeze_time(datetime.fromtimestamp(now - now % 30 + 40, tz=UTC)) as clock:
        yield clock


def code_at(secret: str, seconds_later: int = 0) -> str:
    """The code an authenticator app shows now (or that many seconds later)."""
    return pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=seconds_later))


def enable_two_factor(user) -> tuple[str, list[str]]:
    """A confirmed authenticator for ``user`` (as after enrolling): its secret and recovery codes."""
    secret = new_secret()
    TOTPDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now())
    return secret, recovery_codes_replace(user=user)


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_enrol_confirm_and_status(frozen, authed, user):
    # given: nothing enabled yet
    assert authed.get(STATUS).json() == {"enabled": False, "confirmed_at": None, "recovery_codes_left": 0}
    # when: enrolment starts
    started = authed.post(ENROL, {}, format="json")
    # then: a secret, its otpauth:// URI with the issuer, and the QR code of it as an SVG
    assert started.status_code == 201
    body = started.json()
    assert set(body) == {"secret", "otpauth_uri", "qr_svg"}
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])  # base32, 160 bits
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/TMS:{user.username}"
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["TMS"]
    assert body["qr_svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')  # drawn as an <img> too
    assert body["qr_svg"].rstrip().endswith("</svg>")
    assert "http" not in body["qr_svg"].replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert started["Cache-Control"] == "no-store"
    # not in force before it is confirmed
    assert authed.get(STATUS).json()["enabled"] is False
    # when: the code the app shows confirms it
    confirmed = authed.post(CONFIRM, {"password": PASSWORD, "code": code_at(body["secret"])}, format="json")
    # then: ten recovery codes, shown this once, stored as hashes
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(RECOVERY_CODE.fullmatch(code) for code in codes)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert stored == {code_hash(code) for code in codes}
    assert not any(code.replace("-", "") in hashed for code in codes for hashed in stored)
    status = authed.get(STATUS).json()
    assert status["enabled"] is True and status["recovery_codes_left"] == 10
    assert status["confirmed_at"] == timezone.now().isoformat().replace("+00:00", "Z")


def test_the_issuer_is_a_setting(authed, settings):
    settings.TMS_TOTP_ISSUER = "Acme Tasks"
    uri = authed.post(ENROL, {}, format="json").json()["otpauth_uri"]
    assert parse_qs(urlparse(uri).query)["issuer"] == ["Acme Tasks"]
    assert unquote(urlparse(uri).path).startswith("/Acme Tasks:")


def test_enrolling_again_before_confirming_replaces_the_secret(authed, user):
    first = authed.post(ENROL, {}, format="json").json()["secret"]
    second = authed.post(ENROL, {}, format="json").json()["secret"]
    assert first != second
    assert TOTPDevice.objects.get(user=user).secret == second
    # the first secret's codes do not confirm
    refused = authed.post(CONFIRM, {"password": PASSWORD, "code": code_at(first)}, format="json")
    if code_at(first) != code_at(second):  # (one chance in a million they coincide)
        assert error_of(refused) == (400, "invalid_code")


def test_enrolments_are_limited_per_account(authed, user, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "account_change": "2/h"}
    secrets = [authed.post(ENROL, {}, format="json").json()["secret"] for _ in range(2)]
    # when
    limited = authed.post(ENROL, {}, format="json")
    # then: refused before a new secret or QR code is made
    assert error_of(limited) == (429, "throttled")
    assert TOTPDevice.objects.get(user=user).secret == secrets[-1]


def test_a_wrong_code_does_not_confirm(authed, user):
    secret = authed.post(ENROL, {}, format="json").json()["secret"]
    wrong = f"{(int(code_at(secret)) + 1) % 1_000_000:06d}"
    # when
    refused = authed.post(CONFIRM, {"password": PASSWORD, "code": wrong}, format="json")
    # then
    assert error_of(refused) == (400, "invalid_code")
    assert TOTPDevice.objects.get(user=user).confirmed_at is None
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_confirming_needs_the_password(authed, user):
    # given: someone holding only an access token starts an enrolment with their own app
    secret = authed.post(ENROL, {}, format="json").json()["secret"]
    # when: they confirm with a right code but without the password, or with a wrong one
    missing = authed.post(CONFIRM, {"code": code_at(secret)}, format="json")
    wrong = authed.post(CONFIRM, {"password": "not the password 42", "code": code_at(secret)}, format="json")
    # then: refused, and the account is not locked to their authenticator
    assert missing.status_code == 400 and "password" in missing.json()["error"]["fields"]
    assert wrong.status_code == 400 and "password" in wrong.json()["error"]["fields"]
    assert TOTPDevice.objects.get(user=user).confirmed_at is None
    assert authed.get(STATUS).json()["enabled"] is False


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1" * 40])
def test_malformed_codes_are_400(authed, code):
    authed.post(ENROL, {}, format="json")
    response = authed.post(CONFIRM, {"password": PASSWORD, "code": code}, format="json")
    assert response.status_code == 400


def test_confirming_without_an_enrolment(authed):
    assert error_of(authed.post(CONFIRM, {"password": PASSWORD, "code": "123456"}, format="json")) == (
        400,
        "not_enrolled",
    )


def test_enrolling_when_enabled_is_a_conflict(authed, user):
    secret, _ = enable_two_factor(user)
    assert error_of(authed.post(ENROL, {}, format="json")) == (409, "already_enabled")
    assert error_of(authed.post(CONFIRM, {"password": PASSWORD, "code": code_at(secret)}, format="json")) == (
        409,
        "already_enabled",
    )
    assert TOTPDevice.objects.get(user=user).secret == secret  # unchanged


def test_enabling_keeps_the_accounts_sessions(authed, user, login):
    login(user, user_agent="phone")
    secret = authed.post(ENROL, {}, format="json").json()["secret"]
    assert (
        authed.post(CONFIRM, {"password": PASSWORD, "code": code_at(secret)}, format="json").status_code
        == 200
    )
    assert AuthSession.objects.filter(user=user, revoked_at__isnull=True).count() == 2


def test_the_routes_need_a_session(anonymous_client):
    for url in (STATUS, ENROL, CONFIRM, DISABLE, RECOVERY):
        method = anonymous_client.get if url == STATUS else anonymous_client.post
        assert method(url, {}, format="json").status_code == 401


def test_disable_needs_the_password_and_a_code(frozen, authed, user):
    secret, codes = enable_two_factor(user)
    # a wrong password: 400, nothing changes (and the code is not used up)
    wrong_password = authed.post(DISABLE, {"password": "not it", "code": code_at(secret)}, format="json")
    assert error_of(wrong_password) == (400, "invalid")
    assert "password" in wrong_password.json()["error"]["fields"]
    assert TOTPDevice.objects.get(user=user).last_step == 0
    # a wrong code: 400, nothing changes
    wrong_code = authed.post(DISABLE, {"password": PASSWORD, "code": "000000"}, format="json")
    if code_at(secret) != "000000":
        assert error_of(wrong_code) == (400, "invalid_code")
    used_recovery = authed.post(DISABLE, {"password": "not it", "code": codes[0]}, format="json")
    assert used_recovery.status_code == 400
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 10
    assert TOTPDevice.objects.filter(user=user).exists()
    # when: the password and a code
    disabled = authed.post(DISABLE, {"password": PASSWORD, "code": code_at(secret)}, format="json")
    # then: off, and its secret and recovery codes are gone
    assert disabled.status_code == 204
    assert authed.get(STATUS).json() == {"enabled": False, "confirmed_at": None, "recovery_codes_left": 0}
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    # disabling again
    again = authed.post(DISABLE, {"password": PASSWORD, "code": code_at(secret, 30)}, format="json")
    assert error_of(again) == (409, "not_enabled")


def test_disable_with_a_recovery_code(authed, user):
    _, codes = enable_two_factor(user)
    typed = codes[3].upper().replace("-", " ")  # as someone types it off paper
    assert authed.post(DISABLE, {"password": PASSWORD, "code": typed}, format="json").status_code == 204
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_new_recovery_codes_replace_the_old_ones(frozen, authed, user):
    secret, old = enable_two_factor(user)
    RecoveryCode.objects.filter(user=user, code_hash=code_hash(old[0])).update(used_at=timezone.now())
    assert authed.get(STATUS).json()["recovery_codes_left"] == 9
    # a wrong password changes nothing
    refused = authed.post(RECOVERY, {"password": "not it", "code": code_at(secret)}, format="json")
    assert refused.status_code == 400
    assert set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True)) == {
        code_hash(code) for code in old
    }
    # when
    renewed = authed.post(RECOVERY, {"password": PASSWORD, "code": code_at(secret)}, format="json")
    # then
    assert renewed.status_code == 200
    new = renewed.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert authed.get(STATUS).json()["recovery_codes_left"] == 10
    assert set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True)) == {
        code_hash(code) for code in new
    }


def test_new_recovery_codes_need_two_factor_enabled(authed):
    response = authed.post(RECOVERY, {"password": PASSWORD, "code": "123456"}, format="json")
    assert error_of(response) == (409, "not_enabled")


def test_disable_attempts_are_rate_limited_per_account(authed, user, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "mfa_account": "3/15m"}
    secret, _ = enable_two_factor(user)
    for _ in range(3):
        assert (
            authed.post(DISABLE, {"password": PASSWORD, "code": "abcde-fghjk"}, format="json").status_code
            == 400
        )
    # then even the right password and code wait
    limited = authed.post(DISABLE, {"password": PASSWORD, "code": code_at(secret)}, format="json")
    assert error_of(limited) == (429, "throttled")
    assert int(limited["Retry-After"]) >= 1
    assert TOTPDevice.objects.filter(user=user).exists()


def test_one_accounts_codes_do_not_touch_anothers(authed, user):
    other = UserFactory()
    _, other_codes = enable_two_factor(other)
    enable_two_factor(user)
    response = authed.post(DISABLE, {"password": PASSWORD, "code": other_codes[0]}, format="json")
    assert error_of(response) == (400, "invalid_code")
    assert RecoveryCode.objects.filter(user=other, used_at__isnull=True).count() == 10


def test_status_costs_three_queries_at_most(authed, user, django_assert_max_num_queries):
    enable_two_factor(user)
    with django_assert_max_num_queries(3):  # the user (the token), the device, the codes left
        assert authed.get(STATUS).status_code == 200


def test_an_access_token_alone_cannot_enrol_for_someone_else(authed, user):
    other = UserFactory()
    authed.post(ENROL, {}, format="json")
    assert not TOTPDevice.objects.filter(user=other).exists()
    assert APIClient().post(ENROL, {}, format="json").status_code == 401


def test_a_code_read_by_two_requests_at_once_is_accepted_by_one(frozen, user):
    # Two requests loaded the device before either accepted the code (as the admin's form and an
    # API call might): the conditional UPDATE of last_step lets only the first through.
    from accounts.two_factor.totp import totp_accept

    secret, _ = enable_two_factor(user)
    first, second = TOTPDevice.objects.get(user=user), TOTPDevice.objects.get(user=user)
    code = code_at(secret)
    assert totp_accept(device=first, code=code) is True
    assert second.last_step == 0  # its copy does not know
    assert totp_accept(device=second, code=code) is False
