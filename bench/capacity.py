"""`make capacity`: how many active users one core of each tier carries, and what 10k, 1M and 100M
registered users need.

Reads a `make bench` results file (its CPU milliseconds per request of the service that answered,
MariaDB, nginx and Redis, per endpoint), weighs each endpoint by the usage assumption below, and
writes two things from it: the capacity table in docs/scaling.md (between its markers) and the
production overlay's sizing patch (k8s/overlays/production/sizing.yaml: requests, limits and HPA
`maxReplicas` of the 1M topology, and the database members' CPU and memory, whose InnoDB buffer pool
it sets in k8s/components/mysql-innodbcluster/innodbcluster.yaml). `--check` changes nothing and
fails when any of them differs from what the results file gives, so the model, the page and the
overlay cannot drift apart.
See docs/scaling.md.
"""

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "bench-results" / "capacity.json"
DOC = ROOT / "docs" / "scaling.md"
SIZING_NAME = "k8s/overlays/production/sizing.yaml"
SIZING = ROOT / SIZING_NAME
# The production database's settings file, whose buffer pool follows the instance memory sized here.
CLUSTER = ROOT / "k8s" / "components" / "mysql-innodbcluster" / "innodbcluster.yaml"
START, END = "<!-- capacity-table:start -->", "<!-- capacity-table:end -->"

# What one active user sends per minute, by what they do in the web app, and the bench endpoint
# whose measured cost stands for it. An active user is someone with the app open and working:
# opening and filtering the board, opening tasks, editing them.
USAGE: dict[str, tuple[float, str, bool]] = {
    # (requests per minute, the bench endpoint that stands for it, may it read from a replica)
    # Replica reads are those tms_project's database router sends there: the task list, a task,
    # the statistics (and history and trash); writes, sign-ins and refreshes stay on the primary.
    "open the board (list)": (2.0, "list", True),
    "filter or sort it": (1.0, "list_filtered", True),
    "open a task": (3.0, "retrieve", True),
    "look at the statistics": (0.5, "stats", True),
    "create a task": (0.5, "create", False),
    "edit a task": (1.0, "update", False),
    "complete a task": (0.5, "complete", False),
    # The bell polls every 60 s (frontend/src/features/notifications/Bell.tsx); not in the bench,
    # billed as a retrieve (an indexed read of the user's own rows), on the primary.
    "the bell's poll": (1.0, "retrieve", False),
    # Access tokens live 5 minutes: one refresh per 5 minutes of activity.
    "refresh the access token": (0.2, "refresh", False),
    # One sign-in per working day of 8 hours.
    "sign in": (1 / 480, "login", False),
}
# The share of reads that still go to the primary because their user wrote moments before.
PINNED_READ_SHARE = 0.25

# Who is active at the busiest minute: 5 % of the registered users (an office-hours tool: about a
# third use it on a working day, a sixth of those at its busiest minute).
PEAK_ACTIVE_SHARE = 0.05
# The 9:00 sign-in wave: this share of the peak's active users signs in within these minutes.
LOGIN_WAVE_SHARE, LOGIN_WAVE_MINUTES = 0.5, 15
REGISTERED = (10_000, 1_000_000, 100_000_000)
SIZED = 1_000_000  # the topology the production overlay is sized for

# Planning: a tier runs at most at the HPAs' CPU target (70 % of its request) at the peak, and the
# HPA may go a quarter above the pods the peak needs (a lost node, a worse day than assumed).
TARGET_UTILISATION = 0.7
HEADROOM = 1.25
# A pod is one gunicorn process (GUNICORN_WORKERS 1, 4 threads): one interpreter lock, so it uses
# about one core at most. It requests that core and is limited to it.
POD_CPU_CORES = 1.0
# Its memory request keeps the RSS measured under load below 70 % of it (the HPAs' memory target is
# 80 %: a request the pod fills would scale every Deployment to its maximum on memory alone).
MEMORY_SHARE = 0.7
MEMORY_STEP_MIB = 32
THREADS_PER_POD = 4
# The database: one primary up to this many cores (a large but ordinary machine); past it, shards.
PRIMARY_MAX_CORES = 32
SINGLE_NODE_MAX_CORES = 4  # what one StatefulSet pod next to the others sensibly gets
SHARD_CORES = 16
# Memory of a database instance per core (the usual general-purpose ratio), and the share of it the
# InnoDB buffer pool takes: MySQL's own rule for a dedicated server above 4 GB
# (innodb_dedicated_server; MySQL 8.4 does not read a container's limit, so it is set explicitly).
DB_MEMORY_GIB_PER_CORE = 4
DB_BUFFER_POOL_SHARE = 0.75
# Redis runs commands on one thread: one core per instance.
REDIS_MAX_CORES = 1.0
TIERS = ("task", "auth", "mariadb", "nginx", "redis")
TIER_NAMES = {
    "task": "task service",
    "auth": "auth service",
    "mariadb": "MariaDB",
    "nginx": "nginx (ingress)",
    "redis": "Redis (counters)",
}


