"""`make failover-test`: TMS on a real 3-node Galera cluster loses its writing node under load.

Starts the cluster and HAProxy of scripts/galera.py (every write to one node), migrates, and runs
the auth and task services (gunicorn, production-like threads) against HAProxy. Clients sign in
and keep reading (the list, single tasks) and writing (creates with an Idempotency-Key, edits with
If-Match, each retried after Retry-After until acknowledged), recording every acknowledged write.
Then the writing node is killed (SIGKILL), the load goes on through the failover, the node is
started again (it rejoins by a full state transfer from the node that is not writing), and the
load goes on a little longer. Checks:

- no answer 500, nor any answer that is not JSON; every error a 503 with Retry-After;
- errors only in the failover window (none before the kill, none after the window closed, none
  while the old writer rejoins); the window, first error to last error, is reported;
- every acknowledged write readable on every node, as acknowledged, and no write made twice;
- TMS writes through one node only: before the kill only the first writer's count of transactions
  committed for its clients (wsrep_local_commits) grows, after it only the new writer's.

Everything runs on 127.0.0.1 and stops by itself in about a minute; every process is stopped by its
PID and the temporary folder removed, also when it fails (TMS_FAILOVER_LOGS=folder keeps the logs).
Prints a JSON report and exits 1 when a check failed, 2 when galera-4, mariadb-server, haproxy or
rsync is missing (docs/reliability.md).
"""

import json
import os
import random
import shutil
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import galera  # noqa: E402

from tests.support.server import GunicornServer, api, base_env, manage  # noqa: E402
from tms_project.jwt_keys import write_key_pair  # noqa: E402

DATABASE = "tms"
WRITERS = 3  # clients writing, each as its own account
READERS = 2
BEFORE_KILL = 8.0  # seconds of load before the kill
AFTER_FAILOVER = 6.0  # seconds of load once the cluster has evicted the node
AFTER_REJOIN = 4.0
WINDOW_LIMIT = 20.0  # no error may come later than this after the kill
REQUEST_TIMEOUT = 30.0
# Transactions with writes that a node committed for its own clients (not those it applied from
# the others, which its Com_insert and the like count too).
WRITE_COUNTERS = ("wsrep_local_commits",)


@dataclass
class Answer:
    kind: str
    started: float
    finished: float
    status: int  # 0: no HTTP answer
    retry_after: str | None
    json: bool


