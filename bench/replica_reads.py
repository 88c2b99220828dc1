"""The task list with and without its reads on a read replica, in one run: `python -m bench.replica_reads`.

Starts a MariaDB primary and asynchronous replica (scripts/replication.py), migrates and seeds
the primary (bench.seed: `--users` users with `--tasks` tasks each), and then serves TMS under
gunicorn twice with the same workers: first with the primary alone, then with
TMS_DB_REPLICA_URL set. Each time wrk sends GET /api/tasks/ (bench/wrk/tms.lua's list, one signed-in
user per connection, nobody writing: no user is pinned to the primary) and the run reports
requests/s, latency and the CPU time each database server spent per request. The shared cache is
Redis when one answers (TMS_BENCH_REDIS_URL, default the tests' 127.0.0.1:6379/15), as in
production, where the read-your-writes check costs a cache round trip per read; else each
worker's own memory. Prints one JSON line per variant and a Markdown table (docs/performance.md).

Both servers share this machine's cores: the replica takes reads off the primary, it cannot add
cores here. What carries over to production is the primary's CPU per request, which drops to
(almost) nothing for these reads, and the cost the router adds to a request.
"""

# ruff: noqa: S603 - runs the bench seeder with this Python

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import replication  # noqa: E402

from bench.measure import _children  # noqa: E402
from bench.measure import _tree as measure_tree  # noqa: E402
from bench.run import wrk, wrk_result  # noqa: E402
from bench.seed import PASSWORD  # noqa: E402
from tests.support.server import GunicornServer, api, base_env, manage  # noqa: E402
from tests.support.services import REDIS_URL, reachable  # noqa: E402


def cpu_seconds(*pids: int) -> float:
    """User and system CPU time of these processes so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pid_of(process: subprocess.Popen | None) -> int:
    if process is None:
        sys.exit("bench: a server is not running")
    return process.pid


def selects(pair: replication.ReplicatedPair) -> dict[str, int]:
    """SELECT statements each server has run so far (its Com_select)."""
    return {
        server.name: int(server.status("Com_select").get("com_select", 0))
        for server in (pair.primary, pair.replica)
    }


def sign_in(base: str, pair: replication.ReplicatedPair, count: int, path: Path) -> None:
    """One line per wrk connection: a signed-in bench user and their task ids (bench/wrk/tms.lua)."""
    lines = []
    for index in range(count):
        username = f"bench-{index:06d}"
        status, _, body = api("POST", f"{base}/api/auth/login/", {"username": username, "password": PASSWORD})
        if status != 200:
            sys.exit(f"bench: signing in {username} failed: {status} {body}")
        owner = body["user"]["id"]
        rows = pair.primary.query(
            "SELECT id FROM tasks WHERE owner_id = %s ORDER BY id LIMIT 400", owner, database=pair.database
        )
        ids = ",".join(str(row[0]) for row in rows)
        lines.append(f"{username} {PASSWORD} {body['access']} {body['refresh']} {owner} {ids}")
    path.write_text("\n".join(lines) + "\n")


def measure(
    pair: replication.ReplicatedPair, env: dict[str, str], args: argparse.Namespace, folder: Path, name: str
) -> dict[str, Any]:
    data = folder / f"{name}.users"
    with GunicornServer(env, workers=args.workers, log_path=folder / f"{name}.log") as server:
        server.warm_up()
        sign_in(server.url, pair, args.concurrency, data)
        wrk_result(wrk(server.url, "list", args.warmup, args.concurrency, data))
        pids = {
            "service": measure_tree(pid_of(server.process), _children()),
            "primary": [pid_of(pair.primary.process)],
            "replica": [pid_of(pair.replica.process)],
        }
        before = {role: cpu_seconds(*group) for role, group in pids.items()}
        selects_before = selects(pair)
        result = wrk_result(wrk(server.url, "list", args.duration, args.concurrency, data))
        after = {role: cpu_seconds(*group) for role, group in pids.items()}
        selects_after = selects(pair)
    requests = max(result["requests"], 1)
    errors = sum(result["errors"].values())
    return {
        "variant": name,
        "requests_per_s": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "latency_ms": {key: round(result["latency_us"][key] / 1000, 1) for key in ("p50", "p90", "p99")},
        "errors": errors,
        "cpu_ms_per_request": {
            role: round((after[role] - before[role]) * 1000 / requests, 3) for role in pids
        },
        "selects_per_request": {
            role: round((selects_after[role] - selects_before[role]) / requests, 2) for role in selects_after
        },
        "workers": args.workers,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        (
            "| list reads on | requests/s | p50 ms | p90 ms | p99 ms | service CPU ms/req "
            "| SELECTs/req primary, replica | DB CPU ms/req primary, replica | errors |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for r in results:
        cpu, selects, latency = r["cpu_ms_per_request"], r["selects_per_request"], r["latency_ms"]
        lines.append(
            f"| {r['variant']} | {r['requests_per_s']} | {latency['p50']} | {latency['p90']} "
            f"| {latency['p99']} | {cpu['service']} | {selects['primary']}, {selects['replica']} "
            f"| {cpu['primary']}, {cpu['replica']} | {r['errors']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8, help="bench users (one per wrk connection)")
    parser.add_argument("--tasks", type=int, default=2000, help="tasks per user")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, the same for both")
    parser.add_argument("--concurrency", type=int, default=4, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds per variant")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="each variant this often, taking turns")
    args = parser.parse_args()
    args.concurrency = min(args.concurrency, args.users)
    if absent := replication.missing():
        sys.exit(f"bench: a MariaDB primary and replica need Debian's {', '.join(absent)}")
    folder = Path(tempfile.mkdtemp(prefix="tms-bench-replica-"))
    pair = replication.ReplicatedPair()
    try:
        pair.start()
        primary = base_env(DATABASE_URL=pair.primary_url())
        migrated = manage("migrate", "--no-input", env=primary, timeout=600)
        if migrated.returncode != 0:
            sys.exit(f"bench: migrate failed:\n{migrated.stdout}\n{migrated.stderr}")
        seed = [sys.executable, "-m", "bench.seed", f"--users={args.users}", f"--tasks-per-user={args.tasks}"]
        subprocess.run(seed, cwd=ROOT, env=primary, check=True)
        pair.wait_caught_up(timeout=120)
        common = {
            "DATABASE_URL": pair.primary_url(),
            "TMS_ACCESS_TOKEN_SECONDS": "3600",
            "TMS_RATELIMIT_ENABLE": "false",
        }
        redis = os.environ.get("TMS_BENCH_REDIS_URL", REDIS_URL)
        if reachable(redis):
            common["REDIS_URL"] = redis
        variants = {
            "primary": base_env(**common),
            "replica": base_env(**common, TMS_DB_REPLICA_URL=pair.replica_url()),
        }
        results = [
            measure(pair, env, args, folder, name)
            for _ in range(args.rounds)
            for name, env in variants.items()
        ]
    finally:
        pair.close()
    for result in results:
        result["cache"] = "redis" if "REDIS_URL" in common else "local memory"
        print(json.dumps(result), flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
