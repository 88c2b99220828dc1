"""An office behind one NAT address: the budgets keyed by address admit its crowd and still stop guessing.

1,000 colleagues sign in from one address within five minutes, each refreshes every access token
lifetime for an hour, and a password-guessing run from the same address during the rush is stopped
all the same. The limits are the shipped defaults (tms_project/settings.py, docs/security.md "Rate
limits"); the run is repeated with the counters in Redis, which is where production counts them.

The limiter's clock is simulated (the tests' way of moving time.time), so an hour takes seconds;
tokens keep real time, which changes nothing here (a refresh token lives 14 days, and a refresh
does not look at the access token). The crowd calls the views in-process (no middleware). The
sign-ins and the first round of refreshes are whole; in the eleven rounds after it the refresh view
runs with its limits and its token check, but the rotation (a row locked and written and a new pair
signed, tested in test_refresh_logout.py) hands back the token presented, so that 13,000 requests
take seconds, not minutes.
"""

import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services.sessions import IssuedTokens
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.usernames import username_key
from accounts.views.tokens import LoginView, RefreshView, RegisterView

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.50"  # the office's one public address
PEOPLE = 1_000
ACCESS_SECONDS = 300  # the access token lifetime the settings ship with
NINE = datetime(
    2026, 12, 7, 9, 0, tzinfo=UTC
).timestamp()  # a Monday; starts every window (5 min, 1 min, 1 h)
WRONG = "wrong password!"

_requests = RequestFactory()
_login, _refresh, _register = LoginView.as_view(), RefreshView.as_view(), RegisterView.as_view()


@pytest.fixture(params=["local memory", "redis"])
def counters(request, settings):
    """Where the limits count: each process's memory (the tests' default), or Redis like production.

    In Redis under a prefix of this test's own, removed afterwards key by key: a FLUSHDB (Django's
    cache.clear) would also empty the counters of tests running beside it on the same Redis."""
    from django.core.cache import cache

    if request.param == "local memory":
        cache.clear()
        yield request.param
        cache.clear()
        return
    import redis

    url, prefix = request.getfixturevalue("redis_url"), f"tms-office-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield request.param
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.delete(key)


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock: ``clock(seconds)`` sets it to 9:00 on a Monday plus ``seconds``."""
    now = [NINE]
    monkeypatch.setattr("tms_project.ratelimit.time.time", lambda: now[0])

    def _set(seconds: float) -> None:
        now[0] = NINE + seconds

    return _set


def colleagues(count: int) -> list[str]:
    """``count`` accounts with the test password, made in one statement (one hash for all)."""
    encoded = make_password(PASSWORD)
    names = [f"colleague{n}" for n in range(count)]
    User.objects.bulk_create(
        User(username=name, username_key=username_key(name), email=f"{name}@example.com", password=encoded)
        for name in names
    )
    return names


def post(view, path: str, body: dict, ip: str = OFFICE):
    request = _requests.post(path, json.dumps(body), content_type="application/json", REMOTE_ADDR=ip)
    return view(request)


def sign_in(username: str, password: str = PASSWORD):
    return post(_login, "/api/auth/login/", {"username": username, "password": password})


def refresh(token: str):
    return post(_refresh, "/api/auth/refresh/", {"refresh": token})


def test_settings_ship_the_access_token_lifetime_this_test_refreshes_at():
    assert django_settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] == timedelta(seconds=ACCESS_SECONDS)


def test_a_thousand_colleagues_behind_one_address_sign_in_and_refresh_for_an_hour(
    counters, clock, settings, monkeypatch
):
    settings.TMS_REFRESH_TOKEN_SIGNING = "hmac"
    names = colleagues(PEOPLE)
    director = UserFactory(username="director")
    statuses: Counter[int] = Counter()
    guesses: list[int] = []
    tokens: dict[str, str] = {}
    # when everyone signs in between 9:00 and 9:05, all inside one window of every sign-in budget,
    # while someone at the same address guesses the director's password every 1.5 seconds
    for n, name in enumerate(names):
        clock(n * 0.299)
        response = sign_in(name)
        statuses[response.status_code] += 1
        tokens[name] = response.data.get("refresh", "")
        if n % 5 == 0:
            guesses.append(sign_in(director.username, WRONG).status_code)
    # and each refreshes once its access token has run out (the web app's 401, then refresh), for an hour
    hours_refreshes = 3600 // ACCESS_SECONDS
    presented = [""]

    def rotation_handing_back_the_token(*, claims, user_agent):
        return IssuedTokens(access="", refresh=presented[0], session=None)

    for lifetime in range(1, hours_refreshes + 1):
        if lifetime == 2:  # the first round was whole
            monkeypatch.setattr("accounts.views.tokens.session_refresh", rotation_handing_back_the_token)
        for n, name in enumerate(names):
            clock(n * 0.299 + lifetime * ACCESS_SECONDS + 1)
            presented[0] = tokens[name]
            response = refresh(tokens[name])
            statuses[response.status_code] += 1
            tokens[name] = response.data.get("refresh", "")
    # then nobody was refused: 1,000 sign-ins and 12,000 refreshes answered 200
    assert statuses == {200: PEOPLE * (1 + hours_refreshes)}
    # and the guessing was stopped after the account's budget for that address (login_account, 10/15m)
    assert len(guesses) == PEOPLE // 5
    assert guesses[:10] == [401] * 10
    assert set(guesses[10:]) == {429}


def test_the_guessed_account_s_owner_still_signs_in(counters, clock):
    UserFactory(username="director")

    def browser_sign_in(browser: APIClient, password: str = PASSWORD, ip: str = OFFICE):
        body = {"username": "director", "password": password}
        return browser.post("/api/auth/login/", body, format="json", REMOTE_ADDR=ip)

    known_browser = APIClient()  # hers, which signed in last week and keeps its device cookie
    assert browser_sign_in(known_browser).status_code == 200
    clock(60)
    guesser = APIClient()
    guesses = Counter(browser_sign_in(guesser, WRONG).status_code for _ in range(30))
    assert guesses == {401: 10, 429: 20}
    # from the office, in the browser that signed in before: its device budget is its own
    assert browser_sign_in(known_browser).status_code == 200
    # from home: another address has a budget of its own (until login_account_all, 100/h, is spent)
    assert browser_sign_in(APIClient(), ip="198.51.100.77").status_code == 200
    # from a new browser at the office: refused along with the guesser until the window ends
    assert browser_sign_in(APIClient()).status_code == 429
    clock(15 * 60)
    assert browser_sign_in(APIClient()).status_code == 200


def test_a_class_signs_up_together(counters, clock):
    def sign_up(n: int):
        body = {"username": f"student{n}", "email": f"student{n}@example.com", "password": PASSWORD}
        return post(_register, "/api/auth/register/", body)

    for n in range(100):
        clock(n * 30)  # all within one hour's window
        assert sign_up(n).status_code == 201
    # the 101st from the same address in the same hour is refused (register_ip, 100/h)
    assert sign_up(100).status_code == 429