@dataclass
class Load:
    auth: str
    tasks: str
    tokens: list[str]
    stop: threading.Event = field(default_factory=threading.Event)
    answers: list[Answer] = field(default_factory=list)
    acknowledged: dict[int, str] = field(default_factory=dict)  # task id -> title acknowledged last
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(
        self, kind: str, method: str, url: str, token: str, body: Any = None, headers: dict | None = None
    ) -> tuple[int, dict, Any]:
        started = time.monotonic()
        try:
            status, response_headers, decoded = _api(method, url, body, token, headers)
        except OSError as error:
            status, response_headers, decoded = 0, {}, repr(error)
        answer = Answer(
            kind,
            started,
            time.monotonic(),
            status,
            response_headers.get("Retry-After"),
            isinstance(decoded, (dict, list)),
        )
        with self.lock:
            self.answers.append(answer)
        return status, response_headers, decoded

    def wait_retry(self, headers: dict) -> None:
        try:
            seconds = float(headers.get("Retry-After", "1"))
        except ValueError:
            seconds = 1.0
        self.stop.wait(min(seconds, 5.0)) if not self.stop.is_set() else time.sleep(0.5)

    def writer(self, number: int) -> None:
        token = self.tokens[number]
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            key = str(uuid.uuid4())
            title = f"failover {number}-{sequence} {key[:8]}"
            task = self._create(token, title, key)
            if task is None:
                return
            self._edit(token, task, f"{title} edited")
            time.sleep(0.05)

    def _create(self, token: str, title: str, key: str) -> dict | None:
        for _ in range(20):  # retried with the same key until acknowledged
            status, headers, body = self.call(
                "create",
                "POST",
                f"{self.tasks}/api/tasks/",
                token,
                {"title": title},
                {"Idempotency-Key": key},
            )
            if status in (200, 201):
                with self.lock:
                    self.acknowledged[body["id"]] = title
                return body
            self.wait_retry(headers)
        self.problems.append(f"create {title!r} never acknowledged")
        return None

    def _edit(self, token: str, task: dict, title: str) -> None:
        url = f"{self.tasks}/api/tasks/{task['id']}/"
        for _ in range(20):
            status, headers, _ = self.call(
                "edit", "PATCH", url, token, {"title": title}, {"If-Match": f'"{task["version"]}"'}
            )
            if status == 200 or (status == 412 and self._applied(token, url, title)):
                with self.lock:
                    self.acknowledged[task["id"]] = title
                return
            if status == 412:
                self.problems.append(f"edit of {task['id']} refused with 412 and not applied")
                return
            self.wait_retry(headers)
        self.problems.append(f"edit of {task['id']} never acknowledged")

    def _applied(self, token: str, url: str, title: str) -> bool:
        """After a 503 the edit may have been applied: its retry meets 412, and the task has it."""
        for _ in range(10):
            status, headers, body = self.call("retrieve", "GET", url, token)
            if status == 200:
                return body["title"] == title
            self.wait_retry(headers)
        return False

    def reader(self, number: int) -> None:
        token = self.tokens[number % len(self.tokens)]
        while not self.stop.is_set():
            self.call("list", "GET", f"{self.tasks}/api/tasks/?page_size=20", token)
            with self.lock:
                ids = list(self.acknowledged)
            if ids:
                # Someone else's task answers 404, the same work for the database.
                self.call("retrieve", "GET", f"{self.tasks}/api/tasks/{random.choice(ids)}/", token)  # noqa: S311
            time.sleep(0.05)


def _api(method: str, url: str, body: Any, token: str, headers: dict | None) -> tuple[int, dict, Any]:
    from tests.support.server import http

    all_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
    payload = json.dumps(body).encode() if body is not None else None
    status, response_headers, raw = http(
        method, url, body=payload, headers=all_headers, timeout=REQUEST_TIMEOUT
    )
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = raw
    return status, response_headers, decoded


def write_counts(node: galera.Node) -> int | None:
    values = node.status(*WRITE_COUNTERS)
    return sum(int(values[name]) for name in WRITE_COUNTERS) if values else None


def counters(cluster: galera.GaleraCluster) -> dict[str, int | None]:
    return {node.name: write_counts(node) for node in cluster.nodes}


def grown(before: dict, after: dict) -> dict[str, int | None]:
    return {
        name: (after[name] - before[name])
        if after.get(name) is not None and before.get(name) is not None
        else None
        for name in before
    }


def writer_node(cluster: galera.GaleraCluster) -> galera.Node | None:
    """The node HAProxy sends connections to (the only one up)."""
    up = [node for node in cluster.nodes if cluster.proxy_states().get(node.name, "").startswith("UP")]
    return up[0] if len(up) == 1 else None


def start_services(cluster: galera.GaleraCluster, logs: Path) -> list[GunicornServer]:
    private_key, public_key = write_key_pair(cluster.root / "keys")
    common = {
        "DATABASE_URL": cluster.proxy_url(DATABASE),
        "TMS_RATELIMIT_ENABLE": "false",  # one machine's clients, far faster than people
        "GUNICORN_THREADS": "4",
        "TMS_ACCESS_TOKEN_SECONDS": "900",
    }
    auth = GunicornServer(
        base_env(
            TMS_SERVICE="auth",
            TMS_JWT_PRIVATE_KEY_FILE=str(private_key),
            PROMETHEUS_MULTIPROC_DIR=str(cluster.root / "metrics-auth"),
            **common,
        ),
        workers=1,
        log_path=logs / "auth.log",
    )
    tasks = GunicornServer(
        base_env(
            TMS_SERVICE="tasks",
            TMS_JWT_PUBLIC_KEY_FILE=str(public_key),
            PROMETHEUS_MULTIPROC_DIR=str(cluster.root / "metrics-tasks"),
            **common,
        ),
        workers=2,
        log_path=logs / "tasks.log",
    )
    for server in (auth, tasks):
        Path(server.env["PROMETHEUS_MULTIPROC_DIR"]).mkdir()
    started: list[GunicornServer] = []
    try:
        for server in (auth, tasks):
            started.append(server.__enter__())  # noqa: PERF401 - each one stopped if the next fails
    except BaseException:
        for server in started:
            server.__exit__()
        raise
    return started


