"""Who may talk to whom, evaluated from the rendered NetworkPolicies against ALLOWED below.

Each rendering is checked: the local and production overlays (traffic through ingress-nginx) and
production-gateway (the Gateway API component). "ingress" in the pairs is the edge proxy of the
rendering: ingress-nginx's pods, or the Gateway's data-plane pods; the other edge is then refused.
"mysql" is the rendering's database: the architecture's StatefulSet locally; in production the
InnoDB Cluster (k8s/components/mysql-innodbcluster), where the application reaches the Routers'
read-write port and the server's own ports are the members' (see database_pair).
"""

import ipaddress
from dataclasses import dataclass, field

import pytest
import yaml

from tests.support.tools import ROOT

pytestmark = pytest.mark.manifests

NAMESPACE = "tms-app"
CLUSTER_POD_NETWORK = ipaddress.ip_network("10.42.0.0/16")


@dataclass(frozen=True)
class Peer:
    name: str
    namespace: str | None  # None: outside the cluster
    labels: dict = field(default_factory=dict, hash=False)
    address: str = "10.42.0.10"

    def ns_labels(self) -> dict:
        return {"kubernetes.io/metadata.name": self.namespace} if self.namespace else {}


def pod(name: str, component: str | None = None) -> Peer:
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "tms"}
    if component:
        labels["app.kubernetes.io/component"] = component
    return Peer(name, NAMESPACE, labels)


def restore_job_pod() -> Peer:
    """The one-off restore Job lives outside the kustomization (k8s/restore/); its pod's own labels."""
    job = yaml.safe_load((ROOT / "k8s/restore/restore-job.yaml").read_text())
    return Peer("restore", job["metadata"]["namespace"], job["spec"]["template"]["metadata"]["labels"])


PEERS = {
    "frontend": pod("frontend", "web"),
    "auth": pod("auth", "api"),
    "task": pod("task", "api"),
    "worker": pod("notifications-worker", "worker"),
    "mysql": pod("mysql", "database"),
    "redis": pod("redis", "cache"),
    "migrate": pod("migrate", "job"),
    "maintenance": pod("maintenance", "job"),
    "backup": pod("mysql-backup", "backup"),
    "restore": restore_job_pod(),
    # production's tms-db-bootstrap Job (k8s/components/mysql-innodbcluster/db-bootstrap.yaml)
    "db-bootstrap": pod("tms-db-bootstrap", "database"),
    "ingress-nginx": Peer("ingress-nginx", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}),
    # Envoy Gateway's proxy pods for the Gateway tms-gateway/tms (the component's default), in the
    # controller's namespace; and in the same namespace a proxy of someone else's Gateway.
    "gateway": Peer(
        "gateway",
        "envoy-gateway-system",
        {
            "app.kubernetes.io/name": "envoy",
            "app.kubernetes.io/component": "proxy",
            "gateway.envoyproxy.io/owning-gateway-name": "tms",
            "gateway.envoyproxy.io/owning-gateway-namespace": "tms-gateway",
        },
    ),
    "other-gateway": Peer(
        "other-gateway",
        "envoy-gateway-system",
        {
            "app.kubernetes.io/name": "envoy",
            "app.kubernetes.io/component": "proxy",
            "gateway.envoyproxy.io/owning-gateway-name": "public",
            "gateway.envoyproxy.io/owning-gateway-namespace": "default",
        },
    ),
    # The InnoDB Cluster's pods, which the MySQL Operator creates (no manifest renders them): the
    # labels of its pod templates, mysql-operator 9.1.0-2.2.2 mysqloperator/controller/innodbcluster/
    # router_objects.py (Router) and cluster_objects.py (group members); the operator's own pod as
    # its chart (helm/mysql-operator/templates/deployment.yaml) labels it, in its namespace.
    "router": Peer(
        "router",
        NAMESPACE,
        {
            "component": "mysqlrouter",
            "tier": "mysql",
            "mysql.oracle.com/cluster": "tms-db",
            "app.kubernetes.io/name": "mysql-router",
            "app.kubernetes.io/instance": "mysql-innodbcluster-tms-db-router",
            "app.kubernetes.io/component": "router",
            "app.kubernetes.io/managed-by": "mysql-operator",
            "app.kubernetes.io/created-by": "mysql-operator",
        },
    ),
    "mysql-instance": Peer(
        "mysql-instance",
        NAMESPACE,
        {
            "component": "mysqld",
            "tier": "mysql",
            "mysql.oracle.com/cluster": "tms-db",
            "mysql.oracle.com/instance-type": "group-member",
            "app.kubernetes.io/name": "mysql-innodbcluster-mysql-server",
            "app.kubernetes.io/instance": "mysql-innodbcluster-tms-db-mysql-server",
            "app.kubernetes.io/component": "database",
            "app.kubernetes.io/managed-by": "mysql-operator",
            "app.kubernetes.io/created-by": "mysql-operator",
        },
    ),
    "mysql-operator": Peer("mysql-operator", "mysql-operator", {"name": "mysql-operator"}),
    "monitoring": Peer("monitoring", "monitoring", {"app.kubernetes.io/name": "prometheus"}),
    "dns": Peer("dns", "kube-system", {"k8s-app": "kube-dns"}),
    "other-namespace": Peer("other", "default", {"app": "anything"}),
    "external": Peer("external", None, address="203.0.113.9"),
    # outside the cluster on a private network (a company's own hosts, a cloud's metadata service)
    "private-host": Peer("private-host", None, address="192.168.1.20"),
    "metadata": Peer("metadata", None, address="169.254.169.254"),
}


