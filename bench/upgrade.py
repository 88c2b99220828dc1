"""`make upgrade-test`: a rolling update under load, from an earlier version of TMS to this checkout.

The cluster's topology on this machine (scripts/stack.py: MariaDB, Redis,
nginx as the ingress) with two pods of each backend service, first all running
the old code (by default the parent of the newest commit that changed a
migration: bench/rollout_versions.py). The soak's load runs through the
ingress the whole time (bench/rollout_load.py). Then, as a release does: the
new code's migrations are applied (the migration Job), and each Deployment
rolls the way its manifest says (maxSurge 1, maxUnavailable 0): a new pod
starts, its readiness probe passes, then an old pod is deleted — its preStop
hook creates the drain flag (readiness turns 503) and waits, the endpoints
drop it, SIGTERM, gunicorn finishes what is in flight and exits — until every
pod runs the new code (bench/rollout_pods.py, bench/rollout_endpoints.py).
Afterwards: no request may have failed, every acknowledged write must be in
the database, and the ingress must never have met a stopping pod. The report
goes to build/bench/upgrade.md and upgrade.json; any miss exits with status 1.

`--no-drain` deletes pods without the preStop hook, as the manifests did
before, and must then fail. See docs/reliability.md.
"""

# ruff: noqa: S603 - runs the old code's bench.seed

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import stack  # noqa: E402

from bench import measure, report, rollout_load, rollout_report, rollout_versions, run  # noqa: E402
from bench.rollout_endpoints import Endpoints  # noqa: E402
from bench.rollout_pods import DEPLOYMENTS, Pod, PodSpec, Timeline, kill_group, pod_spec, wait_until  # noqa: E402
from bench.rollout_versions import Code  # noqa: E402
from bench.soak import LogTail  # noqa: E402

PROGRESS_DEADLINE = 600  # seconds a Deployment may go without progress (Kubernetes' default)


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--from",
        dest="from_ref",
        metavar="REF",
        help="the old code: a commit, tag or branch; '.' is this checkout (a restart). "
        "Default: the parent of the newest commit that changed a migration",
    )
    parser.add_argument(
        "--no-drain", action="store_true", help="delete pods without their preStop hook: SIGTERM at once"
    )
    parser.add_argument(
        "--follow",
        choices=["kubernetes", "readiness"],
        default="kubernetes",
        help="what takes a pod out of the ingress: 'kubernetes' (being deleted, or unready, as an "
        "EndpointSlice) or 'readiness' (its readiness probe alone)",
    )
    parser.add_argument(
        "--deployments", type=lambda text: text.split(","), default=["auth", "task"], help="which to roll"
    )
    parser.add_argument("--replicas", type=int, default=2, help="pods per Deployment")
    parser.add_argument("--rate", type=float, default=40, help="requests/s of the load, all users together")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk connections, one signed-in user each")
    parser.add_argument("--tasks-per-user", type=int, default=200)
    parser.add_argument("--before", type=float, default=10, help="seconds of load before the migration")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after the old pods exited")
    parser.add_argument(
        "--sync",
        type=float,
        default=3.0,
        help="seconds between the ingress's endpoint updates (ingress-nginx: at most 0.3 a second)",
    )
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="multiply the probes' timing and the preStop wait"
    )
    parser.add_argument("--ports", default="8100-8199", help="the ingress and the pods listen in this range")
    parser.add_argument("--state", default=str(ROOT / ".stack-upgrade"), help="state, logs and the old code")
    parser.add_argument("--database", default="tms_upgrade")
    parser.add_argument("--keep", action="store_true", help="keep the database and the old code afterwards")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"), help="where the report is written")
    args = parser.parse_args(argv)
    unknown = set(args.deployments) - set(DEPLOYMENTS)
    if unknown:
        parser.error(f"unknown Deployment(s) {', '.join(sorted(unknown))}; known: {', '.join(DEPLOYMENTS)}")
    if not args.database.startswith("tms_"):
        parser.error("--database must start with tms_")
    return args


class Ports:
    """Free ports from a range, each handed out once."""

    def __init__(self, text: str) -> None:
        first, _, last = text.partition("-")
        self.next, self.last = int(first), int(last or first)

    def take(self) -> str:
        while self.next <= self.last:
            port, self.next = str(self.next), self.next + 1
            if stack.port_free(port):
                return port
        sys.exit("upgrade: no free port left in --ports")