@dataclass(frozen=True)
class Topology:
    registered: int
    active: int
    cores: dict[str, float]  # at the peak, at the planning utilisation
    pods: dict[str, int]  # task and auth pods at the peak
    max_replicas: dict[str, int]
    database: str
    primary_cores: float
    replica_cores: float
    shards: int
    connections: int  # to the database at maxReplicas, before a rolling update's surge
    # to the replicas at maxReplicas: the task service's threads, where reads go to replicas
    replica_connections: int
    redis_instances: int  # Redis runs commands on one thread: past one core, more instances
    # Cores of each database instance: any may become the primary, and with one of three lost the
    # other two carry the primary's work and the replicas' reads between them.
    instance_cores: int


def load(path: Path) -> dict[str, Any]:
    import json

    return dict(json.loads(path.read_text()))


def cost_per_user_minute(runs: dict[str, Any]) -> dict[str, float]:
    """CPU milliseconds one active user costs each tier per minute."""
    cost = dict.fromkeys(TIERS, 0.0)
    for rate, endpoint, _ in USAGE.values():
        run = runs[endpoint]
        service = "auth" if run["service"] == "auth" else "task"
        cost[service] += rate * run["cpu_ms"]["service"]
        for tier in ("mariadb", "nginx", "redis"):
            cost[tier] += rate * run["cpu_ms"].get(tier, 0.0)
    return cost


def database_split(runs: dict[str, Any]) -> tuple[float, float]:
    """MariaDB CPU ms per active-user-minute on the primary and on the replicas, reads on replicas."""
    primary = replica = 0.0
    for rate, endpoint, replica_read in USAGE.values():
        ms = rate * runs[endpoint]["cpu_ms"].get("mariadb", 0.0)
        if replica_read:
            primary += ms * PINNED_READ_SHARE
            replica += ms * (1 - PINNED_READ_SHARE)
        else:
            primary += ms
    return primary, replica


def users_per_core(cost: dict[str, float]) -> dict[str, float]:
    """Active users one fully busy core of each tier carries."""
    return {tier: 60_000 / ms if ms else math.inf for tier, ms in cost.items()}


def saturating_tier(cost: dict[str, float]) -> str:
    return max(cost, key=lambda tier: cost[tier])


def cores_at(ms_per_user_minute: float, active: int) -> float:
    """Cores a tier needs for `active` users at the planning utilisation."""
    return ms_per_user_minute * active / 60_000 / TARGET_UTILISATION


def login_wave_cores(runs: dict[str, Any], active: int) -> float:
    per_minute = active * LOGIN_WAVE_SHARE / LOGIN_WAVE_MINUTES
    return per_minute * runs["login"]["cpu_ms"]["service"] / 60_000 / TARGET_UTILISATION


def topology(runs: dict[str, Any], registered: int) -> Topology:
    cost = cost_per_user_minute(runs)
    active = round(registered * PEAK_ACTIVE_SHARE)
    cores = {tier: cores_at(ms, active) for tier, ms in cost.items()}
    # The auth service is sized for the 9:00 wave on top of the steady refreshes.
    cores["auth"] += login_wave_cores(runs, active)
    pods = {service: max(math.ceil(cores[service] / POD_CPU_CORES), 2) for service in ("task", "auth")}
    max_replicas = {service: math.ceil(pods[service] * HEADROOM) for service in pods}
    primary_ms, replica_ms = database_split(runs)
    primary, replica, shards = cores["mariadb"], 0.0, 1
    if cores["mariadb"] <= SINGLE_NODE_MAX_CORES:
        database = "single primary"
    elif cores_at(primary_ms, active) <= PRIMARY_MAX_CORES:
        database = "InnoDB Cluster: 1 primary, reads on the secondaries"
        primary, replica = cores_at(primary_ms, active), cores_at(replica_ms, active)
    else:
        shards = math.ceil(cores["mariadb"] / SHARD_CORES)
        database = f"sharded: {shards} shards, each an InnoDB Cluster"
        primary, replica = cores_at(primary_ms, active) / shards, cores_at(replica_ms, active) / shards
    connections = sum(max_replicas[service] for service in max_replicas) * THREADS_PER_POD
    return Topology(
        registered=registered,
        active=active,
        cores=cores,
        pods=pods,
        max_replicas=max_replicas,
        database=database,
        primary_cores=primary,
        replica_cores=replica,
        shards=shards,
        connections=connections,
        replica_connections=max_replicas["task"] * THREADS_PER_POD if replica else 0,
        redis_instances=max(math.ceil(cores["redis"] / REDIS_MAX_CORES), 1),
        instance_cores=max(math.ceil(primary + replica / 2), 1),
    )


