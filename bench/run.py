"""`make bench`: TMS under load through its ingress, next to baselines, at 10,000 and 1,000,000 tasks.

Starts its own stack (scripts/stack.py: MariaDB, Redis, auth and task services
under gunicorn with production settings, nginx ingress) on free ports and a
database of its own, seeds it, drives every endpoint with wrk
(bench/wrk/tms.lua) and reports requests/s, latency percentiles, errors, SQL
statements and CPU time per request, and memory per worker and per pod.
list_shared is the list of a member of 20 shared projects (bench.seed's
--members), compared with the personal list in the same run; list_pat is the
personal list through a personal access token (tasks:read) instead of a JWT,
the cost of its per-request lookup.
`--smoke` runs every endpoint for a second on a small table and fails on any
error response (part of `make test`). See docs/performance.md.
"""
# ruff: noqa: S603 - a command-line tool that runs wrk

import argparse
import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import stack  # noqa: E402

from bench import components, measure, profile, report  # noqa: E402
from bench.seed import MEMBER_PREFIX, PASSWORD, project_count  # noqa: E402
from tests.support.server import api, free_port  # noqa: E402

LUA = ROOT / "bench" / "wrk" / "tms.lua"
# (mode, service that answers it, baseline it is compared with)
ENDPOINTS = [
    ("json", "tasks", None),
    ("raw_read", "tasks", None),
    ("list", "tasks", "raw_read"),
    ("list_shared", "tasks", "list"),  # a member of shared projects; sent by other users (members.txt)
    ("list_pat", "tasks", "list"),  # the same list through a personal access token (a row read per request)
    ("list_filtered", "tasks", "raw_read"),
    ("retrieve", "tasks", "raw_read"),
    ("stats", "tasks", "raw_read"),
    ("login", "auth", "hasher"),
    ("refresh", "auth", "json"),
    ("raw_insert", "tasks", None),
    ("create", "tasks", "raw_insert"),
    ("update", "tasks", "raw_insert"),
    ("complete", "tasks", "raw_insert"),
]
BASELINE_ROUTES = "    location /bench/ { proxy_pass http://tasks; }\n"


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds; fail on any error response")
    parser.add_argument("--tasks", type=int, default=1_000_000, help="tasks in the table for the main run")
    parser.add_argument("--small", type=int, default=10_000, help="tasks in the table for the first list run")
    parser.add_argument("--tasks-per-user", type=int, default=500)
    parser.add_argument(
        "--shared-projects", type=int, default=20, help="projects each list_shared user is a member of"
    )
    parser.add_argument("--project-tasks", type=int, default=25, help="tasks in each shared project")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--concurrency", type=int, default=12, help="wrk connections (one user each)")
    parser.add_argument("--login-concurrency", type=int, default=4, help="connections for login (CPU-bound)")
    modes = [mode for mode, _, _ in ENDPOINTS]
    parser.add_argument("--only", type=lambda text: text.split(","), help="comma-separated endpoints to run")
    parser.add_argument(
        "--profile", type=lambda text: text.split(","), default=[], help="endpoints to sample with py-spy"
    )
    parser.add_argument("--keep", action="store_true", help="leave the stack and database running")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"), help="where results are written")
    arguments = parser.parse_args()
    unknown = {*(arguments.only or []), *arguments.profile} - set(modes)
    if unknown:
        parser.error(f"unknown endpoint(s) {', '.join(sorted(unknown))}; known: {', '.join(modes)}")
    if arguments.smoke:
        arguments.tasks, arguments.small, arguments.tasks_per_user = 2_000, 1_000, 250
        arguments.duration, arguments.warmup, arguments.concurrency = 1, 0, 4
        arguments.login_concurrency = 2
    return arguments


def require_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx") if not measure.which(tool)]
    if missing:
        sys.exit(f"bench: needs {' and '.join(missing)} (Debian: apt-get install {' '.join(missing)})")


