"""The rendering's database, in whichever form it runs: the architecture's StatefulSet `mysql`
(local), or production's InnoDBCluster `tms-db`, whose pods the MySQL Operator creates
(k8s/components/mysql-innodbcluster). The tests that read the server ask here instead of assuming
one form."""

INNODB_CLUSTER_NAME = "tms-db"
# The ports the application's pods open to the database: MySQL's own, or the Routers' read-write and
# read-only ports (the Service tms-db maps its 3306 to 6446; a NetworkPolicy sees the pod's port).
STATEFULSET_PORTS = {3306}
ROUTER_PORTS = {6446, 6447}


def innodb_cluster(docs: list[dict]) -> dict | None:
    found = [doc for doc in docs if doc["kind"] == "InnoDBCluster"]
    assert len(found) <= 1, [doc["metadata"]["name"] for doc in found]
    return found[0] if found else None


def statefulset(docs: list[dict]) -> dict | None:
    return next((d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "mysql"), None)


def server_version(docs: list[dict]) -> str:
    """The MySQL version the rendering runs: the StatefulSet's image tag, or the cluster's spec.version."""
    cluster = innodb_cluster(docs)
    if cluster is not None:
        assert statefulset(docs) is None, "both a StatefulSet mysql and an InnoDBCluster"
        return cluster["spec"]["version"]
    return image_tag(server_container(docs)["image"])


def server_container(docs: list[dict]) -> dict:
    """The mysql container: the StatefulSet's, or what the InnoDBCluster's podSpec sets on the
    operator's (resources only; the operator supplies image, ports and probes)."""
    cluster = innodb_cluster(docs)
    if cluster is not None:
        containers = cluster["spec"]["podSpec"]["containers"]
    else:
        mysql = statefulset(docs)
        assert mysql is not None, "no database in the rendering"
        containers = mysql["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == "mysql")


def client_ports(docs: list[dict]) -> set[int]:
    return ROUTER_PORTS if innodb_cluster(docs) is not None else STATEFULSET_PORTS


def image_tag(image: str) -> str:
    """mysql:8.4.11@sha256:… -> 8.4.11"""
    return image.split("@")[0].rsplit(":", 1)[1]


def selects_operator_pods(selector: dict) -> bool:
    """A selector over the operator's pods (they carry mysql.oracle.com/cluster), which no rendering holds."""
    return "mysql.oracle.com/cluster" in selector.get("matchLabels", selector)