def selects(selector: dict | None, labels: dict) -> bool:
    if selector is None:
        return True
    # this evaluator reads matchLabels only; an expression must not pass unread
    assert "matchExpressions" not in selector, f"matchExpressions are not evaluated: {selector}"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def peer_matches(rule_peer: dict, peer: Peer, policy_namespace: str) -> bool:
    if "ipBlock" in rule_peer:
        block = rule_peer["ipBlock"]
        address = ipaddress.ip_address(peer.address)
        inside = address in ipaddress.ip_network(block["cidr"])
        return inside and not any(address in ipaddress.ip_network(e) for e in block.get("except", []))
    if peer.namespace is None:
        return False  # pod and namespace selectors only match pods in the cluster
    if "namespaceSelector" in rule_peer:
        if not selects(rule_peer["namespaceSelector"], peer.ns_labels()):
            return False
    elif peer.namespace != policy_namespace:
        return False
    return selects(rule_peer.get("podSelector"), peer.labels)


def port_matches(rule: dict, port: int, protocol: str) -> bool:
    ports = rule.get("ports")
    return not ports or any(p.get("port") == port and p.get("protocol", "TCP") == protocol for p in ports)


def side_allows(policies, subject: Peer, other: Peer, port: int, protocol: str, direction: str) -> bool:
    """Whether the policies selecting ``subject`` let traffic in/out with ``other``."""
    if subject.namespace != NAMESPACE:
        return True  # no policy of ours applies there
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    relevant = [
        p
        for p in policies
        if direction in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], subject.labels)
    ]
    if not relevant:
        return True
    for policy in relevant:
        for rule in policy["spec"].get(key, []) or []:
            peers = rule.get(peers_key)
            if port_matches(rule, port, protocol) and (
                not peers or any(peer_matches(rp, other, NAMESPACE) for rp in peers)
            ):
                return True
    return False


# The edge proxy that "ingress" stands for in each rendering.
RENDERINGS = {"local": "ingress-nginx", "production": "ingress-nginx", "production-gateway": "gateway"}
# The renderings whose database is the InnoDB Cluster.
INNODB_CLUSTER = ["production", "production-gateway"]


def database_pair(rendering: str, source: str, target: str, port: int) -> tuple[str, str, int]:
    """A pair of the lists below as it reads in `rendering`: with the InnoDB Cluster, the application
    reaches MySQL's 3306 through the Routers (Service tms-db: 3306 -> the Router pods' 6446, the port a
    policy sees), and what the server itself sends or serves (its metrics) is the members'."""
    if rendering not in INNODB_CLUSTER:
        return source, target, port
    if target == "mysql" and port == 3306:
        return source, "router", 6446
    member = {"mysql": "mysql-instance"}
    return member.get(source, source), member.get(target, target), port


EDGES = {"ingress-nginx", "gateway", "other-gateway"}


