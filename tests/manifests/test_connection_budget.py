"""The database's max_connections covers every connection TMS can hold at full scale.

Each gunicorn thread keeps a connection of its own (`TMS_DB_CONN_MAX_AGE` > 0 keeps it between
requests), so a backend pod holds up to workers × threads. At full scale a Deployment runs its HPA's
`maxReplicas`, and a rolling update adds `maxSurge` new pods while the old ones still hold theirs.
Every other container that reads the database's address (`sql-endpoint`) holds one: the
notifications worker, the CronJobs and Jobs (all counted as if they ran at once). The exporter's
account is capped by its own MAX_USER_CONNECTIONS. Compared with the database each overlay renders:
the StatefulSet's my.cnf (k8s/base/mysql/config.yaml; MySQL's default 151 when it sets none), or the
InnoDBCluster's `spec.mycnf`, whose MySQL Routers must carry the same connections with one Router
down. See docs/scaling.md ("Connections").
"""

import math
import re

import pytest

pytestmark = pytest.mark.manifests

MYSQL_DEFAULT_MAX_CONNECTIONS = 151
# MySQL Router's max_total_connections default (8.0.27 and later; the operator sets none).
ROUTER_DEFAULT_MAX_CONNECTIONS = 512
# What else connects to an InnoDB Cluster's instances: each Router's metadata cache and its
# group-replication notices (2 per Router); the operator's sidecar, the metrics exporter (3) and
# a few administrators' shells.
PER_ROUTER = 2
ADMIN = 8
# With a read replica configured (TMS_DB_REPLICA_HOST), the task service's threads may each hold a
# second connection, to the replica: its list, task, stats, history and trash views are the only
# ones that read it (tms_project/api/replica_reads.py); auth and the worker never open one.
REPLICA_READERS = ("task",)


def _find(docs: list[dict], kind: str) -> list[dict]:
    return [doc for doc in docs if doc["kind"] == kind]


def _config(docs: list[dict]) -> dict[str, str]:
    return next(doc["data"] for doc in _find(docs, "ConfigMap") if doc["metadata"]["name"] == "tms-config")


def _pod_spec(doc: dict) -> dict:
    spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
    return spec["template"]["spec"]


def _uses_database(container: dict) -> bool:
    refs = [
        source.get("configMapRef") or source.get("secretRef") or {} for source in container.get("envFrom", [])
    ]
    return any(ref.get("name") == "sql-endpoint" for ref in refs)


def _env(container: dict, config: dict[str, str], name: str, default: str) -> int:
    for entry in container.get("env", []):
        if entry["name"] == name and "value" in entry:
            return int(entry["value"])
    return int(config.get(name, default))


def _surge(deployment: dict, replicas: int) -> int:
    surge = deployment["spec"].get("strategy", {}).get("rollingUpdate", {}).get("maxSurge", "25%")
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * int(surge[:-1]) / 100)
    return int(surge)


def connection_budget(docs: list[dict]) -> dict[str, int]:
    """Connections each workload may hold at once at full scale, by name."""
    config = _config(docs)
    max_replicas = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa["spec"]["maxReplicas"]
        for hpa in _find(docs, "HorizontalPodAutoscaler")
    }
    budget = {}
    for doc in docs:
        if doc["kind"] not in ("Deployment", "CronJob", "Job"):
            continue
        per_pod = 0
        for container in _pod_spec(doc)["containers"]:
            if not _uses_database(container):
                continue
            if any(entry["name"] == "GUNICORN_BIND" for entry in container.get("env", [])):
                workers = _env(container, config, "GUNICORN_WORKERS", "2")
                per_pod += workers * _env(container, config, "GUNICORN_THREADS", "1")
            else:
                per_pod += 1
        # Init containers run one after another, before the others: one connection at most.
        if any(_uses_database(init) for init in _pod_spec(doc).get("initContainers", [])):
            per_pod = max(per_pod, 1)
        if not per_pod:
            continue
        name = doc["metadata"]["name"]
        pods = 1
        if doc["kind"] == "Deployment":
            pods = max_replicas.get(name, doc["spec"].get("replicas", 1))
            pods += _surge(doc, pods)
        budget[name] = pods * per_pod
    exporter = re.search(r"MAX_USER_CONNECTIONS (\d+)", str(_find(docs, "ConfigMap")))
    if exporter:
        budget["mysqld-exporter"] = int(exporter.group(1))
    return budget


