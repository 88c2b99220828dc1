"""Password guessing against two auth servers: the sign-in limits hold, leak nothing, can't be dodged.

Two auth servers model two auth pods: two gunicorn workers each, one database (one SQLite file
here, one MySQL in the cluster) and one Redis. Attempts alternate between them, or race across
both. Each server trusts one proxy, like the ingress: the client's real address is the last one
in X-Forwarded-For, and whatever the client wrote in front of it is forged.

The servers run once for the module; each test uses addresses and account names of its own, so
counters never cross tests. Limits are per day so that no window ends during a run.
"""

import json
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from tests.support.server import GunicornServer, api, base_env, http, manage
from tests.support.services import REDIS_URL, require
from tms_project.jwt_keys import write_key_pair

pytestmark = pytest.mark.server

LIMIT_ADDRESS = 5
LIMIT_ACCOUNT = 3
LIMIT_ADMIN = 3
PASSWORD = "correct horse battery staple"
WRONG = "wrong password, sorry"

# What a client may write into X-Forwarded-For itself; the ingress appends the real address.
FORGED = [
    "10.0.0.1",
    "10.0.0.2, 10.0.0.3",
    "",
    "unknown",
    "not-an-address",
    "::1",
    "127.0.0.1",
    "198.51.100.250",
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    redis_url = require(REDIS_URL, "Redis")
    redis.Redis.from_url(redis_url).flushdb()
    tmp = tmp_path_factory.mktemp("brute-force")
    private_key, _ = write_key_pair(tmp / "keys")
    env = base_env(
        TMS_SERVICE="auth",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        REDIS_URL=redis_url,
        TMS_JWT_PRIVATE_KEY_FILE=str(private_key),
        TMS_SECRET_KEY="brute-force-test-secret-shared-by-both-servers",
        TMS_TRUSTED_PROXIES="1",
        TMS_RATELIMIT_LOGIN_IP=f"{LIMIT_ADDRESS}/d",
        TMS_RATELIMIT_LOGIN_ACCOUNT=f"{LIMIT_ACCOUNT}/d",
        TMS_RATELIMIT_LOGIN_ACCOUNT_ALL=f"{LIMIT_ACCOUNT}/d",
        TMS_RATELIMIT_LOGIN_DEVICE=f"{LIMIT_ACCOUNT}/d",
        TMS_RATELIMIT_ADMIN_LOGIN_IP=f"{LIMIT_ADMIN}/d",
    )
    assert manage("migrate", "--noinput", env=env).returncode == 0
    with (
        GunicornServer(env, workers=2, log_path=tmp / "a.log") as first,
        GunicornServer(env, workers=2, log_path=tmp / "b.log") as second,
    ):
        first.warm_up()
        second.warm_up()
        yield first, second


def url_of(servers, n: int) -> str:
    """The n-th attempt's server: they take turns."""
    return servers[n % 2].url


def login(
    base: str, username: str, *, client: str, forged: str = "", password: str = WRONG, cookie: str = ""
):
    """A sign-in from ``client`` through the ingress, which appends it to what the client forged."""
    headers = {"X-Forwarded-For": f"{forged}, {client}" if forged else client}
    if cookie:
        headers["Cookie"] = cookie
    if forged:  # other headers some proxies trust; TMS must not
        headers.update({"X-Real-IP": forged, "Forwarded": f'for="{forged}"'})
    body = {"username": username, "password": password}
    return api("POST", f"{base}/api/auth/login/", body, headers=headers)


def register(base: str, username: str, *, client: str) -> None:
    body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    status, _, created = api("POST", f"{base}/api/auth/register/", body, headers={"X-Forwarded-For": client})
    assert status == 201, created


def statuses(responses) -> list[int]:
    return [status for status, _, _ in responses]


def assert_throttled(response) -> None:
    status, headers, body = response
    assert status == 429
    assert body["error"]["code"] == "throttled"
    assert 1 <= int(headers["Retry-After"]) <= 86400


def login_pids(servers) -> set[int]:
    pids = set()
    for server in servers:
        for line in Path(server.log_path).read_text().splitlines():
            if line.startswith("{") and '"/api/auth/login/"' in line:
                pids.add(json.loads(line)["pid"])
    return pids


def test_the_address_limit_is_exact_across_two_auth_servers(servers):
    # when one address guesses at ever new account names, at both servers in turn
    responses = [
        login(url_of(servers, n), f"nobody-{n}", client="203.0.113.1") for n in range(LIMIT_ADDRESS + 3)
    ]
    # then exactly the limit's worth of attempts were evaluated, at both servers together
    assert statuses(responses) == [401] * LIMIT_ADDRESS + [429] * 3
    for response in responses[LIMIT_ADDRESS:]:
        assert_throttled(response)
    # and another address is still heard at either server
    assert login(servers[0].url, "nobody-else", client="203.0.113.2")[0] == 401
    assert login(servers[1].url, "nobody-else-2", client="203.0.113.2")[0] == 401


def test_the_account_limit_is_exact_across_two_auth_servers(servers):
    register(servers[0].url, "ada", client="192.0.2.200")
    spellings = ["ada", "ADA", "ada@example.com", " Ada "]
    # when guesses at one account come from ever new addresses, at both servers in turn
    responses = [
        login(url_of(servers, n), spellings[n % 4], client=f"192.0.2.{n}") for n in range(LIMIT_ACCOUNT + 3)
    ]
    # then exactly the limit's worth of failures were evaluated
    assert statuses(responses) == [401] * LIMIT_ACCOUNT + [429] * 3
    for response in responses[LIMIT_ACCOUNT:]:
        assert_throttled(response)
    # and for now even the right password is refused, at either server, for clients that never signed in
    for n, server in enumerate(servers):
        assert_throttled(login(server.url, "ada", client=f"192.0.2.{100 + n}", password=PASSWORD))
    # while another account signs in
    register(servers[1].url, "grace", client="192.0.2.201")
    assert login(servers[0].url, "grace", client="192.0.2.150", password=PASSWORD)[0] == 200


def test_a_device_that_signed_in_before_is_not_locked_out_at_either_server(servers):
    register(servers[0].url, "owner", client="192.0.2.210")
    status, headers, _ = login(servers[0].url, "owner", client="198.51.100.210", password=PASSWORD)
    assert status == 200
    device = re.search(r"(tms_device=[^;]+)", headers["Set-Cookie"]).group(1)
    # when a guessing run from many addresses spends the account's budget
    for n in range(LIMIT_ACCOUNT + 2):
        login(url_of(servers, n), "owner", client=f"192.0.2.{220 + n}")
    assert_throttled(login(servers[1].url, "owner", client="192.0.2.240", password=PASSWORD))
    # then the owner's device still signs in, at both servers
    for server in servers:
        assert login(server.url, "owner", client="198.51.100.210", password=PASSWORD, cookie=device)[0] == 200
    # and a forged device cookie is no way around the limit
    forged = device.rsplit(":", 1)[0] + ":forged"
    assert_throttled(login(servers[0].url, "owner", client="192.0.2.241", password=PASSWORD, cookie=forged))


@pytest.mark.parametrize("target", ["address", "account"])
def test_a_burst_across_both_servers_gets_exactly_the_limit_evaluated(servers, target):
    attempts = 12
    if target == "account":
        register(servers[0].url, "burst", client="192.0.2.202")
        limit = LIMIT_ACCOUNT

        def attempt(n: int):  # one account, every attempt from an address of its own
            return login(url_of(servers, n), "burst", client=f"198.51.100.{n}")

    else:
        limit = LIMIT_ADDRESS

        def attempt(n: int):  # one address, every attempt at an account name of its own
            return login(url_of(servers, n), f"burst-{n}", client="203.0.113.50")

    # when the attempts arrive all at once, at four workers in two servers
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        responses = list(pool.map(attempt, range(attempts)))
    # then no more than the limit were evaluated
    assert Counter(statuses(responses)) == {401: limit, 429: attempts - limit}
    assert len(login_pids(servers)) >= 3, "attempts should have reached several workers"


def test_forged_forwarded_for_does_not_reset_the_address_limit(servers):
    # when one client writes a different forged address in front of its own every time
    responses = [
        login(url_of(servers, n), f"forger-{n}", client="203.0.113.60", forged=FORGED[n % len(FORGED)])
        for n in range(LIMIT_ADDRESS + 3)
    ]
    # then all its attempts count against its real address
    assert statuses(responses) == [401] * LIMIT_ADDRESS + [429] * 3
    # and the addresses it forged are not the ones limited
    assert login(servers[0].url, "forger-victim", client="198.51.100.250")[0] == 401


def test_forged_forwarded_for_does_not_reset_the_account_limit(servers):
    register(servers[1].url, "eve", client="192.0.2.203")
    # when a client guesses at one account writing a different forged address every time
    # (as many attempts as its address may make)
    responses = [
        login(url_of(servers, n), "eve", client="203.0.113.70", forged=FORGED[n % len(FORGED)])
        for n in range(LIMIT_ADDRESS)
    ]
    # then the account's budget is spent all the same
    assert statuses(responses) == [401] * LIMIT_ACCOUNT + [429] * (LIMIT_ADDRESS - LIMIT_ACCOUNT)


def comparable(response) -> tuple:
    """What a client sees, less what differs between any two requests (request id, date)."""
    status, headers, body = response
    error = dict(body["error"])
    error.pop("request_id")
    kept = {name: value for name, value in headers.items() if name not in ("Date", "X-Request-ID")}
    return status, error, kept


def test_answers_do_not_reveal_whether_an_account_exists(servers):
    register(servers[0].url, "known", client="192.0.2.204")

    def both(n: int) -> tuple:
        """The n-th attempt at the existing account and at one that does not exist, each from an
        address of its own, both within one wall-clock second (Retry-After counts whole seconds)."""
        for _ in range(5):
            started = time.time()
            known = login(url_of(servers, n), "known", client=f"198.51.100.{100 + n}")
            unknown = login(url_of(servers, n), "unknown", client=f"198.51.100.{150 + n}")
            if known[0] == 401 or int(started) == int(time.time()):  # only a refusal counts down
                return known, unknown
        pytest.fail("could not make two requests within one second")

    # then every failure before the limit reads the same for both
    for n in range(LIMIT_ACCOUNT):
        known, unknown = both(n)
        assert known[0] == 401
        assert comparable(known) == comparable(unknown)
    # and so does every refusal once both are limited, Retry-After included
    for n in range(LIMIT_ACCOUNT, LIMIT_ACCOUNT + 2):
        known, unknown = both(n)
        assert known[0] == 429
        assert comparable(known) == comparable(unknown)


def admin_form(base: str) -> tuple[str, str]:
    """The admin sign-in page's CSRF cookie and form token."""
    status, headers, page = http("GET", f"{base}/admin/login/")
    assert status == 200
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    return cookie, token


def admin_login(base: str, cookie: str, token: str, *, client: str, forged: str = ""):
    body = f"csrfmiddlewaretoken={token}&username=root&password=guess&next=/admin/".encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
        "X-Forwarded-For": f"{forged}, {client}" if forged else client,
    }
    return http("POST", f"{base}/admin/login/", body=body, headers=headers)


def test_the_admin_login_limit_holds_across_two_auth_servers(servers):
    cookie, token = admin_form(servers[0].url)
    # when one client guesses at both servers in turn, forging a new address each time
    responses = [
        admin_login(url_of(servers, n), cookie, token, client="203.0.113.80", forged=FORGED[n])
        for n in range(LIMIT_ADMIN + 3)
    ]
    # then exactly the limit's worth were evaluated (the form again, with an error)
    assert [status for status, _, _ in responses] == [200] * LIMIT_ADMIN + [429] * 3
    assert b"Please enter the correct username and password" in responses[0][2]
    for _, headers, _ in responses[LIMIT_ADMIN:]:
        assert 1 <= int(headers["Retry-After"]) <= 86400
    # and another client is still heard
    assert admin_login(servers[1].url, cookie, token, client="203.0.113.81")[0] == 200