def allowed(
    policies, source: str, target: str, port: int, protocol: str = "TCP", edge="ingress-nginx"
) -> bool:
    src, dst = (PEERS[edge if name == "ingress" else name] for name in (source, target))
    return side_allows(policies, src, dst, port, protocol, "Egress") and side_allows(
        policies, dst, src, port, protocol, "Ingress"
    )


ALLOWED = [
    ("frontend", "auth", 8001),
    ("frontend", "task", 8002),
    ("auth", "mysql", 3306),
    ("task", "mysql", 3306),
    ("auth", "redis", 6379),
    ("task", "redis", 6379),  # the per-user limits of the task service (docs/decisions.md)
    ("ingress", "frontend", 8080),
    ("ingress", "auth", 8001),
    ("ingress", "task", 8002),
    ("monitoring", "auth", 8001),
    ("monitoring", "task", 8002),
    ("monitoring", "mysql", 9104),
    ("monitoring", "frontend", 9113),
    ("migrate", "mysql", 3306),
    ("maintenance", "mysql", 3306),
    ("backup", "mysql", 3306),
    ("backup", "dns", 53),
    ("restore", "mysql", 3306),
    ("restore", "dns", 53),
    # the off-site copies: S3-compatible object storage over HTTPS on a public address
    ("backup", "external", 443),
    ("restore", "external", 443),
    ("auth", "dns", 53),
    ("task", "dns", 53),
    ("frontend", "dns", 53),
    # the notifications worker: its database, mail servers and push services; only Prometheus calls it
    ("worker", "mysql", 3306),
    ("worker", "dns", 53),
    ("worker", "external", 587),
    ("worker", "external", 465),
    ("worker", "external", 25),
    ("worker", "external", 443),
    ("monitoring", "worker", 9100),
]
BLOCKED = [
    ("frontend", "mysql", 3306),
    ("auth", "task", 8002),
    ("task", "auth", 8001),
    ("external", "mysql", 3306),
    ("other-namespace", "mysql", 3306),
    ("ingress", "mysql", 3306),
    ("monitoring", "mysql", 3306),
    ("frontend", "redis", 6379),
    ("migrate", "redis", 6379),
    ("maintenance", "redis", 6379),
    ("mysql", "redis", 6379),
    ("other-namespace", "redis", 6379),
    ("external", "redis", 6379),
    ("external", "auth", 8001),
    ("other-namespace", "auth", 8001),
    ("redis", "mysql", 3306),
    ("mysql", "auth", 8001),
    ("migrate", "auth", 8001),
    ("auth", "external", 443),
    ("task", "external", 443),
    ("frontend", "external", 443),
    ("mysql", "external", 443),
    ("backup", "auth", 8001),
    ("backup", "task", 8002),
    ("backup", "frontend", 8080),
    ("backup", "redis", 6379),
    ("backup", "mysql", 9104),
    ("backup", "external", 3306),
    ("backup", "private-host", 443),
    ("backup", "metadata", 443),
    ("restore", "metadata", 443),
    ("restore", "auth", 8001),
    ("restore", "redis", 6379),
    ("task", "backup", 3306),
    ("monitoring", "backup", 9104),
    ("worker", "redis", 6379),
    ("worker", "auth", 8001),
    ("worker", "task", 8002),
    ("worker", "frontend", 8080),
    ("worker", "ingress", 443),  # in the cluster: an HTTPS port of a pod is no push service
    ("worker", "private-host", 443),
    ("worker", "private-host", 587),
    ("worker", "metadata", 80),
    ("worker", "metadata", 443),
    ("worker", "external", 80),
    ("worker", "external", 3306),
    ("worker", "external", 6379),
    ("ingress", "worker", 9100),
    ("frontend", "worker", 9100),
    ("auth", "worker", 9100),
    ("task", "worker", 9100),
    ("mysql", "worker", 9100),
    ("external", "worker", 9100),
    ("other-namespace", "worker", 9100),
    ("monitoring", "worker", 8002),
]


def policies_of(docs):
    return [doc for doc in docs if doc["kind"] == "NetworkPolicy"]


@pytest.fixture(params=list(RENDERINGS))
def rendering(request) -> str:
    return request.param


@pytest.fixture
def policies(docs_by_overlay, rendering) -> list[dict]:
    return policies_of(docs_by_overlay[rendering])


