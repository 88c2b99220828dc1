"""Rate limits: per client IP and per account, checked before any password is hashed."""

import pytest

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"


@pytest.fixture
def limits(settings):
    def _set(**rates):
        settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, **rates}

    return _set


def attempt(client, username="ada", password="wrong password!", ip="203.0.113.7", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip, **headers
    )


def assert_limited(response, window_seconds: int = 15 * 60):
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= window_seconds
    assert f"{response['Retry-After']} seconds" in error["message"]


def test_login_is_limited_per_ip_before_hashing(anonymous_client, limits, hash_calls):
    limits(login_ip="3/m")
    UserFactory(username="ada")
    statuses = [attempt(anonymous_client).status_code for _ in range(3)]
    verifies = hash_calls()["verify"]
    # when
    limited = attempt(anonymous_client)
    # then
    assert statuses == [401, 401, 401]
    assert_limited(limited)
    assert hash_calls()["verify"] == verifies  # no hash for the refused attempt
    # another address is unaffected
    assert attempt(anonymous_client, ip="198.51.100.1").status_code == 401


def test_login_is_limited_per_account_across_addresses_and_names(anonymous_client, limits):
    limits(login_account_all="3/h")
    UserFactory(username="ada", email="ada@example.com")
    # three failures from three addresses, under three spellings of the account
    for ip, name in [("192.0.2.1", "ada"), ("192.0.2.2", "ADA"), ("192.0.2.3", "ada@example.com")]:
        assert attempt(anonymous_client, username=name, ip=ip).status_code == 401
    # then even the right password is refused for now, from any client that never signed in
    assert_limited(attempt(anonymous_client, password=PASSWORD, ip="192.0.2.4"), window_seconds=3600)


def test_successful_logins_do_not_spend_the_account_budget(anonymous_client, limits):
    limits(login_account="2/15m", login_account_all="2/h", login_device="2/15m")
    UserFactory(username="ada")
    for _ in range(4):
        assert attempt(anonymous_client, password=PASSWORD).status_code == 200


def test_limited_answers_do_not_reveal_whether_the_account_exists(anonymous_client, limits, monkeypatch):
    limits(login_account="1/15m")
    monkeypatch.setattr("tms_project.ratelimit.time.time", lambda: 1_700_000_000.5)  # one moment
    UserFactory(username="ada")
    attempt(anonymous_client, username="ada")
    attempt(anonymous_client, username="ghost")
    # when both are limited
    known, unknown = attempt(anonymous_client, username="ada"), attempt(anonymous_client, username="ghost")
    # then they read the same, down to when to try again
    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"]
    assert known.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_spoofed_forwarded_for_cannot_reset_the_counter(anonymous_client, limits, settings):
    # given one trusted proxy (the ingress) that appends the real client address
    settings.TMS_TRUSTED_PROXIES = 1
    limits(login_ip="2/m")
    proxy = "10.0.0.5"
    for n in range(2):
        spoof = f"1.2.3.{n}, 203.0.113.7"
        assert attempt(anonymous_client, ip=proxy, HTTP_X_FORWARDED_FOR=spoof).status_code == 401
    # when the attacker changes what it writes in front of its real address
    assert_limited(attempt(anonymous_client, ip=proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7"))
    # a different real client behind the same proxy still gets in
    assert attempt(anonymous_client, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 401


def test_forwarded_for_is_ignored_without_trusted_proxies(anonymous_client, limits):
    limits(login_ip="2/m")
    for n in range(2):
        attempt(anonymous_client, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    assert_limited(attempt(anonymous_client, HTTP_X_FORWARDED_FOR="5.6.7.8"))


@pytest.mark.parametrize(
    ("limit", "url", "payload"),
    [
        ("register_ip", "/api/auth/register/", {"username": "x", "email": "bad", "password": "p"}),
        ("reset_ip", "/api/auth/password/reset/", {"email": "someone@example.com"}),
        ("refresh_ip", "/api/auth/refresh/", {"refresh": "not.a.token"}),
        ("reset_ip", "/api/auth/password/reset/confirm/", {"uid": "MQ", "token": "x", "new_password": "p"}),
    ],
)
def test_public_endpoints_are_limited_per_ip(anonymous_client, limits, limit, url, payload):
    limits(**{limit: "2/m"})
    for _ in range(2):
        assert anonymous_client.post(url, payload, format="json").status_code != 429
    assert_limited(anonymous_client.post(url, payload, format="json"))


def test_reset_mails_are_limited_per_address(anonymous_client, limits, user):
    limits(reset_account="2/h")
    for n in range(2):
        anonymous_client.post(
            "/api/auth/password/reset/", {"email": user.email}, format="json", REMOTE_ADDR=f"192.0.2.{n}"
        )
    response = anonymous_client.post(
        "/api/auth/password/reset/", {"email": user.email}, format="json", REMOTE_ADDR="192.0.2.9"
    )
    assert_limited(response, window_seconds=3600)


def test_password_guessing_through_account_deletion_is_limited(authed, limits):
    limits(password_account="2/15m")
    for _ in range(2):
        assert (
            authed.delete("/api/auth/me/", {"password": "guess guess guess"}, format="json").status_code
            == 400
        )
    assert_limited(authed.delete("/api/auth/me/", {"password": PASSWORD}, format="json"))


def test_admin_login_is_limited(client, limits):
    limits(admin_login_ip="2/m")
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "admin", "password": "guess"})
        assert response.status_code == 200  # the form again, with an error
    limited = client.post("/admin/login/", {"username": "admin", "password": "guess"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1


def test_when_the_limit_store_is_down_logins_fail_closed_with_503(anonymous_client, settings, user):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = attempt(anonymous_client, username=user.username, password=PASSWORD)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