def configure(args: argparse.Namespace, ports: Ports, specs: dict[str, PodSpec]) -> dict[str, dict[str, str]]:
    """Point scripts/stack.py at this run's state, database and ingress port; each role's environment."""
    extra = run.configure_stack("upgrade")
    extra["tasks"].pop("DJANGO_SETTINGS_MODULE")  # production settings as they are, no bench views
    os.environ.update(
        TMS_STACK_DIR=args.state,
        TMS_STACK_DATABASE=args.database,
        TMS_STACK_INGRESS_PORT=ports.take(),
    )
    # As tms-config runs them: one gunicorn process with threads per pod, its timeouts.
    gunicorn = next(iter(specs.values())).gunicorn
    os.environ["TMS_STACK_WORKERS"] = gunicorn.get("GUNICORN_WORKERS", "1")
    os.environ["TMS_STACK_THREADS"] = gunicorn.get("GUNICORN_THREADS", "4")
    timeouts = {key: value for key, value in gunicorn.items() if key.endswith("_TIMEOUT")}
    for role in extra:
        extra[role].update(timeouts)
    return extra


class Cluster:
    """The pods of both Deployments, the endpoints and ingress in front of them, and the timeline."""

    def __init__(self, conf: dict[str, str], extra: dict, ports: Ports, timeline: Timeline) -> None:
        self.conf, self.extra, self.ports, self.timeline = conf, extra, ports, timeline
        self.state = Path(conf["state"])
        self.pods: list[Pod] = []
        self.probing = threading.Event()  # set: the probes stop
        self.endpoints: Endpoints | None = None
        self.counts: dict[str, int] = {}
        self.errors: list[str] = []  # why a rollout gave up
        self.load: subprocess.Popen | None = None
        self._lock = threading.Lock()  # the Deployments roll at once, as a release applies them

    def start_pod(self, spec: PodSpec, code: Code) -> Pod:
        key = f"{spec.deployment}-{code.label}"
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            name, port = f"{key}-{self.counts[key]}", self.ports.take()
        process = stack.start_instance(
            self.conf, spec.role, name, port, self.extra, checkout=code.checkout, python=code.python
        )
        pod = Pod(spec, name, port, code.label, process, self.state / f"{name}.draining", self.timeline)
        self.timeline.add(name, f"started ({code.label} code, port {port}, pid {process.pid})")
        self.pods.append(pod)
        if self.endpoints:
            self.endpoints.add(pod)
        threading.Thread(target=pod.probe_readiness, args=(self.probing,), daemon=True).start()
        return pod

    def explain(self, pod: Pod, what: str) -> str:
        log = self.state / "logs" / f"{pod.name}.log"
        return f"upgrade: {pod.name} {what}; {log} (last lines):\n{stack.explaining_lines(log)}"

    def wait_ready(self, pods: list[Pod], timeout: float) -> None:
        def all_ready() -> bool:
            for pod in pods:
                if not pod.alive():
                    sys.exit(self.explain(pod, f"exited ({pod.process.returncode}) before it was ready"))
            return all(pod.ready for pod in pods)

        if not wait_until(all_ready, timeout, interval=0.2):
            late = [pod for pod in pods if not pod.ready]
            sys.exit(self.explain(late[0], f"was not ready within {timeout:.0f} s"))

    def terminate(self, pod: Pod, drain: bool) -> None:
        pod.terminate(drain)
        # The pod is gone, and its /tmp with it.
        (self.state / f"{pod.name}.pid").unlink(missing_ok=True)
        pod.drain_file.unlink(missing_ok=True)

    def roll(self, spec: PodSpec, new: Code, replicas: int, drain: bool) -> None:
        """One Deployment's rolling update; a reason to give up goes to `errors` (this runs in a thread)."""
        try:
            self._roll(spec, new, replicas, drain)
        except SystemExit as stop:
            self.errors.append(str(stop.code))
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            self.errors.append(f"upgrade: rolling {spec.deployment} failed: {error!r}")

    def _roll(self, spec: PodSpec, new: Code, replicas: int, drain: bool) -> None:
        """As the Deployment controller does it, with the manifest's maxSurge and maxUnavailable."""
        stopping: list[threading.Thread] = []
        deadline = time.monotonic() + PROGRESS_DEADLINE
        while not self.probing.is_set():  # set when the run ends early (Ctrl-C, another rollout failed)
            live = [p for p in self.pods if p.spec is spec and not p.terminating]
            old = [p for p in live if p.code == "old"]
            if not old:
                break
            fresh = [p for p in live if p.code == "new"]
            for pod in fresh:
                if not pod.alive():
                    sys.exit(self.explain(pod, f"exited ({pod.process.returncode}) during the rollout"))
            if len(live) < replicas + spec.max_surge and len(fresh) < replicas:
                self.start_pod(spec, new)
                deadline = time.monotonic() + PROGRESS_DEADLINE
                continue
            if sum(p.ready for p in live) - 1 >= replicas - spec.max_unavailable:
                victim = sorted(old, key=lambda p: p.ready)[0]  # an unready old pod goes first
                victim.terminating = True  # before the thread starts: the next pass must not count it
                stopping.append(threading.Thread(target=self.terminate, args=(victim, drain), daemon=True))
                stopping[-1].start()
                deadline = time.monotonic() + PROGRESS_DEADLINE
                continue
            if time.monotonic() > deadline:
                waiting = [p for p in fresh if not p.ready]
                sys.exit(self.explain(waiting[0], "made no progress") if waiting else "upgrade: no progress")
            time.sleep(0.05)
        for thread in stopping:
            thread.join()

    def stop(self) -> None:
        if self.load:
            self.load.kill()
        self.probing.set()
        if self.endpoints:
            self.endpoints.stop()
        stack.stop()  # nginx and every pod that still has its pid file
        for pod in self.pods:
            if pod.alive():
                kill_group(pod.process)