@pytest.mark.parametrize(("source", "target", "port"), ALLOWED, ids=[f"{s}->{t}:{p}" for s, t, p in ALLOWED])
def test_allowed_pairs(policies, rendering, source, target, port):
    source, target, port = database_pair(rendering, source, target, port)
    assert allowed(policies, source, target, port, edge=RENDERINGS[rendering])


@pytest.mark.parametrize(("source", "target", "port"), BLOCKED, ids=[f"{s}-x-{t}:{p}" for s, t, p in BLOCKED])
def test_blocked_pairs(policies, rendering, source, target, port):
    source, target, port = database_pair(rendering, source, target, port)
    assert not allowed(policies, source, target, port, edge=RENDERINGS[rendering])


# The InnoDB Cluster's own traffic: application -> Router -> members, group replication among the
# members, the operator -> members; nothing else.
INNODB_ALLOWED = [
    ("auth", "router", 6446),
    ("task", "router", 6446),
    ("auth", "router", 6447),  # the read-only port: a replica for reads (TMS_DB_REPLICA_*)
    ("task", "router", 6447),
    ("worker", "router", 6446),
    ("migrate", "router", 6446),
    ("maintenance", "router", 6446),
    ("backup", "router", 6446),
    ("restore", "router", 6446),
    ("db-bootstrap", "router", 6446),  # TMS's database and account, made as root on the primary
    ("db-bootstrap", "dns", 53),
    ("router", "mysql-instance", 3306),
    ("router", "mysql-instance", 33060),
    ("router", "dns", 53),
    ("mysql-instance", "mysql-instance", 3306),
    ("mysql-instance", "mysql-instance", 33060),
    ("mysql-instance", "mysql-instance", 33061),
    ("mysql-instance", "dns", 53),
    ("mysql-operator", "mysql-instance", 3306),
    ("mysql-operator", "mysql-instance", 33060),
    ("monitoring", "mysql-instance", 9104),
]
INNODB_BLOCKED = [
    # around the Router: straight to a member
    ("auth", "mysql-instance", 3306),
    ("task", "mysql-instance", 3306),
    ("worker", "mysql-instance", 3306),
    ("migrate", "mysql-instance", 3306),
    ("backup", "mysql-instance", 3306),
    ("restore", "mysql-instance", 3306),
    ("db-bootstrap", "mysql-instance", 3306),
    ("db-bootstrap", "mysql-instance", 33060),
    # the bootstrap Job's root session: the read-write port only, and nothing else
    ("db-bootstrap", "router", 6447),
    ("db-bootstrap", "redis", 6379),
    ("db-bootstrap", "auth", 8001),
    ("db-bootstrap", "external", 443),
    ("task", "db-bootstrap", 6446),
    # the Router's other ports: X protocol, read-write split, REST API
    ("auth", "router", 6448),
    ("auth", "router", 6450),
    ("task", "router", 8443),
    # who has no business with the database
    ("frontend", "router", 6446),
    ("ingress", "router", 6446),
    ("monitoring", "router", 6446),
    ("other-namespace", "router", 6446),
    ("external", "router", 6446),
    ("mysql-operator", "router", 6446),
    ("redis", "router", 6446),
    ("frontend", "mysql-instance", 3306),
    ("other-namespace", "mysql-instance", 3306),
    ("other-namespace", "mysql-instance", 33061),
    ("external", "mysql-instance", 3306),
    ("monitoring", "mysql-instance", 3306),
    # and what the database has no business with
    ("router", "redis", 6379),
    ("router", "auth", 8001),
    ("router", "external", 443),
    ("router", "mysql-instance", 33061),
    ("mysql-instance", "router", 6446),
    ("mysql-instance", "redis", 6379),
    ("mysql-instance", "auth", 8001),
    ("mysql-instance", "external", 443),
    ("mysql-instance", "metadata", 80),
]


@pytest.fixture(params=INNODB_CLUSTER)
def innodb_policies(docs_by_overlay, request) -> list[dict]:
    return policies_of(docs_by_overlay[request.param])


@pytest.mark.parametrize(
    ("source", "target", "port"), INNODB_ALLOWED, ids=[f"{s}->{t}:{p}" for s, t, p in INNODB_ALLOWED]
)
def test_innodb_cluster_allowed_pairs(innodb_policies, source, target, port):
    assert allowed(innodb_policies, source, target, port)