def sign_in(auth: str) -> list[str]:
    tokens = []
    for number in range(WRITERS):
        username, password = f"failover{number}", "failover passphrase 42"
        body = {"username": username, "email": f"{username}@example.com", "password": password}
        status, _, answer = api("POST", f"{auth}/api/auth/register/", body)
        if status != 201:
            raise RuntimeError(f"register answered {status}: {answer}")
        status, _, answer = api(
            "POST", f"{auth}/api/auth/login/", {"username": username, "password": password}
        )
        if status != 200:
            raise RuntimeError(f"login answered {status}: {answer}")
        tokens.append(answer["access"])
    return tokens


def verify(cluster: galera.GaleraCluster, acknowledged: dict[int, str]) -> dict[str, Any]:
    """Every acknowledged write on every node, as acknowledged, and none twice."""
    found: dict[str, Any] = {}
    for node in cluster.nodes:
        connection = node.connect(DATABASE)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET SESSION wsrep_sync_wait = 1")  # what the cluster committed, applied here
                cursor.execute("SELECT id, title FROM tasks WHERE title LIKE 'failover %%'")
                rows = dict(cursor.fetchall())
                cursor.execute(
                    "SELECT COUNT(*) FROM (SELECT title FROM tasks WHERE title LIKE 'failover %%' "
                    "GROUP BY REPLACE(title, ' edited', '') HAVING COUNT(*) > 1) twice"
                )
                (duplicated,) = cursor.fetchone()
        finally:
            connection.close()
        missing = [task for task in acknowledged if task not in rows]
        different = [task for task, title in acknowledged.items() if task in rows and rows[task] != title]
        found[node.name] = {
            "rows": len(rows),
            "missing": len(missing),
            "different": len(different),
            "made_twice": duplicated,
            "examples": [*missing[:5], *different[:5]],
        }
    return found


def summarize(load: Load, killed_at: float, window_end: float, rejoin_at: float, t0: float) -> dict[str, Any]:
    answers = sorted(load.answers, key=lambda answer: answer.started)
    errors = [answer for answer in answers if answer.status not in (200, 201, 404, 412)]
    statuses: dict[str, int] = {}
    for answer in answers:
        statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
    window = (errors[-1].finished - errors[0].started) if errors else 0.0
    return {
        "requests": len(answers),
        "statuses": statuses,
        "errors": len(errors),
        "answers_500": sum(1 for answer in answers if answer.status >= 500 and answer.status != 503),
        "no_answer": sum(1 for answer in answers if answer.status == 0),
        "not_json": sum(1 for answer in answers if answer.status and not answer.json),
        "errors_without_retry_after": sum(
            1 for answer in errors if answer.status == 503 and not answer.retry_after
        ),
        "errors_before_kill": sum(1 for answer in errors if answer.finished < killed_at),
        "errors_after_window_limit": sum(1 for answer in errors if answer.started > killed_at + WINDOW_LIMIT),
        "errors_during_rejoin": sum(1 for answer in errors if answer.started >= rejoin_at),
        "first_error_s": round(errors[0].started - killed_at, 2) if errors else None,
        "last_error_s": round(errors[-1].finished - killed_at, 2) if errors else None,
        "failover_window_s": round(window, 2),
        "cluster_evicted_s": round(window_end - killed_at, 2),
        # Writes wait, not fail, while the cluster decides the dead node is gone.
        "slowest_answer_s": round(
            max((answer.finished - answer.started for answer in answers), default=0), 2
        ),
        "writes_acknowledged": len(load.acknowledged),
        "edits_acknowledged": sum(1 for title in load.acknowledged.values() if title.endswith(" edited")),
        "creates_attempted": sum(1 for answer in answers if answer.kind == "create"),
        "load_seconds": round(answers[-1].finished - t0, 1) if answers else 0,
        "problems": load.problems[:10],
    }


