"""The database goes away under load and comes back: TMS degrades to 503s and recovers by itself.

A MariaDB of the test's own is stopped while clients list and create tasks
against two gunicorn workers. Liveness must stay green (restarting pods would
not bring the database back), readiness must drop within 5 seconds, every API
answer during the outage must be the documented 503 error body — never a 500,
never HTML — and once the database is back requests must succeed within 10
seconds from the same worker processes, without a restart.
"""

import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

import pytest

from tests.support.server import GunicornServer, http, register_and_login, wait_for

pytestmark = pytest.mark.server

PASSWORD = "outage passphrase 42"
READY_FLIPS_WITHIN = 5.0
RECOVERS_WITHIN = 10.0
API_CLIENTS = 3


@dataclass(frozen=True)
class Answer:
    kind: str  # list, create, healthz, readyz
    started: float
    finished: float
    status: int  # 0: no HTTP answer at all
    headers: dict[str, str]
    body: object
    request_id: str

    @property
    def ok(self) -> bool:
        return self.status in (200, 201)


@pytest.fixture
def server(tmp_path, mariadb_env):
    env = mariadb_env()
    with GunicornServer(env, workers=2, log_path=tmp_path / "gunicorn.log") as running:
        running.warm_up()
        yield running


def call(kind: str, method: str, url: str, body: dict | None = None, token: str | None = None) -> Answer:
    request_id = f"{kind}-{uuid.uuid4().hex}"
    headers = {"X-Request-ID": request_id, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = json.dumps(body).encode() if body is not None else None
    started = time.monotonic()
    try:
        status, response_headers, raw = http(method, url, body=payload, headers=headers)
    except (OSError, HTTPException) as error:
        return Answer(kind, started, time.monotonic(), 0, {}, repr(error), request_id)
    decoded: object = json.loads(raw) if raw[:1] == b"{" else raw
    return Answer(kind, started, time.monotonic(), status, response_headers, decoded, request_id)


class Traffic:
    """Clients listing and creating tasks, and probes polling /healthz and /readyz, until stopped."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.answers: list[Answer] = []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._api_client, args=(n,)) for n in range(API_CLIENTS)]
        self.threads += [threading.Thread(target=self._probe, args=(path,)) for path in ("healthz", "readyz")]

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _api_client(self, n: int) -> None:
        count = 0
        while not self.stopped.is_set():
            self.answers.append(call("list", "GET", f"{self.url}/api/tasks/", token=self.token))
            title = f"client {n} task {count}"
            self.answers.append(
                call("create", "POST", f"{self.url}/api/tasks/", {"title": title}, self.token)
            )
            count += 1
            time.sleep(0.05)

    def _probe(self, path: str) -> None:
        while not self.stopped.is_set():
            self.answers.append(call(path, "GET", f"{self.url}/{path}"))
            time.sleep(0.1)

    def of(self, *kinds: str) -> list[Answer]:
        return sorted((a for a in list(self.answers) if a.kind in kinds), key=lambda a: a.started)


def worker_pid_of(log_path: Path) -> dict[str, int]:
    """request id -> pid of the worker that answered it, from the JSON request log."""
    pids = {}
    for line in log_path.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("message") == "request" and "request_id" in entry:
                pids[entry["request_id"]] = entry["pid"]
    return pids


def assert_service_unavailable(answer: Answer) -> None:
    assert answer.status == 503, answer
    assert answer.headers.get("Content-Type", "").startswith("application/json"), answer
    assert isinstance(answer.body, dict), answer
    error = answer.body["error"]
    assert error["status"] == 503 and error["code"] == "service_unavailable", answer
    assert error["message"] and error["request_id"] == answer.request_id, answer
    assert answer.headers.get("Retry-After"), answer


def test_database_outage_degrades_to_503_and_recovers_without_restarts(tmp_path, mariadb, server):
    tokens = register_and_login(server.url, "outage", PASSWORD)
    with Traffic(server.url, tokens["access"]) as traffic:
        # given: both workers serving the load
        time.sleep(2)
        # when: the database stops
        stop_issued = time.monotonic()
        mariadb.stop()
        database_down = time.monotonic()
        readyz_failed = wait_for(
            lambda: any(a.status == 503 for a in traffic.of("readyz") if a.started >= stop_issued),
            READY_FLIPS_WITHIN + 5,
        )
        time.sleep(2)  # the outage lasts a while under load
        login = call(
            "login", "POST", f"{server.url}/api/auth/login/", {"username": "outage", "password": PASSWORD}
        )
        register = call(
            "register",
            "POST",
            f"{server.url}/api/auth/register/",
            {"username": "newcomer", "email": "newcomer@example.com", "password": PASSWORD},
        )
        # and comes back
        start_issued = time.monotonic()
        mariadb.start()
        database_up = time.monotonic()

        def recovered_for_a_second() -> bool:
            after = [a for a in traffic.of("list", "create") if a.started >= start_issued]
            failures = [a.finished for a in after if not a.ok]
            since = max(failures, default=start_issued)
            later = [a for a in after if a.started > since]
            return time.monotonic() - since >= 1 and {a.kind for a in later if a.ok} == {"list", "create"}

        wait_for(recovered_for_a_second, RECOVERS_WITHIN + 5)
    answers = traffic.of("list", "create", "healthz", "readyz")
    api_answers = [a for a in answers if a.kind in ("list", "create")]

    # then: liveness never wavered
    healthz = traffic.of("healthz")
    assert healthz and all(a.status == 200 for a in healthz), [a for a in healthz if a.status != 200]

    # readiness failed within 5 seconds of the stop, and for as long as the database was down
    assert readyz_failed
    first_not_ready = next(a for a in traffic.of("readyz") if a.started >= stop_issued and a.status == 503)
    ready_flipped_after = first_not_ready.finished - stop_issued
    assert ready_flipped_after <= READY_FLIPS_WITHIN
    during = [a for a in traffic.of("readyz") if a.started >= database_down and a.finished <= start_issued]
    assert during and all(a.status == 503 for a in during)
    assert all(a.body["checks"]["database"] == "failed" for a in during)

    # every API answer of the outage was the documented 503 body; none was ever a 500 or HTML
    outage = [a for a in api_answers if a.started >= database_down and a.finished <= start_issued]
    assert len(outage) >= 10, f"only {len(outage)} API calls fell in the outage"
    for answer in outage:
        assert_service_unavailable(answer)
    for answer in api_answers:
        assert answer.ok or answer.status == 503, answer
        if not answer.ok:
            assert_service_unavailable(answer)
    assert all(a.ok for a in api_answers if a.finished < stop_issued)
    # signing in and signing up need the database too: the same 503
    assert_service_unavailable(login)
    assert_service_unavailable(register)

    # once the database is back, requests succeed within 10 seconds
    after_restart = [a for a in api_answers if a.started >= start_issued]
    last_failure = max((a.finished for a in after_restart if not a.ok), default=start_issued)
    first_success = min(a.finished for a in after_restart if a.ok and a.started >= last_failure)
    recovered_after = first_success - start_issued
    assert recovered_after <= RECOVERS_WITHIN
    settled = [a for a in after_restart if a.started > last_failure]  # all succeeded, by definition
    assert {a.kind for a in settled} == {"list", "create"}
    readyz_back = [a for a in traffic.of("readyz") if a.started >= start_issued and a.status == 200]
    assert readyz_back and readyz_back[0].finished - start_issued <= RECOVERS_WITHIN

    # served by the very worker processes that served before the outage: nothing restarted
    pid_of = worker_pid_of(server.log_path)
    before = {pid_of[a.request_id] for a in api_answers if a.finished < stop_issued}
    after = {pid_of[a.request_id] for a in settled}
    assert len(before) == 2 and after == before
    booted = [line for line in server.log_path.read_text().splitlines() if "Booting worker" in line]
    assert len(booted) == 2, booted

    print(
        f"\nreadyz 503 {ready_flipped_after:.2f}s after the stop"
        f" (database gone after {database_down - stop_issued:.2f}s);"
        f" {len(outage)} API calls during the outage, all 503 JSON;"
        f" database answering {database_up - start_issued:.2f}s after the start,"
        f" requests succeed again after {recovered_after:.2f}s;"
        f" {len(api_answers)} API calls, {sum(a.ok for a in api_answers)} ok; workers {sorted(before)}"
    )


def test_a_frozen_database_gives_503_in_seconds_and_liveness_holds(tmp_path, mariadb, mariadb_env):
    """A database that stops answering without closing connections (host frozen, partition)."""
    env = mariadb_env(
        TMS_DB_READ_TIMEOUT="2",
        TMS_DB_WRITE_TIMEOUT="2",
        GUNICORN_THREADS="4",  # as in the cluster: one stuck request does not block the probes
    )
    with GunicornServer(env, workers=1, log_path=tmp_path / "gunicorn.log") as running:
        tokens = register_and_login(running.url, "frozen", PASSWORD)
        assert call("list", "GET", f"{running.url}/api/tasks/", token=tokens["access"]).ok
        os.kill(mariadb.process.pid, signal.SIGSTOP)
        try:
            # when: requests arrive while the database hangs
            with ThreadPoolExecutor(max_workers=3) as pool:
                stuck = [
                    pool.submit(call, "list", "GET", f"{running.url}/api/tasks/", None, tokens["access"]),
                    pool.submit(
                        call, "create", "POST", f"{running.url}/api/tasks/", {"title": "t"}, tokens["access"]
                    ),
                ]
                time.sleep(0.5)
                healthz = call("healthz", "GET", f"{running.url}/healthz")
                answers = [future.result(timeout=60) for future in stuck]
        finally:
            os.kill(mariadb.process.pid, signal.SIGCONT)
        # then: liveness answered at once, and the stuck requests failed as 503 JSON within seconds
        assert healthz.status == 200 and healthz.finished - healthz.started < 1
        for answer in answers:
            assert_service_unavailable(answer)
            assert answer.finished - answer.started < 10, answer.finished - answer.started
        # and once the database answers again, so does TMS
        assert wait_for(
            lambda: call("list", "GET", f"{running.url}/api/tasks/", token=tokens["access"]).ok,
            RECOVERS_WITHIN,
        )
