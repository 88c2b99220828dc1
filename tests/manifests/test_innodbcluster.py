"""Production's database: a MySQL InnoDB Cluster run by the MySQL Operator, the local one unchanged.

The operator creates the members' StatefulSet, the Routers' Deployment, their Services and the
members' PodDisruptionBudget from the InnoDBCluster object, so none of them is in the rendering:
what is checked here is that the object asks for a cluster that survives losing a node (three
members on three nodes, two Routers), that the objects shipped next to it select the pods the
operator labels (tests/manifests/test_network_matrix.py's PEERS, read from the operator's source),
and that it runs the architecture's server and exporter.
"""

import re

import pytest
import yaml

from tests.manifests.test_network_matrix import PEERS
from tests.manifests.test_pinned_images import base_pins
from tests.support.tools import ROOT

pytestmark = pytest.mark.manifests

INNODB_CLUSTER = ["production", "production-gateway"]
MEMBER = PEERS["mysql-instance"].labels
ROUTER = PEERS["router"].labels
HELM_RELEASE = ROOT / "flux/infrastructure/mysql-operator/helmrelease.yaml"
CRDS = ROOT / "tests/manifests/crds"


def objects(docs, kind) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def selects(selector: dict, labels: dict) -> bool:
    assert set(selector) == {"matchLabels"}, selector
    return all(labels.get(k) == v for k, v in selector["matchLabels"].items())


def mycnf_settings(cluster: dict) -> dict[str, str]:
    """The [mysqld] settings of spec.mycnf, as the server reads them."""
    settings = {}
    for line in cluster["spec"]["mycnf"].splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings[key.strip().replace("-", "_")] = value.strip()
    return settings


@pytest.fixture(params=INNODB_CLUSTER)
def production_docs(docs_by_overlay, request) -> list[dict]:
    return docs_by_overlay[request.param]


@pytest.fixture
def cluster(production_docs) -> dict:
    [cluster] = objects(production_docs, "InnoDBCluster").values()
    return cluster


def test_production_runs_an_innodb_cluster_and_local_the_statefulset(docs_by_overlay, production_docs):
    local = docs_by_overlay["local"]
    assert "mysql" in objects(local, "StatefulSet") and not objects(local, "InnoDBCluster")
    assert "mysql" not in objects(production_docs, "StatefulSet")
    # nothing of the single server is left behind in production
    single = {"mysql-service", "mysql-headless", "mysql-np", "mysql-sa", "mysql-config", "mysql-initdb"}
    left = [
        (doc["kind"], doc["metadata"]["name"]) for doc in production_docs if doc["metadata"]["name"] in single
    ]
    assert left == []


def test_three_members_single_primary_behind_two_routers(cluster):
    spec = cluster["spec"]
    assert spec["instances"] == 3  # a majority (2) survives losing one
    assert spec["router"]["instances"] >= 2
    assert spec["secretName"] == "tms-db-root"
    # single-primary is the operator's only mode: no multi-primary switch may appear in the settings
    assert not [k for k in mycnf_settings(cluster) if "single_primary" in k or "multi_primary" in k]


def test_the_cluster_runs_the_architectures_server_and_exporter(cluster):
    pins = base_pins()
    mysql_tag = re.fullmatch(r"mysql:([\d.]+)@sha256:[0-9a-f]{64}", pins["mysql"])
    assert mysql_tag and cluster["spec"]["version"] == mysql_tag[1]
    assert cluster["spec"]["metrics"] == {"enable": True, "image": pins["prom/mysqld-exporter"]}


def test_max_connections_is_set(cluster):
    assert int(mycnf_settings(cluster)["max_connections"]) > 0


def test_reads_go_to_the_secondaries_through_the_routers_read_only_port(production_docs):
    config = objects(production_docs, "ConfigMap")["tms-config"]["data"]
    assert (config["TMS_DB_REPLICA_HOST"], config["TMS_DB_REPLICA_PORT"]) == ("tms-db", "6447")
    # and the services may reach that port on the Routers
    for name in ("auth-np", "task-np"):
        ports = {
            port["port"]
            for rule in objects(production_docs, "NetworkPolicy")[name]["spec"]["egress"]
            for peer in rule.get("to", [])
            if selects(peer.get("podSelector", {"matchLabels": {"-": "-"}}), ROUTER)
            for port in rule.get("ports", [])
        }
        assert 6447 in ports, name