def replica_budget(docs: list[dict], budget: dict[str, int]) -> int:
    """Connections to the read replica at full scale (0 without one)."""
    if not _config(docs).get("TMS_DB_REPLICA_HOST"):
        return 0
    return sum(budget.get(name, 0) for name in REPLICA_READERS)


def _setting(cnf: str, name: str) -> int | None:
    found = re.search(rf"^\s*{name}\s*=\s*(\d+)\s*$", cnf, re.MULTILINE)
    return int(found.group(1)) if found else None


def test_the_connection_budget_counts_every_thread_of_every_pod(docs_by_overlay):
    # given the local overlay: auth and task scale to maxReplicas, one worker with 4 threads each
    docs = docs_by_overlay["local"]
    config = _config(docs)
    threads = int(config["GUNICORN_WORKERS"]) * int(config["GUNICORN_THREADS"])
    hpa = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
        for h in _find(docs, "HorizontalPodAutoscaler")
    }
    # when
    budget = connection_budget(docs)
    # then: a backend at full scale during a rolling update (maxSurge 1) and one for each of the others
    assert threads == 4
    assert budget["task"] == (hpa["task"] + 1) * threads
    assert budget["auth"] == (hpa["auth"] + 1) * threads
    assert budget["notifications-worker"] == 2
    assert budget["tms-migrate"] == 1
    assert budget["mysql-backup"] == 1  # mysqldump, an init container before the off-site copy
    assert "frontend" not in budget and "redis" not in budget


def test_the_local_statefulset_accepts_every_connection(docs_by_overlay):
    docs = docs_by_overlay["local"]
    cnf = next(doc for doc in _find(docs, "ConfigMap") if doc["metadata"]["name"].startswith("mysql-config"))
    limit = _setting(cnf["data"]["tms.cnf"], "max_connections") or MYSQL_DEFAULT_MAX_CONNECTIONS
    budget = connection_budget(docs)
    assert sum(budget.values()) <= limit, f"max_connections {limit} < {sum(budget.values())}: {budget}"


def test_the_production_cluster_accepts_every_connection(docs_by_overlay):
    docs = docs_by_overlay["production"]
    clusters = _find(docs, "InnoDBCluster")
    if not clusters:
        pytest.fail(
            "the production overlay renders no InnoDBCluster (k8s/components/mysql-innodbcluster): "
            "nothing to compare its connection budget with"
        )
    (cluster,) = clusters
    limit = _setting(cluster["spec"].get("mycnf", ""), "max_connections")
    assert limit, "the InnoDBCluster's spec.mycnf sets no max_connections (MySQL's default is 151)"
    routers = cluster["spec"].get("router", {}).get("instances", 1)
    budget = connection_budget(docs)
    replica = replica_budget(docs, budget)
    assert replica, "production reads from the secondaries (TMS_DB_REPLICA_HOST): their threads count"
    # A member holds the primary's connections, or, as the one secondary left after a loss, every
    # replica connection (the Routers' read-only port balances over the secondaries): the larger.
    needed = max(sum(budget.values()), replica) + routers * PER_ROUTER + ADMIN
    assert needed <= limit, f"spec.mycnf max_connections {limit} < {needed} at full scale: {budget}"
    # Every client connection, to the primary and to the secondaries, passes a Router; with one
    # Router down the others carry them all.
    through_routers = sum(budget.values()) + replica
    carried = max(routers - 1, 1) * ROUTER_DEFAULT_MAX_CONNECTIONS
    assert through_routers <= carried, f"{routers} Routers carry {carried} < {through_routers}"
