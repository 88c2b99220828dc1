"""Workers and the whole server die mid-request; no acknowledged task is lost or doubled.

Clients create tasks concurrently, each logical task with its own
Idempotency-Key, retrying the same key and body on connection errors and 5xx
until a 201 arrives (docs/api.md, "Idempotent create"). Meanwhile one worker is
killed with SIGKILL, later the master and all its workers, and a fresh server
starts on the same port. Afterwards the database holds every acknowledged task
exactly once, under the id its client was given, and nothing else.
"""

import contextlib
import http.client
import os
import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.server import GunicornServer, api, register_and_login, wait_for

pytestmark = pytest.mark.server

PASSWORD = "crash passphrase 1234"
CLIENTS = 6
TASK_DEADLINE = 30.0  # seconds a client keeps retrying one logical task


@dataclass
class LogicalTask:
    key: str
    title: str
    attempts: int = 0
    task_id: int | None = None
    replayed: bool = False
    transport_errors: int = 0
    retried_statuses: list[int] = field(default_factory=list)
    refused_with: object = None  # an answer no retry can fix


class Clients:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.tasks: list[LogicalTask] = []
        self.stopped = threading.Event()
        self.abandoned = threading.Event()  # the test failed: stop retrying too
        self.threads = [threading.Thread(target=self._client, args=(n,)) for n in range(CLIENTS)]

    def __enter__(self) -> "Clients":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is not None:
            self.abandoned.set()
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=TASK_DEADLINE + 15)

    def _client(self, n: int) -> None:
        count = 0
        while not self.stopped.is_set():
            key = str(uuid.uuid4())
            task = LogicalTask(key=key, title=f"client {n} task {count} {key[:8]}")
            self.tasks.append(task)
            self._create_until_acknowledged(task)
            count += 1
            time.sleep(0.02)

    def _create_until_acknowledged(self, task: LogicalTask) -> None:
        deadline = time.monotonic() + TASK_DEADLINE
        headers = {"Idempotency-Key": task.key}
        body = {"title": task.title, "description": "created under fire"}
        while time.monotonic() < deadline and not self.abandoned.is_set():
            task.attempts += 1
            try:
                status, response_headers, answer = api(
                    "POST", f"{self.url}/api/tasks/", body, token=self.token, headers=headers
                )
            except (OSError, http.client.HTTPException):
                task.transport_errors += 1
                time.sleep(0.05)
                continue
            if status == 201:
                task.task_id = answer["id"]
                task.replayed = response_headers.get("Idempotent-Replayed") == "true"
                return
            if status >= 500 or status == 409:  # 409: the same key is still in flight elsewhere
                task.retried_statuses.append(status)
                time.sleep(0.05)
                continue
            task.refused_with = (status, answer)
            return


def worker_pids(master_pid: int) -> set[int]:
    """Live children of the gunicorn master, from /proc."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == master_pid and state not in ("Z", "X"):
            pids.add(int(entry.name))
    return pids


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie holds no sockets any more


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def env(mariadb_env):
    return mariadb_env()


def test_no_acknowledged_task_is_lost_or_doubled_when_processes_are_killed(tmp_path, mariadb, env):
    with GunicornServer(env, workers=2, log_path=tmp_path / "first.log") as first:
        first.warm_up()
        tokens = register_and_login(first.url, "crash", PASSWORD)
        clients = Clients(first.url, tokens["access"])
        with clients:
            # given: clients creating tasks on two workers
            time.sleep(1.5)
            master = first.process.pid
            # when: one worker dies mid-request; the master replaces it
            victim = min(worker_pids(master))
            kill(victim)
            respawned = wait_for(
                lambda: len(worker_pids(master)) == 2 and victim not in worker_pids(master), 15
            )
            time.sleep(1.5)
            # and then the master and its workers die together
            workers = worker_pids(master)
            kill(master)
            for pid in workers:
                kill(pid)
            first.process.wait(timeout=10)
            assert wait_for(lambda: all(gone(pid) for pid in workers), 10)
            time.sleep(1)  # clients meet a closed port for a while
            # and a fresh server starts on the same port; the clients' retries reach it
            with GunicornServer(env, workers=2, log_path=tmp_path / "second.log", port=first.port):
                time.sleep(2)
                clients.stopped.set()
                for thread in clients.threads:
                    thread.join(timeout=TASK_DEADLINE + 15)
                assert not any(thread.is_alive() for thread in clients.threads)

    # then: every logical task was acknowledged once the server was back
    tasks = clients.tasks
    assert respawned, "the master did not replace the killed worker"
    assert [t for t in tasks if t.refused_with is not None] == []
    assert [t for t in tasks if t.task_id is None] == [], "some tasks were never acknowledged"
    assert sum(t.transport_errors for t in tasks) > 0, "the kills should have cut some requests off"
    assert len({t.task_id for t in tasks}) == len(tasks), "two logical tasks were given the same task"

    # and the database holds each acknowledged task exactly once, under the id its client got
    [(owner_id,)] = mariadb.execute("SELECT id FROM users WHERE username = %s", "crash", database="tms")
    rows = mariadb.execute("SELECT id, title FROM tasks WHERE owner_id = %s", owner_id, database="tms")
    titles = Counter(title for _, title in rows)
    assert [title for title, count in titles.items() if count > 1] == [], "duplicate tasks"
    assert dict(rows) == {t.task_id: t.title for t in tasks}
    keys = mariadb.execute(
        "SELECT `key`, status_code, JSON_VALUE(response, '$.id') FROM idempotency_keys WHERE owner_id = %s",
        owner_id,
        database="tms",
    )
    assert Counter(key for key, _, _ in keys) == Counter(t.key for t in tasks), "a key is missing or doubled"
    assert {key: (status, int(task_id)) for key, status, task_id in keys} == {
        t.key: (201, t.task_id) for t in tasks
    }

    retried = [t for t in tasks if t.attempts > 1]
    print(
        f"\n{len(tasks)} logical tasks by {CLIENTS} clients, all acknowledged and present once;"
        f" {len(retried)} needed retries ({sum(t.transport_errors for t in tasks)} connection errors,"
        f" statuses retried: {dict(Counter(s for t in tasks for s in t.retried_statuses))});"
        f" {sum(t.replayed for t in tasks)} answered by replay"
    )