def seed(conf: dict[str, str], extra: dict, code: Code, users: int, per_user: int) -> None:
    """bench.seed of the old code: the database has the old code's schema."""
    env = stack.service_env(conf, "tasks", Path(conf["state"]), extra)
    command = [code.python, "-m", "bench.seed", "--users", str(users), "--tasks-per-user", str(per_user)]
    subprocess.run([*command, "--first", "0"], cwd=code.checkout, env=env, check=True)


def task_rows(conf: dict[str, str], ids: list[int]) -> dict[int, tuple[int, str, str]]:
    rows: dict[int, tuple[int, str, str]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        query = "SELECT id, owner_id, title, status FROM tasks WHERE id IN %s"
        for task_id, owner, title, status in measure.sql(conf, query, [chunk]):
            rows[task_id] = (owner, title, status)
    return rows


def upstream_errors(lines: list[str]) -> list[str]:
    """nginx's errors about a pod: each a request that met a pod which was stopping or gone.

    (nginx passes such a request on to another pod when nothing had been sent, or when it is a
    GET; a POST or PATCH already sent gets a 502. Its warnings that follow are left out.)"""
    return [line for line in lines if "[error]" in line and "upstream" in line]


def versions(args: argparse.Namespace, state: Path) -> tuple[Code, Code, dict[str, list[str]]]:
    """The old code (unpacked under `state`), the new one, what lies between; printed."""
    try:
        old, between = rollout_versions.old_code(args.from_ref, state)
    except rollout_versions.VersionError as error:
        sys.exit(f"upgrade: {error}")
    new = rollout_versions.this_checkout()
    print(f"upgrade: old code: {old.revision}\nupgrade: new code: {new.revision}")
    for line in between.get("commits", []):
        print(f"upgrade:   between: {line}")
    print(f"upgrade: migrations the new code adds: {', '.join(between.get('migrations', [])) or 'none'}")
    return old, new, between


def rollout(
    args: argparse.Namespace, cluster: Cluster, specs: dict[str, PodSpec], old: Code, new: Code
) -> dict[str, Any]:
    """The whole run, from an empty database to the verdict's figures."""
    conf, extra, timeline = cluster.conf, cluster.extra, cluster.timeline
    state, dist = stack.prepare(conf, [conf["ingress_port"]])
    stack.migrate(conf, state, old.checkout, old.python)
    seed(conf, extra, old, args.concurrency, args.tasks_per_user)
    first = [cluster.start_pod(specs[d], old) for d in DEPLOYMENTS for _ in range(args.replicas)]
    cluster.wait_ready(first, timeout=180)
    cluster.endpoints = Endpoints(conf, dist, timeline, args.follow, args.sync * args.time_scale)
    for pod in first:
        cluster.endpoints.add(pod)
    cluster.endpoints.start()
    base = f"http://127.0.0.1:{conf['ingress_port']}"
    stack.wait_ready(f"{base}/", state, ["nginx-error.log"])
    journal = state / "journal"
    for stale in state.glob("journal-*.log"):
        stale.unlink()
    run.write_users(base, conf, args.concurrency, state / "users.txt")
    error_log = LogTail(state / "logs" / "nginx-error.log")
    cluster.load = rollout_load.start(base, state / "users.txt", journal, args.concurrency, args.rate)
    load_started = timeline.add("load", f"started: {args.concurrency} users, {args.rate:g} req/s")
    time.sleep(args.before)
    migrating = timeline.add("migrate", "the new code's migrations (the release's Job)")
    applied = stack.migrate(conf, state, new.checkout, new.python)
    migrated = timeline.add("migrate", f"applied: {', '.join(applied) or 'none'}")
    rollouts = [
        threading.Thread(
            target=cluster.roll, args=(specs[d], new, args.replicas, not args.no_drain), daemon=True
        )
        for d in args.deployments
    ]
    for thread in rollouts:
        thread.start()
    for thread in rollouts:
        thread.join()
    if cluster.errors:
        sys.exit("\n".join(cluster.errors))
    rolled = timeline.add("rollout", "done: the old pods are gone")
    time.sleep(args.after)
    wrk_output = rollout_load.stop(cluster.load)
    cluster.load, load_stopped = None, timeline.add("load", "stopped")
    cluster.endpoints.stop()
    read = rollout_load.Journal.read(journal)
    failed = read.failed()
    return {
        "applied": applied,
        "migrate_s": migrated - migrating,
        "rollout_s": rolled - migrated,
        "timeline": timeline.events,
        "load": {
            "started": load_started,
            "duration_s": load_stopped - load_started,
            "requests": len(read.requests),
            "cut": read.cut,
            "by_kind": read.by_kind(),
            "failed_count": len(failed),
            "failed": failed[:50],
            "wrk": rollout_load.summary(wrk_output),
        },
        "writes": rollout_load.verify(read, task_rows(conf, rollout_load.task_ids(read))),
        "ingress": {
            "upstream_errors": upstream_errors(error_log.lines()),
            "reloads": cluster.endpoints.reloads,
        },
        "pods": [
            {
                "name": pod.name,
                "code": pod.code,
                "port": pod.port,
                "terminated": pod.terminating,
                "ready": pod.ready and pod.alive(),
                "exit_code": pod.exit_code,
                "killed": pod.killed,
            }
            for pod in cluster.pods
        ],
    }


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    run.require_tools()
    specs = {name: pod_spec(name, args.time_scale) for name in DEPLOYMENTS}
    ports = Ports(args.ports)
    extra = configure(args, ports, specs)
    conf = stack.settings()
    state = Path(conf["state"])
    if list(state.glob("*.pid")):
        sys.exit(
            f"upgrade: {state} holds pid files of a run still going: TMS_STACK_DIR={state} stack.py stop"
        )
    state.mkdir(parents=True, exist_ok=True)
    old, new, between = versions(args, state)
    for spec in specs.values():
        print(f"upgrade: {spec.describe()}")
    cluster = Cluster(conf, extra, ports, Timeline())
    measure.sql(conf, f"DROP DATABASE IF EXISTS `{conf['database']}`", database=None)
    try:
        results = rollout(args, cluster, specs, old, new)
        machine = measure.machine(conf)
    finally:
        cluster.stop()
        if not args.keep:
            measure.sql(conf, f"DROP DATABASE IF EXISTS `{conf['database']}`", database=None)
            rollout_versions.remove(old.checkout)
    results.update(
        date=machine["date"],
        command=" ".join(["python -m bench.upgrade", *(argv if argv is not None else sys.argv[1:])]),
        machine=(
            f"{machine['cores']} cores shared with other work, Python {machine['python']}, "
            f"{machine['nginx']}, MariaDB {machine['mariadb']}, {machine['wrk']}."
        ),
        args=vars(args),
        old=old.revision,
        new=new.revision,
        between=between,
        specs={name: spec.describe() for name, spec in specs.items()},
    )
    summary, checks = rollout_report.markdown(results), rollout_report.checks(results)
    return report.publish(Path(args.out), "upgrade", results, summary, checks, f"; logs in {state}/logs")


if __name__ == "__main__":
    sys.exit(main())