def database_errors(logs: Path) -> dict[str, Any]:
    """What the services logged: database errors by code, the requests they ran again, and why the
    others were not."""
    codes: dict[str, int] = {}
    not_again: dict[str, int] = {}
    run_again = 0
    for path in logs.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            entry = json.loads(line)
            if entry.get("message") == "database unavailable":
                code = str(entry.get("db_error"))
                codes[code] = codes.get(code, 0) + 1
            elif str(entry.get("message")).endswith("; running the request again"):
                run_again += 1
            elif entry.get("message") == "database error; not running the request again":
                reason = str(entry.get("reason"))
                not_again[reason] = not_again.get(reason, 0) + 1
    return {"database_errors_by_code": codes, "run_again_server_side": run_again, "not_run_again": not_again}


def checks(result: dict[str, Any]) -> list[str]:
    """What failed, in words; empty when the run met every goal."""
    load = result["load"]
    counts = (
        "answers_500",
        "no_answer",
        "not_json",
        "errors_without_retry_after",
        "errors_before_kill",
        "errors_after_window_limit",
        "errors_during_rejoin",
    )
    failed = [f"{name}: {load[name]}" for name in counts if load[name]]
    if load["problems"]:
        failed.append(f"writes not acknowledged: {load['problems']}")
    if load["writes_acknowledged"] < 10:
        failed.append(f"only {load['writes_acknowledged']} writes acknowledged: the load did not run")
    for node, found in result["found"].items():
        if found["missing"] or found["different"] or found["made_twice"]:
            failed.append(f"{node}: {found}")
    one = result["one_writer"]
    if not one["before_kill_ok"] or not one["after_kill_ok"]:
        failed.append(f"writes went through more than one node: {one}")
    return failed


def scenario(cluster: galera.GaleraCluster, logs: Path, timings: dict[str, float]) -> dict[str, Any]:
    t0 = time.monotonic()
    cluster.install()
    first, second, third = cluster.nodes
    timings["first_node_s"] = cluster.start(first, new_cluster=True)
    first.query(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    migrated = manage("migrate", "--noinput", env=base_env(DATABASE_URL=first.url(DATABASE)), timeout=300)
    if migrated.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{migrated.stdout[-2000:]}{migrated.stderr[-2000:]}")
    timings["migrate_s"] = round(time.monotonic() - t0, 1)
    for node in (second, third):
        timings[f"{node.name}_join_s"] = round(cluster.start(node), 1)
    cluster.start_proxy(writer=first)
    cluster.wait(lambda: writer_node(cluster) is first, 30)
    services = start_services(cluster, logs)
    try:
        return _under_load(cluster, services, t0, timings)
    finally:
        for server in services:
            server.__exit__()


def _under_load(
    cluster: galera.GaleraCluster, services: list[GunicornServer], t0: float, timings: dict[str, float]
) -> dict[str, Any]:
    first, second, third = cluster.nodes
    auth, tasks = services
    load = Load(auth.url, tasks.url, sign_in(auth.url))
    threads = [threading.Thread(target=load.writer, args=(n,), daemon=True) for n in range(WRITERS)]
    threads += [threading.Thread(target=load.reader, args=(n,), daemon=True) for n in range(READERS)]
    timings["ready_s"] = round(time.monotonic() - t0, 1)
    at_start = counters(cluster)
    load_started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        time.sleep(BEFORE_KILL)
        before_kill = counters(cluster)
        killed_at = time.monotonic()
        cluster.kill(first)
        cluster.wait(lambda: cluster.cluster_size(second) == 2, 30)
        evicted_at = time.monotonic()
        cluster.wait(lambda: writer_node(cluster) in (second, third), 30)
        new_writer = writer_node(cluster)
        if new_writer is None:
            raise RuntimeError(f"no single writer after the failover: {cluster.proxy_states()}")
        after_kill = counters(cluster)
        time.sleep(AFTER_FAILOVER)
        # The old writer rejoins by a full state transfer from the node that is not writing: an rsync
        # donor is locked and desynced while it sends, and the writer must not be.
        donor = third if new_writer is second else second
        rejoin_at = time.monotonic()
        restart = cluster.restart(first, donor=donor)
        timings["rejoin_s"] = round(restart, 1)
        time.sleep(AFTER_REJOIN)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 10)
    at_end = counters(cluster)
    timings["total_s"] = round(time.monotonic() - t0, 1)
    others = [node.name for node in cluster.nodes if node not in (first, new_writer)]
    growth_before = grown(at_start, before_kill)
    growth_after = grown(after_kill, at_end)
    one_writer = {
        "first_writer": first.name,
        "new_writer": new_writer.name,
        "writes_per_node_before_kill": growth_before,
        "writes_per_node_after_failover": growth_after,
        # Counters start again at 0 on the restarted node: what it shows is what it did since.
        "before_kill_ok": bool(growth_before[first.name])
        and all(growth_before[name] == 0 for name in (second.name, third.name)),
        "after_kill_ok": bool(growth_after[new_writer.name])
        and all(growth_after[name] == 0 for name in others)
        and at_end[first.name] == 0,
    }
    return {
        "load": summarize(load, killed_at, evicted_at, rejoin_at, load_started),
        "found": verify(cluster, load.acknowledged),
        "one_writer": one_writer,
    }


