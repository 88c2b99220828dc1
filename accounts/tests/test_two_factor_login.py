"""Signing in to an account with two-factor sign-in: the password, then a code.

Also: a code works once, recovery codes work once each, wrong codes are limited,
the first step's token is short-lived and single-use, and no other way in (password
reset, refresh) skips the second factor.
"""

import logging
import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuthSession
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.test_two_factor import code_at, enable_two_factor, error_of, frozen_clock  # noqa: F401 - the fixture
from accounts.two_factor.models import MFAChallenge, RecoveryCode, TOTPDevice
from tms_project.metrics import LOGINS

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
SECOND_STEP = "/api/auth/login/2fa/"


@pytest.fixture
def limits(settings):
    def _set(**rates):
        settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, **rates}

    return _set


@pytest.fixture
def two_factor_user(db):
    user = UserFactory(username="ada")
    user.secret, user.codes = enable_two_factor(user)
    return user


def first_step(client, user, password=PASSWORD, **body):
    return client.post(LOGIN, {"username": user.username, "password": password, **body}, format="json")


def mfa_token(client, user, **body) -> str:
    response = first_step(client, user, **body)
    assert response.status_code == 200, response.content
    return response.json()["mfa_token"]


def second_step(client, token, **body):
    return client.post(SECOND_STEP, {"mfa_token": token, **body}, format="json")


def logins(outcome: str) -> float:
    return LOGINS.labels(outcome)._value.get()