@pytest.mark.parametrize(
    ("source", "target", "port"), INNODB_BLOCKED, ids=[f"{s}-x-{t}:{p}" for s, t, p in INNODB_BLOCKED]
)
def test_innodb_cluster_blocked_pairs(innodb_policies, source, target, port):
    assert not allowed(innodb_policies, source, target, port)


def test_the_local_rendering_has_no_innodb_cluster_path(docs_by_overlay):
    # locally the application still reaches the StatefulSet, and nothing reaches operator pods
    local = policies_of(docs_by_overlay["local"])
    assert allowed(local, "auth", "mysql", 3306)
    assert not allowed(local, "auth", "router", 6446)


WEB = [("frontend", 8080), ("auth", 8001), ("task", 8002)]


@pytest.mark.parametrize(("target", "port"), WEB, ids=[f"{t}:{p}" for t, p in WEB])
def test_only_the_renderings_own_edge_proxy_reaches_the_web_pods(policies, rendering, target, port):
    # with the Gateway API, ingress-nginx's namespace is no longer let in (and vice versa), nor a
    # proxy of another Gateway that shares the controller's namespace
    edge = RENDERINGS[rendering]
    assert allowed(policies, edge, target, port)
    for other in sorted(EDGES - {edge}):
        assert not allowed(policies, other, target, port), other


def test_dns_works_over_udp(policies):
    assert allowed(policies, "auth", "dns", 53, "UDP")


def test_the_evaluator_sees_default_deny(policies, rendering):
    # without the component policies, nothing in the namespace would be reachable
    only_default = [p for p in policies if p["metadata"]["name"] == "default-deny"]
    assert not allowed(only_default, "frontend", "auth", 8001)
    assert not allowed(only_default, "ingress", "frontend", 8080, edge=RENDERINGS[rendering])


# Production's counters (k8s/components/valkey-sentinel): the Valkey pods ("redis") carry a
# Sentinel each; the auth and task services ask the Sentinels (26379) where the master is, and
# the members replicate and watch one another. Locally there is one Valkey and no Sentinel.
SENTINEL_RENDERINGS = ["production", "production-gateway"]
SENTINEL_ALLOWED = [
    ("auth", "redis", 26379),
    ("task", "redis", 26379),
    ("redis", "redis", 6379),
    ("redis", "redis", 26379),
    ("redis", "dns", 53),
]
SENTINEL_BLOCKED = [
    ("frontend", "redis", 26379),
    ("worker", "redis", 26379),
    ("migrate", "redis", 26379),
    ("maintenance", "redis", 26379),
    ("backup", "redis", 26379),
    ("monitoring", "redis", 26379),
    ("ingress", "redis", 26379),
    ("other-namespace", "redis", 26379),
    ("external", "redis", 26379),
    ("redis", "auth", 8001),
    ("redis", "mysql", 3306),
    ("redis", "external", 443),
    ("redis", "external", 6379),
]


@pytest.fixture(params=SENTINEL_RENDERINGS)
def sentinel_policies(docs_by_overlay, request) -> list[dict]:
    return policies_of(docs_by_overlay[request.param])


@pytest.mark.parametrize(
    ("source", "target", "port"), SENTINEL_ALLOWED, ids=[f"{s}->{t}:{p}" for s, t, p in SENTINEL_ALLOWED]
)
def test_sentinel_allowed_pairs(sentinel_policies, source, target, port):
    assert allowed(sentinel_policies, source, target, port)


@pytest.mark.parametrize(
    ("source", "target", "port"), SENTINEL_BLOCKED, ids=[f"{s}-x-{t}:{p}" for s, t, p in SENTINEL_BLOCKED]
)
def test_sentinel_blocked_pairs(sentinel_policies, source, target, port):
    assert not allowed(sentinel_policies, source, target, port)


def test_the_local_rendering_has_no_sentinel_path(docs_by_overlay):
    local = policies_of(docs_by_overlay["local"])
    assert allowed(local, "auth", "redis", 6379)
    assert not allowed(local, "auth", "redis", 26379)
    assert not allowed(local, "redis", "redis", 6379)