def run() -> dict[str, Any]:
    """The whole scenario; its report, with ``failed`` listing what missed a goal (``skipped``
    naming the missing packages instead when the machine cannot run it)."""
    absent = galera.missing()
    if absent:
        return {"skipped": f"the Galera cluster needs Debian's {', '.join(absent)} (apt-get install)"}
    cluster = galera.GaleraCluster()
    logs = cluster.root / "logs"
    logs.mkdir()
    timings: dict[str, float] = {}
    result: dict[str, Any] = {"timings": timings}
    try:
        result.update(scenario(cluster, logs, timings))
        result["load"].update(database_errors(logs))
        result["failed"] = checks(result)
    except Exception as error:  # the report says what broke, with the logs that explain it
        result["failed"] = [f"{type(error).__name__}: {error}"]
        raise
    finally:
        if os.environ.get("TMS_FAILOVER_LOGS"):  # a folder to keep the services' and HAProxy's logs in
            kept = Path(os.environ["TMS_FAILOVER_LOGS"])
            kept.mkdir(parents=True, exist_ok=True)
            for path in [*logs.glob("*.log"), cluster.root / "haproxy.log"]:
                shutil.copy(path, kept / path.name)
        if result.get("failed"):
            result["logs"] = {
                path.name: path.read_text(errors="replace")[-1500:]
                for path in [*logs.glob("*.log"), cluster.root / "haproxy.log"]
                if path.exists()
            }
        cluster.close()
    return result


def main() -> int:
    result = run()
    print(json.dumps(result, indent=2))
    if "skipped" in result:
        print(f"failover-test: skipped: {result['skipped']}", file=sys.stderr)
        return 2
    load = result["load"]
    print(
        f"failover-test: failover window {load['failover_window_s']} s "
        f"(cluster evicted the node after {load['cluster_evicted_s']} s), "
        f"{load['errors']} errors of {load['requests']} requests, {load['answers_500']} answers 500, "
        f"{load['run_again_server_side']} run again server-side, "
        f"slowest answer {load['slowest_answer_s']} s, "
        f"{load['writes_acknowledged']} writes acknowledged, all found on every node: "
        f"{not any(found['missing'] for found in result['found'].values())}; "
        f"total {result['timings']['total_s']} s",
        file=sys.stderr,
    )
    for failure in result["failed"]:
        print(f"failover-test: FAILED {failure}", file=sys.stderr)
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