def test_the_password_alone_gives_no_tokens(frozen, anonymous_client, two_factor_user):
    # when
    response = first_step(anonymous_client, two_factor_user)
    # then: a challenge, no tokens, no session, no cookie
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"mfa_required", "mfa_token", "methods"}
    assert body["mfa_required"] is True
    assert body["methods"] == ["totp", "recovery_code"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", body["mfa_token"])
    assert not AuthSession.objects.exists()
    assert not response.cookies
    # only the token's hash is kept
    challenge = MFAChallenge.objects.get(user=two_factor_user)
    assert body["mfa_token"] not in challenge.token_hash
    assert challenge.expires_at == timezone.now() + timedelta(minutes=5)


def test_a_wrong_password_is_refused_as_before(anonymous_client, two_factor_user):
    response = first_step(anonymous_client, two_factor_user, password="not the password")
    assert error_of(response) == (401, "invalid_credentials")
    assert not MFAChallenge.objects.exists()


def test_the_code_completes_the_sign_in_in_body_mode(frozen, anonymous_client, two_factor_user):
    token = mfa_token(anonymous_client, two_factor_user)
    successes = logins("success")
    # when
    response = second_step(anonymous_client, token, code=code_at(two_factor_user.secret))
    # then: exactly what a plain sign-in answers
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["id"] == two_factor_user.pk
    assert response["Cache-Control"] == "no-store"
    assert AuthSession.objects.filter(user=two_factor_user).count() == 1
    assert logins("success") == successes + 1
    # the tokens work
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get("/api/auth/me/").json()["username"] == "ada"
    refreshed = APIClient().post("/api/auth/refresh/", {"refresh": body["refresh"]}, format="json")
    assert refreshed.status_code == 200  # a session that passed the second factor refreshes as any other


def test_the_code_completes_the_sign_in_in_cookie_mode(frozen, two_factor_user, settings):
    browser = APIClient(enforce_csrf_checks=True)
    token = mfa_token(browser, two_factor_user, use_cookie=True)
    # when
    response = second_step(browser, token, code=code_at(two_factor_user.secret))
    # then: as the first step asked, the refresh token in the HttpOnly cookie only; the device cookie set
    assert response.status_code == 200
    assert set(response.json()) == {"access", "user"}
    cookie = response.cookies[settings.TMS_REFRESH_COOKIE_NAME]
    assert cookie["httponly"] is True and cookie["path"] == "/api/auth/"
    assert settings.TMS_DEVICE_COOKIE_NAME in response.cookies


def test_a_code_is_accepted_once(frozen, anonymous_client, two_factor_user):
    code = code_at(two_factor_user.secret)
    assert (
        second_step(anonymous_client, mfa_token(anonymous_client, two_factor_user), code=code).status_code
        == 200
    )
    # when: the same code again, still inside its 30 seconds, in a new sign-in
    token = mfa_token(anonymous_client, two_factor_user)
    replayed = second_step(anonymous_client, token, code=code)
    # then
    assert error_of(replayed) == (401, "invalid_code")
    assert replayed.json()["error"]["message"] == "The code is incorrect or has already been used."
    assert AuthSession.objects.filter(user=two_factor_user).count() == 1
    # nor is the previous step's code (older than the last accepted)
    assert error_of(second_step(anonymous_client, token, code=code_at(two_factor_user.secret, -30)))[1] == (
        "invalid_code"
    )
    # the next step's code is fine
    frozen.tick(30)
    assert second_step(anonymous_client, token, code=code_at(two_factor_user.secret)).status_code == 200


def test_codes_a_step_either_side_are_accepted_not_two(frozen, anonymous_client, two_factor_user):
    secret = two_factor_user.secret
    token = mfa_token(anonymous_client, two_factor_user)
    assert error_of(second_step(anonymous_client, token, code=code_at(secret, -60)))[1] == "invalid_code"
    assert error_of(second_step(anonymous_client, token, code=code_at(secret, 60)))[1] == "invalid_code"
    assert second_step(anonymous_client, token, code=code_at(secret, -30)).status_code == 200


def test_a_code_with_a_space_is_accepted(frozen, anonymous_client, two_factor_user):
    code = code_at(two_factor_user.secret)
    token = mfa_token(anonymous_client, two_factor_user)
    assert second_step(anonymous_client, token, code=f"{code[:3]} {code[3:]}").status_code == 200


def test_the_mfa_token_is_single_use(frozen, anonymous_client, two_factor_user):
    token = mfa_token(anonymous_client, two_factor_user)
    assert second_step(anonymous_client, token, code=code_at(two_factor_user.secret)).status_code == 200
    frozen.tick(30)
    again = second_step(anonymous_client, token, code=code_at(two_factor_user.secret))
    assert error_of(again) == (401, "mfa_token_invalid")
    assert AuthSession.objects.count() == 1


def test_an_expired_mfa_token_is_refused(frozen, anonymous_client, two_factor_user):
    token = mfa_token(anonymous_client, two_factor_user)
    # when: five minutes later, with a right code
    frozen.tick(5 * 60)
    response = second_step(anonymous_client, token, code=code_at(two_factor_user.secret))
    # then
    assert error_of(response) == (401, "mfa_token_invalid")
    assert response.json()["error"]["message"].endswith("sign in again with your password.")
    assert not AuthSession.objects.exists()
    assert TOTPDevice.objects.get(user=two_factor_user).last_step == 0  # the code was not used up


@pytest.mark.parametrize("token", ["", "x" * 43, "not-a-token"])
def test_unknown_mfa_tokens(anonymous_client, token):
    response = second_step(anonymous_client, token, code="123456")
    assert response.status_code in (400, 401)
    if token:
        assert error_of(response) == (401, "mfa_token_invalid")


@pytest.mark.parametrize(
    "body",
    [{}, {"code": "123456", "recovery_code": "abcde-fghjk"}, {"code": 123456}, {"code": "1" * 100}],
)
def test_the_second_step_needs_exactly_one_code(anonymous_client, two_factor_user, body):
    token = mfa_token(anonymous_client, two_factor_user)
    response = second_step(anonymous_client, token, **body)
    assert error_of(response) == (400, "invalid")
    assert MFAChallenge.objects.get().failures == 0


def test_a_recovery_code_works_once(frozen, anonymous_client, two_factor_user):
    recovery = two_factor_user.codes[0]
    # when
    first = second_step(
        anonymous_client, mfa_token(anonymous_client, two_factor_user), recovery_code=recovery
    )
    # then
    assert first.status_code == 200
    assert RecoveryCode.objects.filter(user=two_factor_user, used_at__isnull=True).count() == 9
    # and only once
    again = second_step(
        anonymous_client, mfa_token(anonymous_client, two_factor_user), recovery_code=recovery
    )
    assert error_of(again) == (401, "invalid_code")
    # another one, typed in capitals with a space, still works
    typed = two_factor_user.codes[1].upper().replace("-", " ")
    token = mfa_token(anonymous_client, two_factor_user)
    assert second_step(anonymous_client, token, recovery_code=typed).status_code == 200


def test_a_recovery_code_in_the_code_field_works(anonymous_client, two_factor_user):
    token = mfa_token(anonymous_client, two_factor_user)
    assert second_step(anonymous_client, token, code=two_factor_user.codes[2]).status_code == 200


def test_five_wrong_codes_spend_the_mfa_token(frozen, anonymous_client, two_factor_user):
    token = mfa_token(anonymous_client, two_factor_user)
    right = code_at(two_factor_user.secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert error_of(second_step(anonymous_client, token, code=wrong)) == (401, "invalid_code")
    # then even the right code needs the password again
    assert error_of(second_step(anonymous_client, token, code=right)) == (401, "mfa_token_invalid")
    assert not AuthSession.objects.exists()


def test_wrong_codes_are_rate_limited_per_account(frozen, limits, two_factor_user):
    limits(mfa_account="4/15m")
    failures = logins("mfa_failure")
    # a guessing run from two addresses with several sign-in challenges
    for ip in ("192.0.2.1", "192.0.2.2"):
        client = APIClient(REMOTE_ADDR=ip)
        token = mfa_token(client, two_factor_user)
        for _ in range(2):
            assert error_of(second_step(client, token, recovery_code="aaaaa-aaaaa")) == (401, "invalid_code")
    assert logins("mfa_failure") == failures + 4
    # when: the right code, from a third address
    client = APIClient(REMOTE_ADDR="192.0.2.3")
    throttled = logins("throttled")
    limited = second_step(client, mfa_token(client, two_factor_user), code=code_at(two_factor_user.secret))
    # then
    assert error_of(limited) == (429, "throttled")
    assert 1 <= int(limited["Retry-After"]) <= 15 * 60
    assert f"{limited['Retry-After']} seconds" in limited.json()["error"]["message"]
    assert logins("throttled") == throttled + 1
    assert not AuthSession.objects.exists()
    assert TOTPDevice.objects.get(user=two_factor_user).last_step == 0  # checked no code


def test_second_steps_are_rate_limited_per_address(limits, anonymous_client):
    limits(mfa_ip="3/5m")
    for _ in range(3):
        assert error_of(second_step(anonymous_client, "x" * 43, code="123456")) == (401, "mfa_token_invalid")
    assert error_of(second_step(anonymous_client, "x" * 43, code="123456")) == (429, "throttled")


def test_the_password_attempt_is_given_back_only_when_the_code_is_right(frozen, limits, two_factor_user):
    # Two password attempts per account and address: a sign-in that stops at the code keeps its
    # attempt counted, one that completes gives it back.
    limits(login_account="2/15m")
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    mfa_token(client, two_factor_user)  # the password, then nothing
    token = mfa_token(client, two_factor_user)
    assert second_step(client, token, code=code_at(two_factor_user.secret)).status_code == 200
    # the first attempt is still counted, the second was given back: one more password is allowed here
    client.cookies.clear()  # without the device cookie the completed sign-in gave it
    assert first_step(client, two_factor_user).status_code == 200
    assert error_of(first_step(client, two_factor_user)) == (429, "throttled")


def test_the_device_cookie_comes_only_with_the_whole_sign_in(frozen, two_factor_user, settings):
    client = APIClient()
    first = first_step(client, two_factor_user)
    assert settings.TMS_DEVICE_COOKIE_NAME not in first.cookies
    done = second_step(client, first.json()["mfa_token"], code=code_at(two_factor_user.secret))
    assert settings.TMS_DEVICE_COOKIE_NAME in done.cookies


def test_a_deactivated_account_cannot_finish_signing_in(frozen, anonymous_client, two_factor_user):
    token = mfa_token(anonymous_client, two_factor_user)
    two_factor_user.is_active = False
    two_factor_user.save(update_fields=["is_active"])
    response = second_step(anonymous_client, token, code=code_at(two_factor_user.secret))
    assert error_of(response) == (401, "mfa_token_invalid")


def test_disabling_two_factor_signs_in_with_the_password_again(frozen, anonymous_client, two_factor_user):
    from accounts.two_factor.services import two_factor_reset

    two_factor_reset(user=two_factor_user)
    response = first_step(anonymous_client, two_factor_user)
    assert response.status_code == 200 and "access" in response.json()


def test_a_password_reset_does_not_sign_in(frozen, anonymous_client, two_factor_user):
    # given: the reset link from the mail
    assert (
        anonymous_client.post(
            "/api/auth/password/reset/", {"email": two_factor_user.email}, format="json"
        ).status_code
        == 202
    )
    from accounts.services.mail import mail_deliver_due

    mail_deliver_due()
    link = re.search(r"uid=([\w-]+)&token=([\w-]+)", mail.outbox[-1].body)
    assert link is not None
    # when: a new password is set through it
    response = anonymous_client.post(
        "/api/auth/password/reset/confirm/",
        {"uid": link[1], "token": link[2], "new_password": "a brand new passphrase"},
        format="json",
    )
    # then: no tokens; signing in still takes the code, and two-factor sign-in stays on
    assert response.status_code == 204 and not response.content
    assert not AuthSession.objects.exists()
    after = first_step(anonymous_client, two_factor_user, password="a brand new passphrase")
    assert after.json()["mfa_required"] is True
    assert TOTPDevice.objects.filter(user=two_factor_user, confirmed_at__isnull=False).exists()


def test_codes_and_tokens_never_reach_the_logs(frozen, anonymous_client, two_factor_user, caplog):
    caplog.set_level(logging.DEBUG)
    secret = two_factor_user.secret
    token = mfa_token(anonymous_client, two_factor_user)
    code = code_at(secret)
    second_step(anonymous_client, token, code="000000" if code != "000000" else "111111")
    second_step(anonymous_client, token, code=code)
    second_step(
        anonymous_client, mfa_token(anonymous_client, two_factor_user), recovery_code=two_factor_user.codes[0]
    )
    logged = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert "sign-in second factor refused" in logged  # the refusal is logged, without the code
    for value in (secret, token, code, two_factor_user.codes[0], two_factor_user.codes[0].replace("-", "")):
        assert value not in logged


def test_the_second_step_costs_a_bounded_number_of_queries(
    frozen, anonymous_client, two_factor_user, django_assert_max_num_queries
):
    # the password step: the user, the device, the user's expired challenges, the new one (and savepoints)
    with django_assert_max_num_queries(6):
        token = mfa_token(anonymous_client, two_factor_user)
    # the code: the challenge and its user, the device, its step, the challenge used, the new session
    with django_assert_max_num_queries(11):
        assert second_step(anonymous_client, token, code=code_at(two_factor_user.secret)).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_one_code_used_twice_at_once_signs_in_once(frozen):
    # given: two sign-ins waiting for a code (the password leaked), each with its own challenge
    user = UserFactory(username="ada")
    secret, _ = enable_two_factor(user)
    tokens = [mfa_token(APIClient(), user) for _ in range(2)]
    code = code_at(secret)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def use(token: str) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(second_step(APIClient(), token, code=code).status_code)
        finally:
            connections.close_all()

    # when: both send the same code at the same moment
    threads = [threading.Thread(target=use, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then: one sign-in, one refusal
    assert sorted(statuses) == [200, 401]
    assert AuthSession.objects.filter(user=user).count() == 1