def test_members_are_sized_by_the_capacity_model(cluster):
    from bench import capacity

    sized = capacity.database_sizing(capacity.load(capacity.RESULTS))
    [mysql] = cluster["spec"]["podSpec"]["containers"]
    assert mysql["name"] == "mysql"
    assert mysql["resources"]["requests"] == {"cpu": sized["cpu"], "memory": sized["memory"]}
    assert mysql["resources"]["limits"] == mysql["resources"]["requests"]
    # the buffer pool fills three quarters of that memory, not the 128 MB default nor more than it
    assert mycnf_settings(cluster)["innodb_buffer_pool_size"] == sized["buffer_pool"]


def test_members_are_kept_on_different_nodes(cluster):
    affinity = cluster["spec"]["podSpec"]["affinity"]["podAntiAffinity"]
    [required] = affinity["requiredDuringSchedulingIgnoredDuringExecution"]
    assert required["topologyKey"] == "kubernetes.io/hostname"
    assert selects(required["labelSelector"], MEMBER)
    assert not selects(required["labelSelector"], ROUTER)
    zones = [t["podAffinityTerm"] for t in affinity["preferredDuringSchedulingIgnoredDuringExecution"]]
    assert any(
        t["topologyKey"] == "topology.kubernetes.io/zone" and selects(t["labelSelector"], MEMBER)
        for t in zones
    )
    router = cluster["spec"]["router"]["podSpec"]["affinity"]["podAntiAffinity"]
    terms = [t["podAffinityTerm"] for t in router["preferredDuringSchedulingIgnoredDuringExecution"]]
    assert any(
        t["topologyKey"] == "kubernetes.io/hostname" and selects(t["labelSelector"], ROUTER) for t in terms
    )


def test_one_budget_per_pod(production_docs):
    # The operator makes tms-db-pdb (maxUnavailable 1) over the members; a second budget over a pod
    # makes every eviction of it fail, so the shipped ones must not select the members.
    budgets = objects(production_docs, "PodDisruptionBudget")
    assert not [name for name, pdb in budgets.items() if selects(pdb["spec"]["selector"], MEMBER)]
    routers = [pdb["spec"] for pdb in budgets.values() if selects(pdb["spec"]["selector"], ROUTER)]
    assert routers == [{"maxUnavailable": 1, "selector": routers[0]["selector"]}]


def test_the_members_metrics_are_scraped_as_the_single_servers_were(production_docs):
    service = objects(production_docs, "Service")["tms-db-metrics"]
    # the ServiceMonitor mysql-monitor selects app.kubernetes.io/name=mysql in tms-app
    assert service["metadata"]["labels"]["app.kubernetes.io/name"] == "mysql"
    assert selects({"matchLabels": service["spec"]["selector"]}, MEMBER)
    assert [(p["name"], p["targetPort"]) for p in service["spec"]["ports"]] == [("metrics", 9104)]


def test_the_operator_release_matches_the_vendored_crds():
    release = yaml.safe_load(HELM_RELEASE.read_text())
    chart = release["spec"]["chart"]["spec"]
    assert (chart["chart"], release["metadata"]["namespace"]) == ("mysql-operator", "mysql-operator")
    # the operator's release tags read <server version>-<chart version>
    [crds] = CRDS.glob("mysql-operator-*.yaml")
    assert crds.name.endswith(f"-{chart['version']}.yaml"), crds.name
    kinds = {doc["spec"]["names"]["kind"] for doc in yaml.safe_load_all(crds.read_text()) if doc}
    assert kinds == {"InnoDBCluster", "MySQLBackup", "ClusterKopfPeering", "KopfPeering"}


def test_renovate_updates_the_operator_with_the_database():
    config = yaml.safe_load((ROOT / "renovate.json").read_text())
    database = [rule for rule in config["packageRules"] if rule.get("groupName") == "database"]
    assert any("mysql-operator" in rule.get("matchPackageNames", []) for rule in database)