def configure_stack(name: str, access_token_seconds: int = 3600) -> dict:
    """Point scripts/stack.py at a stack of its own: .stack-<name>/, database tms_<name>, free ports."""
    os.environ["TMS_STACK_DIR"] = str(ROOT / f".stack-{name}")
    os.environ["TMS_STACK_DATABASE"] = f"tms_{name.replace('-', '_')}"
    for part in ("INGRESS", "AUTH", "TASKS", "WORKER"):
        os.environ[f"TMS_STACK_{part}_PORT"] = str(free_port())
    # Every request comes from 127.0.0.1: limits stay on (their Redis round trips
    # are part of the cost) but high enough never to refuse the load.
    unlimited = {
        f"TMS_RATELIMIT_{limit}": "100000000/m"
        for limit in ("LOGIN_IP", "LOGIN_ACCOUNT", "REFRESH_IP", "REFRESH_SESSION", "TOKENS_CREATE")
    }
    # Each bench user sends far more than a person would: the task service's per-user limits stay
    # on too, just as high.
    unlimited_tasks = {
        f"TMS_RATELIMIT_TASKS_{limit}": "100000000/m"
        for limit in ("WRITE", "BULK", "IMPORT", "EXPORT", "STATS")
    }
    common = {"TMS_ACCESS_TOKEN_SECONDS": str(access_token_seconds)}
    # No mail server on this machine; the load sends no mail (production refuses the console otherwise).
    mail = {"TMS_ALLOW_CONSOLE_EMAIL": "true"}
    return {
        "auth": {**unlimited, **common, **mail},
        "tasks": {**unlimited_tasks, **common, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    }


@contextlib.contextmanager
def own_stack(
    extra: dict[str, Any], extra_routes: str = "", keep: bool = False
) -> Iterator[tuple[dict[str, Any], str]]:
    """The stack configure_stack chose, on an empty database; stopped and dropped afterwards unless `keep`."""
    conf = stack.settings()
    measure.sql(conf, f"DROP DATABASE IF EXISTS `{conf['database']}`", database=None)
    stack.start(extra, extra_routes)
    try:
        yield conf, f"http://127.0.0.1:{conf['ingress_port']}"
    finally:
        if not keep:
            stack.stop()
            measure.sql(conf, f"DROP DATABASE IF EXISTS `{conf['database']}`", database=None)


def seed(conf: dict, extra: dict, users: int, per_user: int, first: int, *more: str) -> float:
    """Run bench.seed (`more`: its further options) and refresh the statistics the optimizer plans by."""
    started = time.monotonic()
    env = stack.service_env(conf, "tasks", Path(conf["state"]), extra)
    options = ["--users", str(users), "--tasks-per-user", str(per_user), "--first", str(first), *more]
    subprocess.run([sys.executable, "-m", "bench.seed", *options], cwd=ROOT, env=env, check=True)
    tables = "tasks, tasks_labels, labels, users, projects, project_members, task_assignees"
    measure.sql(conf, f"ANALYZE TABLE {tables}")
    return time.monotonic() - started


def shared_tasks(args: argparse.Namespace) -> int:
    """Tasks the list_shared users add: their Inboxes and their shared projects."""
    projects = project_count(args.concurrency, args.shared_projects)
    return args.concurrency * args.tasks_per_user + projects * args.project_tasks


def personal_token(base: str, access: str, username: str) -> str:
    """A new tasks:read personal access token of the user signed in with `access`."""
    body = {"name": "bench", "scopes": ["tasks:read"], "password": PASSWORD}
    status, _, made = api("POST", f"{base}/api/auth/tokens/", body, token=access)
    if status != 201:
        sys.exit(f"bench: making an access token for {username} failed: {status} {made}")
    return str(made["token"])


def write_users(
    base: str, conf: dict, count: int, path: Path, prefix: str = "bench", with_token: bool = False
) -> None:
    """Sign in `count` bench users; one line per wrk thread (see bench/wrk/tms.lua). `with_token`
    adds a personal access token to each line (list_pat)."""
    lines = []
    for index in range(count):
        username = f"{prefix}-{index:06d}"
        status, _, body = api("POST", f"{base}/api/auth/login/", {"username": username, "password": PASSWORD})
        if status != 200:
            sys.exit(f"bench: signing in {username} failed: {status} {body}")
        owner = body["user"]["id"]
        ids = measure.sql(
            conf,
            "SELECT id FROM tasks WHERE owner_id = %s AND trashed_at IS NULL ORDER BY id LIMIT 400",
            [owner],
        )
        id_list = ",".join(str(row[0]) for row in ids)
        line = f"{username} {PASSWORD} {body['access']} {body['refresh']} {owner} {id_list}"
        if with_token:
            line += f" {personal_token(base, body['access'], username)}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n")


def wrk(
    base: str, mode: str, seconds: int, concurrency: int, data: Path, env: dict | None = None
) -> subprocess.Popen:
    """Start wrk with bench/wrk/tms.lua in `mode`; `env` adds settings for the script."""
    command = [
        "wrk",
        f"-t{concurrency}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base,
    ]
    env = {**os.environ, "TMS_BENCH_MODE": mode, "TMS_BENCH_DATA": str(data), **(env or {})}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_result(process: subprocess.Popen, timeout: float = 600) -> dict:
    output, _ = process.communicate(timeout=timeout)
    for line in output.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    sys.exit(f"bench: wrk gave no result:\n{output}")


