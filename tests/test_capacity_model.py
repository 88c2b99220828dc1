"""The capacity model (bench/capacity.py): its arithmetic on a results file whose sums are done by
hand, and docs/scaling.md and the production overlay's sizing being what the committed results give."""

import json
import math
from pathlib import Path

import pytest

from bench import capacity

TASK_ENDPOINTS = ("list", "list_filtered", "retrieve", "stats", "create", "update", "complete")


def results_file(path: Path) -> Path:
    """Every task endpoint costs 10 ms of the service, 2 of MariaDB, 0.1 of nginx, 0.05 of Redis;
    refresh the same on the auth service, and a sign-in 300 ms."""
    runs = {}
    for endpoint in (*TASK_ENDPOINTS, "refresh", "login"):
        service = "auth" if endpoint in ("refresh", "login") else "tasks"
        cpu = {"service": 300.0 if endpoint == "login" else 10.0, "mariadb": 2.0, "nginx": 0.1, "redis": 0.05}
        memory = {"auth": {"pod_rss_mib": 100.0}, "tasks": {"pod_rss_mib": 130.0}}
        runs[endpoint] = {"service": service, "cpu_ms": cpu, "memory": memory}
    machine = {"date": "2026-12-06 00:00 UTC", "cores": 2, "cpu": "test"}
    path.write_text(json.dumps({"machine": machine, "tasks_large": 1000, "runs": runs}))
    return path


@pytest.fixture
def results(tmp_path) -> dict:
    return capacity.load(results_file(tmp_path / "results.json"))


def test_cost_per_active_user_minute_weighs_each_endpoint_by_the_usage(results):
    # when
    cost = capacity.cost_per_user_minute(results["runs"])
    # then: 9.5 task-service requests a minute (list 2, filter 1, retrieve 3 + the bell's 1, stats,
    # create and complete 0.5 each, update 1), 0.2 refreshes and one sign-in in 480 minutes
    assert cost["task"] == pytest.approx(9.5 * 10)
    assert cost["auth"] == pytest.approx(0.2 * 10 + 300 / 480)
    assert cost["mariadb"] == pytest.approx((9.5 + 0.2 + 1 / 480) * 2)
    assert capacity.users_per_core(cost)["task"] == pytest.approx(60_000 / 95)
    assert capacity.saturating_tier(cost) == "task"


def test_the_topologies_size_pods_database_and_connections(results):
    # when
    small, million, hundred_million = (capacity.topology(results["runs"], n) for n in capacity.REGISTERED)
    # then: 5 % active at the peak, every tier at 70 % of its cores, maxReplicas a quarter above
    assert million.active == 50_000
    task_cores = 95 * 50_000 / 60_000 / 0.7
    assert million.cores["task"] == pytest.approx(task_cores)
    assert million.pods["task"] == math.ceil(task_cores) == 114
    assert million.max_replicas["task"] == math.ceil(114 * 1.25) == 143
    # the 9:00 wave: half of the 50,000 sign in within 15 minutes, 300 ms each
    wave = 25_000 / 15 * 300 / 60_000 / 0.7
    assert million.cores["auth"] == pytest.approx(2.625 * 50_000 / 60_000 / 0.7 + wave)
    assert million.connections == (million.max_replicas["task"] + million.max_replicas["auth"]) * 4
    # the task service's threads each hold a second connection where its reads go to replicas
    assert million.replica_connections == million.max_replicas["task"] * 4
    assert small.replica_connections == 0
    # the database: one small primary, then a cluster with reads on its secondaries, then shards
    assert small.database == "single primary"
    assert million.database.startswith("InnoDB Cluster")
    reads = (2 + 1 + 3 + 0.5) * 2  # list, filter, retrieve, stats (the bell's poll stays on the primary)
    assert million.primary_cores == pytest.approx(
        ((9.7 + 1 / 480) * 2 - reads * 0.75) * 50_000 / 60_000 / 0.7
    )
    # any instance may become the primary; with one of three lost, two carry everything
    assert million.instance_cores == math.ceil(million.primary_cores + million.replica_cores / 2)
    assert hundred_million.database.startswith("sharded")
    assert hundred_million.shards == math.ceil(hundred_million.cores["mariadb"] / 16)


def test_the_sizing_keeps_the_measured_memory_under_the_hpa_target(results):
    size = capacity.sizing(results)
    # 130 MiB / 0.7 = 186 -> 192 MiB; 100 / 0.7 = 143 -> 160
    assert size["task"] == {
        "cpu": "1000m",
        "memory_request": "192Mi",
        "memory_limit": "384Mi",
        "max_replicas": 143,
    }
    assert size["auth"]["memory_request"] == "160Mi"
    assert "maxReplicas: 143" in capacity.sizing_yaml(results)


def test_check_fails_when_the_page_differs_from_the_results(tmp_path, monkeypatch):
    # given a copy of the page and of the sizing, regenerated from a results file
    doc, sizing = tmp_path / "scaling.md", tmp_path / "sizing.yaml"
    doc.write_text(f"intro\n{capacity.START}\nold\n{capacity.END}\nafter\n")
    monkeypatch.setattr(capacity, "DOC", doc)
    monkeypatch.setattr(capacity, "SIZING", sizing)
    cluster = tmp_path / "innodbcluster.yaml"
    cluster.write_text(capacity.CLUSTER.read_text())
    monkeypatch.setattr(capacity, "CLUSTER", cluster)
    path = str(results_file(tmp_path / "results.json"))
    assert capacity.main([path, "--check"]) == 1
    assert capacity.main([path]) == 0
    assert capacity.main([path, "--check"]) == 0
    assert doc.read_text().startswith("intro\n") and doc.read_text().endswith("after\n")
    # when someone edits a number by hand
    doc.write_text(doc.read_text().replace("| 1,000,000 | 50,000 |", "| 1,000,000 | 60,000 |"))
    # then
    assert capacity.main([path, "--check"]) == 1


def test_the_committed_page_and_sizing_are_what_the_committed_results_give():
    assert capacity.main(["--check"]) == 0, "run make capacity and commit docs/scaling.md and sizing.yaml"


def test_each_database_member_gets_the_cores_of_the_sized_topology_and_a_buffer_pool_to_match(results):
    cores = capacity.topology(results["runs"], capacity.SIZED).instance_cores
    sized = capacity.database_sizing(results)
    assert sized["cpu"] == str(cores)
    assert sized["memory"] == f"{cores * 4}Gi"
    assert sized["buffer_pool"] == f"{cores * 4 * 1024 * 3 // 4}M"
    # written into the component's settings, in place of what was there
    cluster = "  mycnf: |\n    [mysqld]\n    innodb_buffer_pool_size = 512M\n    max_connections = 400\n"
    written = capacity.with_buffer_pool(cluster, results)
    assert f"innodb_buffer_pool_size = {sized['buffer_pool']}\n" in written
    with pytest.raises(SystemExit, match="innodb_buffer_pool_size"):
        capacity.with_buffer_pool("  mycnf: |\n    [mysqld]\n", results)
