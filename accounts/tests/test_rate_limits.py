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
    assert response["Retry-After"] == "2"


def test_when_the_limit_store_is_down_the_admin_sign_in_fails_closed_with_503(client, settings, user):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == "2"


# --- Budgets that hold for an office behind one address (accounts/tests/test_office_limits.py) ---


def test_credential_stuffing_from_one_address_is_stopped(anonymous_client, limits):
    limits(login_ip_failed="3/5m")
    for n in range(4):
        UserFactory(username=f"person{n}")
    # one guess per account, each a different account, from one address
    statuses = [attempt(anonymous_client, username=f"person{n}").status_code for n in range(3)]
    assert statuses == [401, 401, 401]
    assert_limited(attempt(anonymous_client, username="person3"), window_seconds=5 * 60)
    # another address is unaffected
    assert attempt(anonymous_client, username="person3", ip="198.51.100.1").status_code == 401


def test_successful_sign_ins_do_not_spend_the_address_failure_budget(anonymous_client, limits):
    limits(login_ip_failed="2/5m")
    for n in range(5):
        UserFactory(username=f"person{n}")
    for n in range(5):
        assert attempt(anonymous_client, username=f"person{n}", password=PASSWORD).status_code == 200
    # the budget is whole: two wrong passwords still answer 401
    assert [attempt(anonymous_client, username="person0").status_code for _ in range(2)] == [401, 401]


def test_every_sign_in_from_one_address_counts_against_its_ceiling(anonymous_client, limits):
    limits(login_ip="3/5m")
    for n in range(4):
        UserFactory(username=f"person{n}")
    for n in range(3):
        assert attempt(anonymous_client, username=f"person{n}", password=PASSWORD).status_code == 200
    assert_limited(attempt(anonymous_client, username="person3", password=PASSWORD), window_seconds=5 * 60)


def test_a_run_stopped_for_one_account_does_not_spend_its_address_budget(limits):
    from rest_framework.test import APIClient

    limits(login_account="3/15m", login_ip_failed="5/5m")
    UserFactory(username="director")
    UserFactory(username="colleague")
    guesser = APIClient()
    statuses = [attempt(guesser, username="director").status_code for _ in range(30)]
    assert statuses == [401] * 3 + [429] * 27
    # the 27 refused attempts tried no password and were given back to the address's budget
    assert attempt(APIClient(), username="colleague", password=PASSWORD).status_code == 200


def test_a_known_device_is_not_counted_against_its_address(limits):
    from rest_framework.test import APIClient

    limits(login_ip_failed="2/5m")
    UserFactory(username="ada")
    UserFactory(username="person")
    known = APIClient()
    assert attempt(known, password=PASSWORD).status_code == 200  # gets its device cookie
    # someone at the same address spends the address's budget on another account
    stranger = APIClient()
    for _ in range(2):
        attempt(stranger, username="person")
    assert attempt(stranger, username="person").status_code == 429
    # ada's browser signs in all the same, even after a typo (its own device budget)
    assert attempt(known).status_code == 401
    assert attempt(known, password=PASSWORD).status_code == 200


def sign_in_for_tokens(username: str, ip: str = "203.0.113.7") -> dict:
    from rest_framework.test import APIClient

    response = attempt(APIClient(), username=username, password=PASSWORD, ip=ip)
    assert response.status_code == 200
    return response.json()


def refresh(client, token, ip="203.0.113.7"):
    return client.post("/api/auth/refresh/", {"refresh": token}, format="json", REMOTE_ADDR=ip)


def test_refresh_is_limited_per_session_not_per_address(anonymous_client, limits):
    limits(refresh_session="3/5m")
    UserFactory(username="ada")
    UserFactory(username="grace")
    looping, other = sign_in_for_tokens("ada")["refresh"], sign_in_for_tokens("grace")["refresh"]
    for _ in range(3):
        response = refresh(anonymous_client, looping)
        assert response.status_code == 200
        looping = response.json()["refresh"]
    # the session's budget follows it through rotation
    assert_limited(refresh(anonymous_client, looping), window_seconds=5 * 60)
    # another session behind the same address refreshes
    assert refresh(anonymous_client, other).status_code == 200


def test_sign_out_counts_against_the_session(anonymous_client, limits):
    limits(refresh_session="1/5m")
    UserFactory(username="ada")
    tokens = sign_in_for_tokens("ada")
    rotated = refresh(anonymous_client, tokens["refresh"]).json()["refresh"]
    response = anonymous_client.post("/api/auth/logout/", {"refresh": rotated}, format="json")
    assert_limited(response, window_seconds=5 * 60)


def test_a_forged_token_cannot_spend_a_session_s_budget(anonymous_client, limits):
    import jwt

    limits(refresh_session="2/5m")
    UserFactory(username="ada")
    token = sign_in_for_tokens("ada")["refresh"]
    # the session id is a small number: anyone can write it into a token they sign themselves
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "a key of 32 bytes or more, not the server's", algorithm="HS256")
    for _ in range(5):
        assert refresh(anonymous_client, forged).status_code == 401
    # the forgeries were refused before they were counted: the session refreshes
    assert refresh(anonymous_client, token).status_code == 200


def test_admin_wrong_passwords_are_limited_per_address_over_every_account(client, limits):
    limits(admin_login_ip_failed="2/5m")
    for name in ("admin", "root"):
        response = client.post("/admin/login/", {"username": name, "password": "guess"})
        assert response.status_code == 200  # the form again, with an error
    limited = client.post("/admin/login/", {"username": "staff", "password": "guess"})
    assert limited.status_code == 429