def run_endpoint(
    base: str, conf: dict[str, Any], mode: str, service: str, args: argparse.Namespace, data: Path
) -> dict[str, Any]:
    # A login is ~0.3 s of CPU: a few connections saturate the cores, and a longer run
    # keeps the requests cut off at its end a small share.
    concurrency = args.login_concurrency if mode == "login" else args.concurrency
    duration = args.duration * 3 if mode == "login" else args.duration
    if args.warmup:
        if mode == "refresh":
            write_users(base, conf, concurrency, data)
        wrk_result(wrk(base, mode, args.warmup, concurrency, data))
    if mode == "refresh":
        write_users(base, conf, concurrency, data)  # the warm-up rotated the refresh tokens
    measure.wait_idle(conf, service)  # requests wrk gave up on must not bill this run
    profiler = None
    if mode in args.profile:
        worker = measure.processes(conf)[service][1]  # the master comes first, then its workers
        profiler = profile.record(worker, max(duration - 1, 1), Path(args.out) / f"profile-{mode}.raw")
    before = measure.snapshot(conf)
    process = wrk(base, mode, duration, concurrency, data)
    time.sleep(duration / 2)
    memory = measure.memory(conf)
    result = wrk_result(process)
    after = measure.snapshot(conf)
    costs = measure.per_request(before, after, service, result)
    result.update(mode=mode, service=service, concurrency=concurrency, memory=memory, **costs)
    print(report.line(result), flush=True)
    if profiler:
        profiler.wait(timeout=120)
        raw = Path(args.out) / f"profile-{mode}.raw"
        summary = components.budget(raw, result["cpu_ms"]["service"]) + "\n" + profile.summarize(raw)
        (Path(args.out) / f"profile-{mode}.md").write_text(summary)
        print(summary)
    return result


def _hash_for(seconds: float, encoded: str, counter: "Synchronized[int]") -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from django.contrib.auth.hashers import check_password

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        check_password(PASSWORD, encoded)
        with counter.get_lock():
            counter.value += 1


def hasher_alone(seconds: float) -> dict:
    """Password checks per second with every core busy doing nothing else (the login ceiling)."""
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from django.contrib.auth.hashers import BCryptSHA256PasswordHasher

    encoded = BCryptSHA256PasswordHasher().encode(PASSWORD, BCryptSHA256PasswordHasher().salt())
    counter = multiprocessing.Value("i", 0)
    workers = [
        multiprocessing.Process(target=_hash_for, args=(seconds, encoded, counter))
        for _ in range(os.cpu_count() or 1)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return {
        "mode": "hasher",
        "rps": counter.value / elapsed,
        "checks": counter.value,
        "processes": len(workers),
    }


def main() -> int:
    args = options()
    require_tools()
    extra = configure_stack("bench-smoke" if args.smoke else "bench")
    # A fresh stack has no older auth pod to read its refresh tokens: sign them as a new
    # installation (or one past an upgrade's second step) does (docs/release.md, "Token formats").
    extra["auth"]["TMS_REFRESH_TOKEN_SIGNING"] = "hmac"  # noqa: S105 - a way of signing, no secret
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data, members = out / "users.txt", out / "members.txt"
    with own_stack(extra, BASELINE_ROUTES, keep=args.keep) as (conf, base):
        results: dict = {"machine": measure.machine(conf), "args": vars(args), "runs": {}}
        small_users = max(args.small // args.tasks_per_user, args.concurrency)
        results["seed_small_s"] = seed(conf, extra, small_users, args.tasks_per_user, 0)
        write_users(base, conf, args.concurrency, data)
        results["tasks_small"] = measure.count_tasks(conf)
        print(f"bench: {results['tasks_small']:,} tasks; list at this size", flush=True)
        for mode in ("list", "list_filtered"):
            results["runs"][f"{mode}@small"] = run_endpoint(base, conf, mode, "tasks", args, data)
        # At least one more user: the shared projects' owners are users no wrk connection signs in as.
        large_users = max((args.tasks - shared_tasks(args)) // args.tasks_per_user - small_users, 1)
        results["seed_large_s"] = seed(
            conf,
            extra,
            large_users,
            args.tasks_per_user,
            small_users,
            *("--members", str(args.concurrency), "--owners-first", str(args.concurrency)),
            *("--projects-per-member", str(args.shared_projects)),
            *("--tasks-per-project", str(args.project_tasks)),
        )
        results["tasks_large"] = measure.count_tasks(conf)
        print(f"bench: {results['tasks_large']:,} tasks; every endpoint", flush=True)
        write_users(base, conf, args.concurrency, data, with_token=True)
        write_users(base, conf, args.concurrency, members, MEMBER_PREFIX)
        if not args.smoke:
            results["runs"]["hasher"] = hasher_alone(args.duration)
        for mode, service, _ in ENDPOINTS:
            if not args.only or mode in args.only:
                users = members if mode == "list_shared" else data
                results["runs"][mode] = run_endpoint(base, conf, mode, service, args, users)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    errors = {mode: run["errors_total"] for mode, run in results["runs"].items() if run.get("errors_total")}
    print("\n".join(report.comparisons(results["runs"], ENDPOINTS)))
    if args.smoke or args.only:
        count = len(results["runs"])
        print(f"bench: {count} endpoint runs through the ingress, error responses: {errors or 'none'}")
        return 1 if errors else 0
    (out / "results.md").write_text(report.markdown(results, ENDPOINTS))
    print(report.markdown(results, ENDPOINTS))
    print(f"bench: results in {out}/results.md and results.json")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
