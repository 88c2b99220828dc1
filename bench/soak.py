"""`make reliability`'s soak: TMS under a steady mixed load at about half its capacity, ten minutes long.

Starts the production topology `make bench` uses (scripts/stack.py on free
ports, database tms_soak, production settings), seeds 100,000 tasks, measures
the capacity for the mixed workload of bench/wrk/tms.lua (list, retrieve,
create, update, complete, stats and refresh by weight, each connection one
signed-in user) with wrk unpaced for 15 seconds, then paces the same mix at
half of that for `--minutes`. Every 30 seconds it reads the RSS of each
service's gunicorn master and workers and what the ingress answered. Fails on
any error answer or socket error, on a worker that was replaced, and when a
service's RSS grew by 5% or more from the end of the first minute to the end.
Results: build/bench/soak.md and soak.json. See docs/reliability.md.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

from bench import measure, report, run, soak_report

STATUS = re.compile(r'" (\d{3}) ')  # nginx's combined log: "GET /path HTTP/1.1" 200 ...
KEPT_LINES = 20  # log lines of errors kept for the report


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="minutes of paced load, warm-up included")
    parser.add_argument("--warmup", type=int, default=60, help="seconds before memory's starting point")
    parser.add_argument("--rate", type=float, help="requests/s to hold (default: half the probe's)")
    parser.add_argument("--probe", type=int, default=15, help="seconds of unpaced load measuring capacity")
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks in the table")
    parser.add_argument("--tasks-per-user", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=12, help="wrk connections (one user each)")
    parser.add_argument("--sample", type=int, default=30, help="seconds between memory samples")
    parser.add_argument("--max-growth", type=float, default=5.0, help="RSS growth allowed per service, %%")
    parser.add_argument("--keep", action="store_true", help="leave the stack and database tms_soak running")
    parser.add_argument("--out", default=str(run.ROOT / "build" / "bench"), help="where results are written")
    arguments = parser.parse_args()
    if arguments.minutes * 60 < arguments.warmup + arguments.sample:
        parser.error("--minutes must leave at least one --sample interval after the --warmup")
    return arguments


class LogTail:
    """The lines a log gained since the last read (whole lines only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def lines(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as log:
            log.seek(self.offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line being written waits for the next read
        self.offset += len(complete)
        return complete.decode(errors="replace").splitlines()


def ingress_answers(lines: list[str]) -> dict:
    """Requests the ingress answered and its error answers (status ≥ 400), the first few of them whole."""
    statuses = [(int(found[1]), line) for line in lines if (found := STATUS.search(line))]
    errors = [line for status, line in statuses if status >= 400]
    return {"requests": len(statuses), "errors": len(errors), "error_lines": errors[:KEPT_LINES]}


def sample_times(seconds: int, every: int, warmup: int) -> list[int]:
    """From the start every `every` seconds, at the end of the warm-up, and just before the load ends."""
    end = max(seconds - 3, 0)
    return sorted({*range(0, end, every), warmup, end})


def sample(conf: dict, at: float, ingress: LogTail) -> dict:
    pids = measure.processes(conf)
    return {
        "t": round(at, 1),
        "memory": measure.memory(conf),
        "pids": {role: pids[role] for role in soak_report.SERVICES},
        "ingress": ingress_answers(ingress.lines()),
    }


def soak(base: str, conf: dict, args: argparse.Namespace, data: Path, rate: float, seconds: int) -> dict:
    """Pace the mix at `rate` for `seconds`, sampling memory; wrk's summary and the samples."""
    interval_ms = args.concurrency / rate * 1000
    logs = Path(conf["state"]) / "logs"
    ingress, ingress_errors = LogTail(logs / "nginx-access.log"), LogTail(logs / "nginx-error.log")
    before = measure.snapshot(conf)
    pacing = {"TMS_BENCH_INTERVAL_MS": f"{interval_ms:.3f}"}
    process = run.wrk(base, "mixed", seconds, args.concurrency, data, pacing)
    started = time.monotonic()
    samples = []
    for at in sample_times(seconds, args.sample, args.warmup):
        time.sleep(max(started + at - time.monotonic(), 0))
        if process.poll() is not None:
            break
        samples.append(sample(conf, time.monotonic() - started, ingress))
        print(soak_report.sample_line(samples[-1], samples[-2] if len(samples) > 1 else None), flush=True)
    result = run.wrk_result(process, timeout=seconds + 120)
    after = measure.snapshot(conf)
    result.update(measure.per_request(before, after, "tasks", result), interval_ms=interval_ms)
    # What nginx said about its upstreams explains most error answers (resets, timeouts).
    return {"soak": result, "samples": samples, "ingress_error_log": ingress_errors.lines()[:KEPT_LINES]}


def main() -> int:
    args = options()
    run.require_tools()
    seconds = round(args.minutes * 60)
    # The tokens are issued before the probe and must outlive the whole run.
    extra = run.configure_stack("soak", access_token_seconds=max(3600, seconds + 900))
    extra["tasks"].pop("DJANGO_SETTINGS_MODULE")  # production settings as they are, no baseline views
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = out / "soak-users.txt"
    with run.own_stack(extra, keep=args.keep) as (conf, base):
        # gunicorn settings from the environment reach the services (scripts/stack.py)
        settings = [
            f"{name}={value}" for name, value in sorted(os.environ.items()) if name.startswith("GUNICORN_")
        ]
        command = " ".join([*settings, "python -m bench.soak", *sys.argv[1:]])
        results: dict = {"machine": measure.machine(conf), "args": vars(args), "command": command}
        users = max(args.tasks // args.tasks_per_user, args.concurrency)
        results["seed_s"] = run.seed(conf, extra, users, args.tasks_per_user, 0)
        results["users"] = users
        results["tasks_before"] = measure.count_tasks(conf)
        print(f"soak: {results['tasks_before']:,} tasks; capacity probe, {args.probe} s unpaced", flush=True)
        run.write_users(base, conf, args.concurrency, data)
        probe = run.wrk_result(run.wrk(base, "mixed", args.probe, args.concurrency, data))
        probe.update(
            rps=probe["requests"] / (probe["duration_us"] / 1e6), errors_total=sum(probe["errors"].values())
        )
        results["probe"] = probe
        results["target_rps"] = args.rate or probe["rps"] / 2
        print(
            f"soak: capacity {probe['rps']:.1f} req/s (errors {probe['errors_total']}); "
            f"holding {results['target_rps']:.1f} req/s for {args.minutes:g} min",
            flush=True,
        )
        run.write_users(base, conf, args.concurrency, data)  # the probe rotated the refresh tokens
        for service in soak_report.SERVICES:
            measure.wait_idle(conf, service)
        results.update(soak(base, conf, args, data, results["target_rps"], seconds))
        results["tasks_after"] = measure.count_tasks(conf)
    return report.publish(out, "soak", results, soak_report.markdown(results), soak_report.checks(results))


if __name__ == "__main__":
    sys.exit(main())
