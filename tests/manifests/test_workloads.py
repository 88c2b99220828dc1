"""What every workload must have, and the deployment's numbers (resources, replicas, probes)."""

import re

import pytest
import yaml

from tests.manifests.database import innodb_cluster, selects_operator_pods, server_container, server_version
from tests.support.tools import ROOT

pytestmark = pytest.mark.manifests

POD_KINDS = ("Deployment", "StatefulSet", "Job", "CronJob")


def objects(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_spec(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def pod_labels(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["metadata"]["labels"]


def workloads(docs):
    return [doc for doc in docs if doc["kind"] in POD_KINDS]


def containers(doc):
    spec = pod_spec(doc)
    return spec.get("initContainers", []) + spec["containers"]


def matches(selector: dict, labels: dict) -> bool:
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def test_the_namespace_enforces_the_restricted_pod_security_standard(docs):
    namespace = objects(docs, "Namespace")["tms-app"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {doc["metadata"].get("namespace") for doc in docs if doc["kind"] != "Namespace"} == {"tms-app"}


def test_every_container_has_requests_limits_and_a_pinned_image(docs):
    for doc in workloads(docs):
        for container in containers(doc):
            name = f"{doc['metadata']['name']}/{container['name']}"
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(
                resources["limits"]
            ), name
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), name


def test_every_long_running_container_has_both_probes(docs):
    for doc in workloads(docs):
        if doc["kind"] in ("Job", "CronJob"):
            continue
        for container in pod_spec(doc)["containers"]:
            assert "readinessProbe" in container and "livenessProbe" in container, container["name"]


def test_every_pod_is_restricted(docs):
    for doc in workloads(docs):
        spec = pod_spec(doc)
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 1000
        assert pod["seccompProfile"]["type"] == "RuntimeDefault"
        for container in containers(doc):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"]["drop"] == ["ALL"]
            assert context["runAsUser"] == 1000
        tmp = [m for c in spec["containers"] for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        if doc["metadata"]["name"] not in ("redis",):
            assert tmp, f"{doc['metadata']['name']} needs a writable /tmp"


def test_every_pod_has_its_own_service_account_and_no_token_unless_needed(docs):
    accounts = objects(docs, "ServiceAccount")
    for doc in workloads(docs):
        spec = pod_spec(doc)
        assert spec["serviceAccountName"] in accounts
        needs_token = doc["metadata"]["name"] == "jwt-keygen"
        assert spec["automountServiceAccountToken"] is needs_token
    # production's database pods are the MySQL Operator's, with its own account (tms-db-sidecar-sa)
    database = () if innodb_cluster(docs) else ("mysql-sa",)
    for name in ("frontend-sa", "auth-sa", "task-sa", *database):
        assert accounts[name]["automountServiceAccountToken"] is False


def test_every_pod_is_selected_by_a_network_policy_besides_default_deny(docs):
    policies = [p for p in objects(docs, "NetworkPolicy").values() if p["spec"]["podSelector"]]
    for doc in workloads(docs):
        labels = pod_labels(doc)
        assert any(matches(p["spec"]["podSelector"], labels) for p in policies), doc["metadata"]["name"]
    assert objects(docs, "NetworkPolicy")["default-deny"]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }


def test_services_select_pods_and_target_named_ports(docs):
    pods = [(pod_labels(doc), pod_spec(doc)) for doc in workloads(docs)]
    for name, service in objects(docs, "Service").items():
        if selects_operator_pods(service["spec"]["selector"]):
            continue  # pods the MySQL Operator makes: tests/manifests/test_innodbcluster.py
        selected = [
            spec for labels, spec in pods if matches({"matchLabels": service["spec"]["selector"]}, labels)
        ]
        assert selected, f"{name} selects no pod"
        ports = {p["name"] for spec in selected for c in spec["containers"] for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, f"{name}:{port['port']}"


def test_the_seed_services_and_ports(docs):
    services = objects(docs, "Service")
    expected = {"frontend-service": 80, "auth-service": 8001, "task-service": 8002, "mysql-service": 3306}
    if innodb_cluster(docs):  # production: the operator's Service tms-db, in front of the Routers
        del expected["mysql-service"]
    for name, port in expected.items():
        assert services[name]["spec"]["type"] == "ClusterIP"
        assert port in [p["port"] for p in services[name]["spec"]["ports"]]


def test_ingress_routes_and_backends_exist(docs):
    services = objects(docs, "Service")
    [ingress] = objects(docs, "Ingress").values()
    routes = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] in services
            assert backend["port"]["number"] in [
                p["port"] for p in services[backend["name"]]["spec"]["ports"]
            ]
            routes[path["path"]] = backend["name"]
    assert routes == {
        "/": "frontend-service",
        "/api/auth": "auth-service",
        "/admin": "auth-service",
        "/static": "auth-service",
        "/api/tasks": "task-service",
    }


def test_the_ingress_maps_no_public_path_onto_another(docs):
    # /metrics and the probes stay out of reach only while every route is a plain prefix:
    # no regex paths, rewrites or configuration snippets (docs/decisions.md).
    [ingress] = objects(docs, "Ingress").values()
    risky = {"use-regex", "rewrite-target", "configuration-snippet", "server-snippet", "app-root"}
    annotations = ingress["metadata"].get("annotations", {})
    assert not [key for key in annotations if key.rsplit("/", 1)[-1] in risky]
    path_types = {path["pathType"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
    assert path_types == {"Prefix"}


SEED_RESOURCES = {
    ("Deployment", "frontend", "frontend"): ("50m", "64Mi"),
    ("Deployment", "auth", "auth"): ("100m", "128Mi"),
    ("Deployment", "task", "task"): ("100m", "128Mi"),
    ("StatefulSet", "mysql", "mysql"): ("500m", "1Gi"),
}


def production_sizing() -> dict[tuple[str, str], dict]:
    """The production overlay's auth and task, sized by the capacity model (docs/scaling.md): the
    resources and maxReplicas in k8s/overlays/production/sizing.yaml, which `make capacity` writes."""
    path = ROOT / "k8s" / "overlays" / "production" / "sizing.yaml"
    docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return {(doc["kind"], doc["metadata"]["name"]): doc["spec"] for doc in docs}


def test_the_seed_resource_requests(docs, overlay):
    sized = production_sizing() if overlay == "production" else {}
    for (kind, name, container_name), (cpu, memory) in SEED_RESOURCES.items():
        if (kind, name) == ("StatefulSet", "mysql"):
            container = server_container(docs)  # production: the InnoDBCluster's podSpec
        else:
            container = next(
                c for c in pod_spec(objects(docs, kind)[name])["containers"] if c["name"] == container_name
            )
        if (kind, name) == ("StatefulSet", "mysql") and sized:
            [patched] = sized["InnoDBCluster", "tms-db"]["podSpec"]["containers"]
            assert container["resources"] == patched["resources"]
        elif (kind, name) in sized:
            [patched] = sized[kind, name]["template"]["spec"]["containers"]
            assert container["resources"] == patched["resources"]
        else:
            assert container["resources"]["requests"] == {"cpu": cpu, "memory": memory}


def test_mysql_storage(docs, overlay):
    cluster = innodb_cluster(docs)
    if cluster:  # production: the operator's StatefulSet, from the InnoDBCluster
        claim = cluster["spec"]["datadirVolumeClaimTemplate"]
        assert claim["resources"]["requests"]["storage"] == "10Gi" and "storageClassName" not in claim
        assert server_version(docs).startswith("8.4.") and cluster["spec"]["metrics"]["enable"] is True
        return
    mysql = objects(docs, "StatefulSet")["mysql"]
    [claim] = mysql["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert claim["spec"].get("storageClassName") == ("local-path" if overlay == "local" else None)
    assert mysql["spec"]["template"]["spec"]["containers"][0]["image"].startswith("mysql:8.4")
    assert any(c["name"] == "exporter" for c in mysql["spec"]["template"]["spec"]["containers"])


def test_hpas_match_the_seed_and_own_the_replica_count(docs, overlay):
    deployments = objects(docs, "Deployment")
    hpas = objects(docs, "HorizontalPodAutoscaler")
    minimum = 1 if overlay == "local" else 2
    sized = production_sizing() if overlay == "production" else {}
    for name, seed_maximum in {"frontend": 5, "auth": 10, "task": 10}.items():
        maximum = sized.get(("HorizontalPodAutoscaler", f"{name}-hpa"), {}).get("maxReplicas", seed_maximum)
        hpa = hpas[f"{name}-hpa"]["spec"]
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (minimum, maximum)
        targets = {
            m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["metrics"]
        }
        assert targets == {"cpu": 70, "memory": 80}
        assert "replicas" not in deployments[name]["spec"]


def test_pdbs(docs, overlay):
    pdbs = objects(docs, "PodDisruptionBudget")
    # production's counters (k8s/components/valkey-sentinel): two of three members, a quorum
    counters = pdbs.pop("redis-pdb", None)
    assert (counters is not None) == (overlay == "production")
    if counters:
        assert counters["spec"]["minAvailable"] == 2
        assert counters["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "redis"}
    # production's Routers (k8s/components/mysql-innodbcluster; the members' budget is the operator's)
    routers = pdbs.pop("tms-db-router-pdb", None)
    assert (routers is not None) == (innodb_cluster(docs) is not None)
    assert set(pdbs) == {"frontend-pdb", "auth-pdb", "task-pdb"}
    for name, pdb in pdbs.items():
        assert pdb["spec"]["minAvailable"] == 1
        assert pdb["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name.removesuffix("-pdb")}


def test_probes_and_rolling_updates_follow_the_seed(docs):
    for name in ("frontend", "auth", "task"):
        deployment = objects(docs, "Deployment")[name]
        # maxUnavailable 0 (the seed had 1): a new pod is ready before an old one goes (issue #20)
        assert deployment["spec"]["strategy"] == {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
        }
        main = pod_spec(deployment)["containers"][0]
        readiness, liveness = main["readinessProbe"], main["livenessProbe"]
        assert (readiness["initialDelaySeconds"], readiness["periodSeconds"]) == (10, 5)
        assert (liveness["initialDelaySeconds"], liveness["periodSeconds"]) == (30, 10)
        assert "startupProbe" in main
        if name != "frontend":
            assert readiness["httpGet"]["path"] == "/readyz" and liveness["httpGet"]["path"] == "/healthz"


PRESTOP = re.compile(r'touch "\$TMS_DRAIN_FILE" && sleep (\d+)')
# ingress-nginx applies endpoint changes at most 0.3 times a second (--sync-rate-limit), and its
# Lua balancer picks them up within a second more.
INGRESS_SYNC_SECONDS = 4.3


def drain(deployment: dict) -> dict:
    """The numbers a backend pod's stop is made of (bench/upgrade.py reads the same ones)."""
    spec = pod_spec(deployment)
    main = spec["containers"][0]
    command = main["lifecycle"]["preStop"]["exec"]["command"]
    assert command[:2] == ["/bin/sh", "-c"], command
    found = PRESTOP.fullmatch(command[2])
    assert found, command
    return {
        "pre_stop": int(found[1]),
        "grace": spec["terminationGracePeriodSeconds"],
        "readiness": main["readinessProbe"],
        "env": {item["name"]: item.get("value") for item in main["env"]},
        "tmp": [m for m in main["volumeMounts"] if m["mountPath"] == "/tmp"],
    }


def test_backend_pods_drain_before_they_stop(docs):
    config = objects(docs, "ConfigMap")["tms-config"]["data"]
    graceful = int(config["GUNICORN_GRACEFUL_TIMEOUT"])
    for name in ("auth", "task"):
        found = drain(objects(docs, "Deployment")[name])
        readiness = found["readiness"]
        # the preStop hook writes its flag where the pod may write (the read-only root has /tmp only)
        assert found["env"]["TMS_DRAIN_FILE"].startswith("/tmp/") and found["tmp"], name
        # it waits until the readiness probe has failed often enough to take the pod out of the endpoints,
        # and the ingress has heard of it
        unready_after = readiness["periodSeconds"] * readiness["failureThreshold"]
        assert found["pre_stop"] > unready_after + INGRESS_SYNC_SECONDS, name
        # and the kubelet waits for the hook and for gunicorn's graceful stop before it kills anything
        assert found["grace"] > found["pre_stop"] + graceful, name


def test_the_frontend_keeps_serving_until_the_ingress_has_dropped_it(docs):
    spec = pod_spec(objects(docs, "Deployment")["frontend"])
    pre_stop = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert 0 < pre_stop < spec.get("terminationGracePeriodSeconds", 30)


def test_only_auth_pods_get_the_private_key(docs):
    for doc in workloads(docs):
        for volume in pod_spec(doc).get("volumes", []):
            if volume.get("secret", {}).get("secretName") not in ("jwt-secret", "jwt-previous"):
                continue
            keys = {item["key"] for item in volume["secret"]["items"]}
            expected = (
                {"jwt-private.pem", "jwt-public.pem"}
                if doc["metadata"]["name"] == "auth"
                else {"jwt-public.pem"}
            )
            assert keys == expected, doc["metadata"]["name"]


def test_no_real_secret_in_git(docs, overlay):
    secrets = objects(docs, "Secret")
    if overlay == "production":
        assert secrets == {}
    else:
        import base64

        for secret in secrets.values():
            for key, value in secret["data"].items():
                text = base64.b64decode(value).decode()
                # a VAPID public key is public by design; test_the_local_vapid_pair_is_a_development_one
                assert key.startswith(
                    ("TMS_DB_HOST", "TMS_DB_PORT", "TMS_DB_NAME", "TMS_DB_USER", "TMS_VAPID_PUBLIC_KEY")
                ) or text.startswith("development-only"), key


def test_the_local_vapid_pair_is_a_development_one(docs, overlay):
    """The local cluster's Web Push keys work (push can be tried there), and the private half is
    the one spelled development-only: the public key in git belongs to no real key."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if overlay == "production":
        assert "vapid-keys" not in objects(docs, "Secret")  # created outside git (docs/operations.md)
        return
    [secret] = [s for name, s in objects(docs, "Secret").items() if name.startswith("vapid-keys")]
    data = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert set(data) == {"TMS_VAPID_PUBLIC_KEY", "TMS_VAPID_PRIVATE_KEY"}
    private = data["TMS_VAPID_PRIVATE_KEY"]
    assert private.startswith("development-only")
    scalar = int.from_bytes(base64.urlsafe_b64decode(private + "=" * (-len(private) % 4)), "big")
    public = ec.derive_private_key(scalar, ec.SECP256R1()).public_key()
    raw = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    assert base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == data["TMS_VAPID_PUBLIC_KEY"]


def test_rbac_reads_only_named_secrets(docs):
    reader = objects(docs, "Role")["secret-reader"]
    assert reader["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["jwt-secret"], "verbs": ["get"]}
    ]
    binding = objects(docs, "RoleBinding")["secret-reader"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "jwt-keygen-sa", "namespace": "tms-app"}
    ]


def test_migrations_run_in_a_job_and_pods_wait(docs):
    job = objects(docs, "Job")["tms-migrate"]
    assert pod_spec(job)["containers"][0]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("auth", "task"):
        init = pod_spec(objects(docs, "Deployment")[name])["initContainers"][0]
        assert init["command"][:3] == ["python", "manage.py", "wait_for_migrations"]
    # the backend's maintenance CronJobs (the backup and its off-site check: test_backup.py)
    cronjobs = {
        n: c for n, c in objects(docs, "CronJob").items() if n not in ("mysql-backup", "backup-offsite-check")
    }
    commands = {name: pod_spec(c)["containers"][0]["command"][2] for name, c in cronjobs.items()}
    assert commands == {"flush-expired-sessions": "flush_expired_sessions", "purge-trash": "purge_trash"}


def test_replicas_of_each_scaled_service_spread_over_nodes_and_zones(docs):
    hpas = objects(docs, "HorizontalPodAutoscaler").values()
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in hpas}
    assert scaled == {"auth", "task", "frontend"}
    for name in scaled:
        deployment = objects(docs, "Deployment")[name]
        constraints = pod_spec(deployment).get("topologySpreadConstraints", [])
        keys = {constraint["topologyKey"] for constraint in constraints}
        assert keys == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}, name
        for constraint in constraints:
            assert constraint["maxSkew"] == 1
            # Soft: a cluster with fewer nodes than replicas still schedules every replica.
            assert constraint["whenUnsatisfiable"] == "ScheduleAnyway"
            assert constraint["labelSelector"] == {"matchLabels": {"app.kubernetes.io/name": name}}
            assert matches(constraint["labelSelector"], pod_labels(deployment))
            assert constraint["matchLabelKeys"] == ["pod-template-hash"]
