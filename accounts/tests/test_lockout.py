"""Wrong passwords from elsewhere cannot lock the owner out; guessing stays expensive."""

import pytest
from django.conf import settings as django_settings

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
WRONG = "wrong password!"


@pytest.fixture
def limits(settings):
    def _set(**rates):
        settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, **rates}

    return _set


def sign_in(client, password=WRONG, ip="203.0.113.7", username="ada"):
    return client.post(LOGIN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", email="ada@example.com")


@pytest.fixture
def owners_browser(ada):
    """The owner's client, which signed in once before and so holds a device cookie."""
    from rest_framework.test import APIClient

    client = APIClient()
    assert sign_in(client, PASSWORD, ip="198.51.100.10").status_code == 200
    assert django_settings.TMS_DEVICE_COOKIE_NAME in client.cookies
    return client


def test_an_attacker_spending_the_account_budget_does_not_lock_out_a_known_device(
    anonymous_client, ada, owners_browser, limits
):
    limits(login_account="3/15m", login_account_all="5/h")
    # given a guessing run from many addresses that exhausts the account-wide budget
    for n in range(5):
        assert sign_in(anonymous_client, ip=f"192.0.2.{n}").status_code == 401
    assert sign_in(anonymous_client, PASSWORD, ip="192.0.2.99").status_code == 429  # no cookie: refused
    # when the owner signs in from the browser that signed in before
    response = sign_in(owners_browser, PASSWORD, ip="198.51.100.10")
    # then
    assert response.status_code == 200


def test_one_address_guessing_does_not_lock_out_the_owner_elsewhere(anonymous_client, ada, limits):
    limits(login_account="3/15m")
    for _ in range(3):
        assert sign_in(anonymous_client, ip="192.0.2.1").status_code == 401
    assert sign_in(anonymous_client, PASSWORD, ip="192.0.2.1").status_code == 429
    # a client at another address, even one that never signed in, is not locked out
    assert sign_in(anonymous_client, PASSWORD, ip="198.51.100.20").status_code == 200


def test_a_known_device_has_a_budget_of_its_own(owners_browser, limits):
    limits(login_device="3/15m")
    for _ in range(3):
        assert sign_in(owners_browser, ip="198.51.100.10").status_code == 401
    limited = sign_in(owners_browser, PASSWORD, ip="198.51.100.10")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1


def test_a_device_cookie_counts_only_for_the_account_it_was_issued_to(
    anonymous_client, owners_browser, limits
):
    limits(login_account_all="2/h")
    UserFactory(username="bob")
    # ada's cookie does not give bob's guessers a budget of their own
    for _ in range(2):
        assert sign_in(owners_browser, username="bob", ip=f"192.0.2.{_}").status_code == 401
    assert sign_in(owners_browser, username="bob", ip="192.0.2.50").status_code == 429


def test_a_forged_device_cookie_is_ignored(anonymous_client, ada, limits):
    limits(login_account_all="2/h")
    anonymous_client.cookies[django_settings.TMS_DEVICE_COOKIE_NAME] = f"{ada.pk}:made-up"
    for n in range(2):
        assert sign_in(anonymous_client, ip=f"192.0.2.{n}").status_code == 401
    assert sign_in(anonymous_client, PASSWORD, ip="192.0.2.9").status_code == 429


def test_the_device_cookie_is_httponly_and_strict(anonymous_client, ada):
    response = sign_in(anonymous_client, PASSWORD)
    cookie = response.cookies[django_settings.TMS_DEVICE_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) == django_settings.TMS_DEVICE_COOKIE_DAYS * 86400
    assert response["Cache-Control"].count("no-store") == 1
