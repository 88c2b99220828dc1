"""The admin's sign-in with two-factor sign-in: the code is asked there too, so the admin is no way
around it; TMS_ADMIN_REQUIRE_2FA keeps staff without it out; staff can see and reset it."""

import pytest
from django.test import Client

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.test_two_factor import code_at, enable_two_factor, frozen_clock  # noqa: F401 - the fixture
from accounts.two_factor.admin_form import CODE_MISSING, CODE_WRONG, TWO_FACTOR_REQUIRED
from accounts.two_factor.models import RecoveryCode, TOTPDevice

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/?next=/admin/"


def admin_sign_in(client, username, password=PASSWORD, code=None, ip="192.0.2.10"):
    form = {"username": username, "password": password}
    if code is not None:
        form["otp_code"] = code
    return client.post(ADMIN_LOGIN, form, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture
def staff(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


def test_the_sign_in_page_has_a_code_field(client):
    page = client.get(ADMIN_LOGIN).content.decode()
    assert 'name="otp_code"' in page and 'autocomplete="one-time-code"' in page


def test_staff_without_two_factor_sign_in_with_the_password(client, staff):
    assert admin_sign_in(client, "boss").status_code == 302
    assert signed_in(client)


def test_the_password_alone_is_not_enough_with_two_factor(frozen, client, staff):
    secret, _ = enable_two_factor(staff)
    # when: no code
    response = admin_sign_in(client, "boss")
    # then: the form again, asking for it
    assert response.status_code == 200
    assert CODE_MISSING in response.content.decode()
    assert not signed_in(client)
    # a wrong code
    wrong = f"{(int(code_at(secret)) + 1) % 1_000_000:06d}"
    response = admin_sign_in(client, "boss", code=wrong)
    assert response.status_code == 200 and CODE_WRONG in response.content.decode()
    assert not signed_in(client)
    # the right code
    assert admin_sign_in(client, "boss", code=code_at(secret)).status_code == 302
    assert signed_in(client)


def test_an_admin_code_is_accepted_once(frozen, staff):
    secret, _ = enable_two_factor(staff)
    code = code_at(secret)
    assert admin_sign_in(Client(), "boss", code=code).status_code == 302
    replay = admin_sign_in(Client(), "boss", code=code)
    assert replay.status_code == 200 and CODE_WRONG in replay.content.decode()


def test_a_recovery_code_signs_in_to_the_admin_once(staff):
    _, codes = enable_two_factor(staff)
    assert admin_sign_in(Client(), "boss", code=codes[0]).status_code == 302
    assert admin_sign_in(Client(), "boss", code=codes[0]).status_code == 200
    assert RecoveryCode.objects.filter(user=staff, used_at__isnull=True).count() == 9


def test_a_wrong_password_never_reaches_the_code(frozen, client, staff):
    secret, _ = enable_two_factor(staff)
    response = admin_sign_in(client, "boss", password="not the password", code=code_at(secret))
    assert response.status_code == 200 and CODE_MISSING not in response.content.decode()
    assert TOTPDevice.objects.get(user=staff).last_step == 0  # the code is still good
    assert admin_sign_in(client, "boss", code=code_at(secret)).status_code == 302


def test_admin_codes_are_rate_limited_per_account(frozen, staff, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "mfa_account": "2/15m"}
    secret, _ = enable_two_factor(staff)
    for n in range(2):
        assert admin_sign_in(Client(), "boss", code="aaaaa-aaaaa", ip=f"192.0.2.{n}").status_code == 200
    limited = admin_sign_in(Client(), "boss", code=code_at(secret), ip="192.0.2.50")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1


def test_required_two_factor_keeps_staff_without_it_out(client, staff, settings):
    settings.TMS_ADMIN_REQUIRE_2FA = True
    response = admin_sign_in(client, "boss")
    assert response.status_code == 200
    assert TWO_FACTOR_REQUIRED in response.content.decode()
    assert "Enable it in the TMS web app" in TWO_FACTOR_REQUIRED
    assert not signed_in(client)


def test_required_two_factor_lets_staff_with_it_in(frozen, client, staff, settings):
    settings.TMS_ADMIN_REQUIRE_2FA = True
    secret, _ = enable_two_factor(staff)
    assert admin_sign_in(client, "boss", code=code_at(secret)).status_code == 302
    assert signed_in(client)


def test_required_two_factor_ends_admin_use_of_sessions_without_it(client, staff, settings):
    client.force_login(staff)  # signed in before the setting was turned on
    assert signed_in(client)
    settings.TMS_ADMIN_REQUIRE_2FA = True
    assert not signed_in(client)


def test_non_staff_learn_nothing_about_two_factor(frozen, client, settings):
    settings.TMS_ADMIN_REQUIRE_2FA = True
    user = UserFactory(username="plain")
    secret, _ = enable_two_factor(user)
    response = admin_sign_in(client, "plain", code=code_at(secret))
    assert response.status_code == 200
    page = response.content.decode()
    assert CODE_MISSING not in page and TWO_FACTOR_REQUIRED not in page
    assert TOTPDevice.objects.get(user=user).last_step == 0


def test_staff_see_who_has_two_factor_and_can_reset_it(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    lost = UserFactory(username="lostphone")
    enable_two_factor(lost)
    UserFactory(username="nophone")
    for _ in range(5):
        enable_two_factor(UserFactory())
    # the list says who has it, in a fixed number of queries (not one per row)
    with django_assert_max_num_queries(6):
        page = client.get("/admin/accounts/user/").content.decode()
    assert "2FA enabled" in page
    # when: the reset action
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [lost.pk]}, follow=True
    )
    # then
    assert response.status_code == 200
    assert "Reset two-factor sign-in of 1 user(s)." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert not RecoveryCode.objects.filter(user=lost).exists()