def memory_request_mib(rss_mib: float) -> int:
    return math.ceil(rss_mib / MEMORY_SHARE / MEMORY_STEP_MIB) * MEMORY_STEP_MIB


def sizing(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Requests, limits and maxReplicas of the auth and task Deployments for the SIZED topology."""
    runs = results["runs"]
    sized = topology(runs, SIZED)
    # Each service's pod RSS (master + its worker) measured under its heaviest load.
    rss = {"auth": runs["login"]["memory"]["auth"], "task": runs["list"]["memory"]["tasks"]}
    found = {}
    for service in ("auth", "task"):
        memory = memory_request_mib(rss[service]["pod_rss_mib"])
        found[service] = {
            "cpu": f"{round(POD_CPU_CORES * 1000)}m",
            "memory_request": f"{memory}Mi",
            "memory_limit": f"{memory * 2}Mi",
            "max_replicas": sized.max_replicas[service],
        }
    return found


def database_sizing(results: dict[str, Any]) -> dict[str, Any]:
    """CPU, memory and buffer pool of each InnoDB Cluster member for the SIZED topology."""
    cores = topology(results["runs"], SIZED).instance_cores
    memory_gib = cores * DB_MEMORY_GIB_PER_CORE
    return {
        "cpu": str(cores),
        "memory": f"{memory_gib}Gi",
        "buffer_pool": f"{math.floor(memory_gib * 1024 * DB_BUFFER_POOL_SHARE)}M",
    }


_BUFFER_POOL = re.compile(r"^(\s*innodb_buffer_pool_size\s*=\s*)\S+$", re.MULTILINE)


def with_buffer_pool(cluster: str, results: dict[str, Any]) -> str:
    """The InnoDBCluster file with its buffer pool sized for the members' memory."""
    if not _BUFFER_POOL.search(cluster):
        raise SystemExit(f"capacity: {CLUSTER} sets no innodb_buffer_pool_size in spec.mycnf")
    size = database_sizing(results)["buffer_pool"]
    return _BUFFER_POOL.sub(lambda match: f"{match.group(1)}{size}", cluster)


def _n(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def table(results: dict[str, Any]) -> str:
    runs = results["runs"]
    cost = cost_per_user_minute(runs)
    per_core = users_per_core(cost)
    machine = results["machine"]
    source = (
        f"From `{results.get('source', 'results.json')}`: `make bench` of {machine['date']} "
        f"({results.get('tasks_large', 0):,} tasks, {machine['cores']} cores, {machine['cpu']})."
    )
    lines = [
        source,
        "",
        "| tier | CPU ms per active-user-minute | active users per core (100 % busy) |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {TIER_NAMES[tier]} | {_n(cost[tier])} | {_n(per_core[tier])} |"
        for tier in sorted(TIERS, key=lambda tier: -cost[tier])
    ]
    first = saturating_tier(cost)
    primary_ms = database_split(runs)[0]
    verdict = (
        f"First to saturate, core for core: the **{TIER_NAMES[first]}**. The tier whose ceiling comes "
        "first is the database primary: it cannot be added to like pods; with reads on replicas it "
        f"keeps {_n(primary_ms)} of the {_n(cost['mariadb'])} ms ({_n(60_000 / primary_ms)} active "
        "users per core of the primary)."
    )
    header = (
        "| registered users | active at the peak | task pods (maxReplicas) | auth pods (maxReplicas) "
        "| nginx cores | Redis cores (instances) | database | DB cores: primary / replicas (per shard) "
        "| DB connections at maxReplicas (primary + replicas) |"
    )
    lines += ["", verdict, "", header, "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for registered in REGISTERED:
        top = topology(runs, registered)
        database = f"{_n(top.primary_cores)} / {_n(top.replica_cores)}"
        instance = f"{top.instance_cores} core{'s' if top.instance_cores > 1 else ''} per instance"
        lines.append(
            f"| {registered:,} | {top.active:,} | {top.pods['task']:,} ({top.max_replicas['task']:,}) "
            f"| {top.pods['auth']:,} ({top.max_replicas['auth']:,}) | {_n(top.cores['nginx'])} "
            f"| {_n(top.cores['redis'])} ({top.redis_instances}) "
            f"| {top.database}; {instance} | {database} "
            f"| {top.connections:,}"
            f"{f' + {top.replica_connections:,}' if top.replica_connections else ''} |"
        )
    overlay = "; ".join(
        f"{service}: CPU {s['cpu']} requested and limit, memory {s['memory_request']} requested, "
        f"{s['memory_limit']} limit, maxReplicas {s['max_replicas']}"
        for service, s in sizing(results).items()
    )
    db = database_sizing(results)
    overlay += (
        f"; each database member: CPU {db['cpu']} requested and limit, memory {db['memory']}, "
        f"InnoDB buffer pool {db['buffer_pool']}"
    )
    lines += ["", f"Production overlay (the 1,000,000 row), `{SIZING_NAME}`: {overlay}."]
    return "\n".join(lines)


GENERATED = (
    "# Generated by `make capacity` (bench/capacity.py) from docs/bench-results/capacity.json: the\n"
    "# 1,000,000-registered-user topology of docs/scaling.md. Do not edit; change the model or the\n"
    "# results and run `make capacity` (`make capacity CHECK=1` fails when this file differs).\n"
)


def sizing_yaml(results: dict[str, Any]) -> str:
    size = sizing(results)
    parts = [GENERATED]
    for service, s in size.items():
        parts.append(
            "---\n"
            "apiVersion: apps/v1\n"
            "kind: Deployment\n"
            "metadata:\n"
            f"  name: {service}\n"
            "spec:\n"
            "  template:\n"
            "    spec:\n"
            "      containers:\n"
            f"        - name: {service}\n"
            "          resources:\n"
            f"            requests: {{cpu: {s['cpu']}, memory: {s['memory_request']}}}\n"
            f"            limits: {{cpu: {s['cpu']}, memory: {s['memory_limit']}}}\n"
            "---\n"
            "apiVersion: autoscaling/v2\n"
            "kind: HorizontalPodAutoscaler\n"
            "metadata:\n"
            f"  name: {service}-hpa\n"
            "spec:\n"
            f"  maxReplicas: {s['max_replicas']}\n"
        )
    db = database_sizing(results)
    # The operator's custom resource is merged as JSON (no strategic merge keys): this list replaces
    # the component's, whose only entry is the same container.
    parts.append(
        "---\n"
        "apiVersion: mysql.oracle.com/v2\n"
        "kind: InnoDBCluster\n"
        "metadata:\n"
        "  name: tms-db\n"
        "spec:\n"
        "  podSpec:\n"
        "    containers:\n"
        "      - name: mysql\n"
        "        resources:\n"
        f'          requests: {{cpu: "{db["cpu"]}", memory: {db["memory"]}}}\n'
        f'          limits: {{cpu: "{db["cpu"]}", memory: {db["memory"]}}}\n'
    )
    return "".join(parts)


def with_table(doc: str, rendered: str) -> str:
    if START not in doc or END not in doc:
        raise SystemExit(f"capacity: {DOC} has no {START} … {END} markers")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{rendered}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", type=Path, default=RESULTS, help="a bench results.json")
    parser.add_argument("--check", action="store_true", help="fail when the page or the overlay differ")
    args = parser.parse_args(argv)
    results = load(args.results)
    path = args.results.resolve()
    results.setdefault("source", str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name)
    expected = {
        DOC: with_table(DOC.read_text(), table(results)),
        SIZING: sizing_yaml(results),
        CLUSTER: with_buffer_pool(CLUSTER.read_text(), results),
    }
    if args.check:
        stale = [path for path, text in expected.items() if not path.exists() or path.read_text() != text]
        for path in stale:
            print(f"capacity: {path} differs from what {args.results} gives; run make capacity")
        return 1 if stale else 0
    for path, text in expected.items():
        path.write_text(text)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
