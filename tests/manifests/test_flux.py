"""Flux objects and the monitoring stack: CRD-valid, wired together, and using real metrics."""

import functools
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.tools import ROOT, TOOLS_BIN, require_tool

pytestmark = pytest.mark.manifests

CLUSTERS = ["local", "production"]
FLUX_DIRS = [
    *(f"flux/clusters/{cluster}" for cluster in CLUSTERS),
    "flux/infrastructure/monitoring/release",
    "flux/infrastructure/monitoring/config",
    "flux/infrastructure/weave-gitops",
    "flux/infrastructure/mysql-operator",
]
DASHBOARDS = ROOT / "flux/infrastructure/monitoring/config/dashboards"
# The Flux release every cluster is bootstrapped with (docs/operations.md#the-flux-version).
FLUX_VERSION = (ROOT / "flux/FLUX_VERSION").read_text().strip()
# What Flux 2.6 serves, from its upstream CRDs (Flux 2.6.0, as weaveworks/weave-gitops vendored them
# in tools/testcrds/flux.yaml, commit b582a60): kind -> served API versions.
FLUX_2_6_SERVES = {
    "Alert": {"notification.toolkit.fluxcd.io/" + v for v in ("v1beta1", "v1beta2", "v1beta3")},
    "Bucket": {"source.toolkit.fluxcd.io/" + v for v in ("v1", "v1beta1", "v1beta2")},
    "GitRepository": {"source.toolkit.fluxcd.io/" + v for v in ("v1", "v1beta1", "v1beta2")},
    "HelmChart": {"source.toolkit.fluxcd.io/" + v for v in ("v1", "v1beta1", "v1beta2")},
    "HelmRelease": {"helm.toolkit.fluxcd.io/" + v for v in ("v2", "v2beta1", "v2beta2")},
    "HelmRepository": {"source.toolkit.fluxcd.io/" + v for v in ("v1", "v1beta1", "v1beta2")},
    "ImagePolicy": {"image.toolkit.fluxcd.io/" + v for v in ("v1beta1", "v1beta2")},
    "ImageRepository": {"image.toolkit.fluxcd.io/" + v for v in ("v1beta1", "v1beta2")},
    "ImageUpdateAutomation": {"image.toolkit.fluxcd.io/" + v for v in ("v1beta1", "v1beta2")},
    "Kustomization": {"kustomize.toolkit.fluxcd.io/" + v for v in ("v1", "v1beta1", "v1beta2")},
    "OCIRepository": {"source.toolkit.fluxcd.io/" + v for v in ("v1", "v1beta2")},
    "Provider": {"notification.toolkit.fluxcd.io/" + v for v in ("v1beta1", "v1beta2", "v1beta3")},
    "Receiver": {"notification.toolkit.fluxcd.io/" + v for v in ("v1", "v1beta1", "v1beta2")},
}
# The Flux API versions Weave GitOps 0.38.0 (chart 4.0.36, its last release) is built on: its go.mod
# has helm-controller/api v0.35.0 (Flux 2.0), and it reads HelmReleases as v2beta1 only.
WEAVE_GITOPS_READS = {
    "HelmRelease": "helm.toolkit.fluxcd.io/v2beta1",
    "ImageUpdateAutomation": "image.toolkit.fluxcd.io/v1beta1",
    "Kustomization": "kustomize.toolkit.fluxcd.io/v1",
    "GitRepository": "source.toolkit.fluxcd.io/v1",
    "HelmRepository": "source.toolkit.fluxcd.io/v1beta2",
}


@functools.cache  # the files do not change during a run; several tests render the same paths
def kustomize(path: str) -> str:
    kubectl = require_tool("kubectl", "it ships with the machine image")
    result = subprocess.run(
        [kubectl, "kustomize", str(ROOT / path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{path}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def flux_docs() -> dict[str, list[dict]]:
    return {path: [d for d in yaml.safe_load_all(kustomize(path)) if d] for path in FLUX_DIRS}


def by_kind(flux_docs, kind, cluster="local") -> dict[str, dict]:
    """The objects of one kind by name, from the shared directories and one cluster's own."""
    paths = [path for path in flux_docs if not path.startswith("flux/clusters/")]
    paths.append(f"flux/clusters/{cluster}")
    return {d["metadata"]["name"]: d for path in paths for d in flux_docs[path] if d["kind"] == kind}


def crd_check(tmp_path: Path, text: str) -> list[dict]:
    require_tool("checkov", "make test installs .venv-tools")  # same virtualenv as the CRD models
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    result = subprocess.run(
        [str(TOOLS_BIN / "python"), str(ROOT / "tests/support/crd_validate.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("path", FLUX_DIRS)
def test_every_flux_and_prometheus_operator_object_matches_its_crd(tmp_path, path):
    results = crd_check(tmp_path, kustomize(path))
    checked = [r for r in results if not r.get("skipped")]
    assert checked
    assert [r for r in checked if r["errors"]] == []


def test_the_crd_check_catches_unknown_and_wrong_fields(tmp_path, flux_docs):
    kustomization = dict(by_kind(flux_docs, "Kustomization")["tms-app"])
    kustomization["spec"] = {**kustomization["spec"], "intervall": "1m"}
    bad_type = dict(by_kind(flux_docs, "GitRepository")["flux-system"])
    bad_type["spec"] = {**bad_type["spec"], "ref": "master"}
    results = crd_check(tmp_path, yaml.safe_dump_all([kustomization, bad_type]))
    assert any("unknown field spec.intervall" in e for e in results[0]["errors"])
    assert results[1]["errors"]


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_git_source_and_reconciliation_follow_the_architecture(flux_docs, cluster):
    [repository] = by_kind(flux_docs, "GitRepository", cluster).values()
    assert repository["apiVersion"] == "source.toolkit.fluxcd.io/v1"
    assert repository["spec"]["ref"] == {"branch": "master"} and repository["spec"]["interval"] == "30s"
    kustomizations = by_kind(flux_docs, "Kustomization", cluster)
    # the cluster applies its own directory, and the application from its own overlay
    assert kustomizations["flux-system"]["spec"]["path"] == f"./flux/clusters/{cluster}"
    app = kustomizations["tms-app"]["spec"]
    assert app["path"] == f"./k8s/overlays/{cluster}" and app["interval"] == "1m" and app["prune"] is True
    checks = {(c["kind"], c["name"]) for c in app["healthChecks"]}
    # the database: the architecture's StatefulSet locally, the InnoDB Cluster and its Routers in
    # production (k8s/components/mysql-innodbcluster)
    database = {
        "local": {("StatefulSet", "mysql")},
        "production": {("InnoDBCluster", "tms-db"), ("Deployment", "tms-db-router")},
    }[cluster]
    assert checks == {
        ("Deployment", "auth"),
        ("Deployment", "task"),
        ("Deployment", "frontend"),
        ("Deployment", "notifications-worker"),
        *database,
    }
    # a custom resource is healthy by an expression over its status (kstatus cannot read it)
    custom = {c["kind"] for c in app["healthChecks"]} - {"Deployment", "StatefulSet"}
    assert {e["kind"] for e in app.get("healthCheckExprs", [])} == custom


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_kustomizations_are_ordered_and_point_at_paths_that_render(flux_docs, cluster):
    kustomizations = by_kind(flux_docs, "Kustomization", cluster)
    assert set(kustomizations) >= {
        "flux-system",
        "monitoring",
        "monitoring-config",
        "tms-app",
        "weave-gitops",
    }
    assert kustomizations["monitoring-config"]["spec"]["dependsOn"] == [{"name": "monitoring"}]
    for name, kustomization in kustomizations.items():
        for dependency in kustomization["spec"].get("dependsOn", []):
            assert dependency["name"] in kustomizations, f"{name} depends on a Kustomization {cluster} lacks"
        assert kustomize(kustomization["spec"]["path"].removeprefix("./")), name


def depends_on(kustomizations: dict[str, dict], name: str) -> set[str]:
    """Every Kustomization `name` waits for, directly or through others."""
    found: set[str] = set()
    pending = [name]
    while pending:
        for dependency in kustomizations[pending.pop()]["spec"].get("dependsOn", []):
            if dependency["name"] not in found:
                found.add(dependency["name"])
                pending.append(dependency["name"])
    return found


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_the_application_does_not_wait_for_the_monitoring_stack(flux_docs, cluster):
    # A failing Grafana chart (Kustomization monitoring) must not hold back a TMS rollout.
    kustomizations = by_kind(flux_docs, "Kustomization", cluster)
    assert not depends_on(kustomizations, "tms-app") & {"monitoring", "monitoring-config"}
    expected = {"local": set(), "production": {"tms-secrets", "mysql-operator"}}[cluster]
    assert depends_on(kustomizations, "tms-app") == expected


# Where the API groups of custom resources come from: Flux's own from bootstrap (before any
# Kustomization runs); prometheus-operator's from the kube-prometheus-stack chart (crds: Create).
# mysql-operator's (production only) from its chart.
CRD_INSTALLERS = {
    "monitoring.coreos.com": ("HelmRelease", "kube-prometheus-stack"),
    "mysql.oracle.com": ("HelmRelease", "mysql-operator"),
}
BOOTSTRAPPED = re.compile(r".*\.toolkit\.fluxcd\.io")
# Gateway API CRDs come with the cluster's Gateway controller, a prerequisite outside Flux
# (docs/deploy.md); no Kustomization here installs them, so none can be waited for.
CLUSTER_PREREQUISITES = {"gateway.networking.k8s.io"}
BUILT_IN = re.compile(
    r"v1|(apps|batch|autoscaling|policy|networking\.k8s\.io|rbac\.authorization\.k8s\.io)/v\w+"
)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_custom_resources_wait_for_the_kustomization_that_installs_their_crds(flux_docs, cluster):
    # given what each Kustomization of the cluster applies
    kustomizations = by_kind(flux_docs, "Kustomization", cluster)
    applied = {
        name: [d for d in yaml.safe_load_all(kustomize(k["spec"]["path"].removeprefix("./"))) if d]
        for name, k in kustomizations.items()
        if name != "flux-system"  # the cluster's own directory: Flux objects only
    }
    installer_of = {
        group: name
        for group, obj in CRD_INSTALLERS.items()
        for name, docs in applied.items()
        if any((d["kind"], d["metadata"]["name"]) == obj for d in docs)
    }
    # then every object whose CRD a Kustomization installs is applied only after that one is ready
    late = []
    for name, docs in applied.items():
        for doc in docs:
            api_version = doc["apiVersion"]
            group = api_version.split("/")[0]
            if (
                BUILT_IN.fullmatch(api_version)
                or BOOTSTRAPPED.fullmatch(group)
                or group in CLUSTER_PREREQUISITES
            ):
                continue
            assert group in installer_of, f"{doc['kind']} {api_version} in {name}: no known CRD installer"
            if installer_of[group] not in depends_on(kustomizations, name):
                late.append(
                    f"{doc['kind']} {doc['metadata']['name']} in {name}, before {installer_of[group]}"
                )
    assert late == []
    # and there are such objects: the monitoring configuration waits for the stack
    assert installer_of["monitoring.coreos.com"] == "monitoring"
    assert any(d["apiVersion"].startswith("monitoring.coreos.com/") for d in applied["monitoring-config"])
    # production's database waits for the operator that runs it
    if cluster == "production":
        assert installer_of["mysql.oracle.com"] == "mysql-operator"
        assert any(d["kind"] == "InnoDBCluster" for d in applied["tms-app"])


def test_both_clusters_install_the_same_infrastructure(flux_docs):
    local, production = (by_kind(flux_docs, "Kustomization", cluster) for cluster in CLUSTERS)
    for name in ("monitoring", "monitoring-config", "weave-gitops"):
        assert local[name] == production[name], name


def test_production_applies_its_secrets_decrypted_before_the_application(flux_docs):
    kustomizations = by_kind(flux_docs, "Kustomization", "production")
    secrets = kustomizations["tms-secrets"]["spec"]
    assert secrets["path"] == "./k8s/overlays/production/secrets" and secrets["prune"] is True
    assert secrets["wait"] is True  # ready only once every Secret is applied
    # decrypted by the kustomize-controller with the age key created at bootstrap (docs/deploy.md)
    assert secrets["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}
    assert {"name": "tms-secrets"} in kustomizations["tms-app"]["spec"]["dependsOn"]
    # every Kustomization of either cluster that applies a SOPS-encrypted object decrypts it
    for cluster in CLUSTERS:
        for name, kustomization in by_kind(flux_docs, "Kustomization", cluster).items():
            rendered = kustomize(kustomization["spec"]["path"].removeprefix("./"))
            if "\nsops:\n" in rendered:
                assert kustomization["spec"].get("decryption", {}).get("provider") == "sops", (cluster, name)
    # the local cluster has no encrypted Secret: its overlay generates development ones
    assert "tms-secrets" not in by_kind(flux_docs, "Kustomization", "local")


def test_the_monitoring_release(flux_docs):
    release = by_kind(flux_docs, "HelmRelease")["kube-prometheus-stack"]
    assert release["apiVersion"] == "helm.toolkit.fluxcd.io/v2"
    assert release["spec"]["releaseName"] == "kube-prometheus-stack"
    assert re.fullmatch(r"\d+\.\d+\.\d+", release["spec"]["chart"]["spec"]["version"])
    values = release["spec"]["values"]
    prometheus = values["prometheus"]["prometheusSpec"]
    assert (prometheus["retention"], prometheus["scrapeInterval"]) == ("7d", "30s")
    assert (
        prometheus["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "10Gi"
    )
    assert prometheus["resources"] == {
        "requests": {"cpu": "200m", "memory": "512Mi"},
        "limits": {"cpu": "1000m", "memory": "2Gi"},
    }
    grafana = values["grafana"]
    assert grafana["persistence"]["size"] == "5Gi"
    assert grafana["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    assert grafana["admin"]["existingSecret"] == "grafana-admin" and "adminPassword" not in grafana


def test_alerts_route_by_severity_with_credentials_from_a_secret(flux_docs):
    alertmanager = by_kind(flux_docs, "HelmRelease")["kube-prometheus-stack"]["spec"]["values"][
        "alertmanager"
    ]
    config = alertmanager["config"]
    receivers = {r["name"]: r for r in config["receivers"]}
    assert {"slack", "email", "pagerduty"} <= set(receivers)
    routes = {(r["receiver"], r["matchers"][0]) for r in config["route"]["routes"]}
    assert ("pagerduty", 'severity="critical"') in routes and ("email", 'severity="warning"') in routes
    secret_dir = "/etc/alertmanager/secrets/alertmanager-credentials/"
    assert receivers["slack"]["slack_configs"][0]["api_url_file"].startswith(secret_dir)
    assert receivers["pagerduty"]["pagerduty_configs"][0]["routing_key_file"].startswith(secret_dir)
    assert config["global"]["smtp_auth_password_file"].startswith(secret_dir)
    assert alertmanager["alertmanagerSpec"]["secrets"] == ["alertmanager-credentials"]
    text = json.dumps(config)
    for inline in ('"api_url"', '"routing_key"', '"service_key"', '"smtp_auth_password"', "hooks.slack.com"):
        assert inline not in text


def test_service_monitors_cover_every_service_and_are_selected(flux_docs):
    monitors = by_kind(flux_docs, "ServiceMonitor")
    assert set(monitors) == {
        "auth-service-monitor",
        "task-service-monitor",
        "frontend-monitor",
        "mysql-monitor",
        "notifications-worker-monitor",
    }
    for monitor in monitors.values():
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["tms-app"]}


def test_rules_have_severity_and_runbooks(flux_docs):
    [rule_set] = by_kind(flux_docs, "PrometheusRule").values()
    assert rule_set["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    rules = [rule for group in rule_set["spec"]["groups"] for rule in group["rules"]]
    assert len(rules) == 16
    operations = (ROOT / "docs/operations.md").read_text()
    for rule in rules:
        assert rule["labels"]["severity"] in ("critical", "warning")
        anchor = rule["annotations"]["runbook_url"].split("#")[1]
        assert f'<a id="{anchor}"></a>' in operations, f"docs/operations.md has no runbook for {anchor}"


def test_backup_alerts_watch_the_backup_cronjob_with_kube_state_metrics_series(flux_docs):
    [rule_set] = by_kind(flux_docs, "PrometheusRule").values()
    groups = {group["name"]: group["rules"] for group in rule_set["spec"]["groups"]}
    rules = {rule["alert"]: rule for rule in groups["tms-backup"]}
    assert set(rules) == {"TmsBackupFailed", "TmsBackupTooOld", "TmsBackupOffsiteMissing"}
    cronjob = yaml.safe_load((ROOT / "k8s/base/backup/cronjob.yaml").read_text())["metadata"]["name"]
    # Jobs a CronJob creates are named <cronjob>-<minutes since the epoch>
    failed = rules["TmsBackupFailed"]["expr"]
    assert f'job_name=~"{cronjob}-.+"' in failed and "kube_job_failed{" in failed
    assert 'condition="true"' in failed
    assert f'kube_cronjob_status_last_successful_time{{namespace="tms-app", cronjob="{cronjob}"}}' in failed
    too_old = rules["TmsBackupTooOld"]["expr"]
    assert "kube_cronjob_status_last_successful_time{" in too_old and "> 26 * 3600" in too_old
    assert f'absent(kube_cronjob_created{{namespace="tms-app", cronjob="{cronjob}"}})' in too_old
    assert rules["TmsBackupTooOld"]["labels"]["severity"] == "critical"
    # the off-site copy: what the check CronJob finds in the bucket, seen through its Jobs
    check = yaml.safe_load((ROOT / "k8s/base/backup/offsite-check-cronjob.yaml").read_text())["metadata"][
        "name"
    ]
    assert not check.startswith(f"{cronjob}-")  # TmsBackupFailed's Jobs are the backup's alone
    missing = rules["TmsBackupOffsiteMissing"]["expr"]
    assert f'job_name=~"{check}-.+"' in missing and 'condition="true"' in missing
    assert f'kube_cronjob_status_last_successful_time{{namespace="tms-app", cronjob="{check}"}}' in missing
    assert "> 13 * 3600" in missing  # two missed six-hourly checks
    assert f'absent(kube_cronjob_created{{namespace="tms-app", cronjob="{check}"}})' in missing
    assert rules["TmsBackupOffsiteMissing"]["labels"]["severity"] == "critical"


def test_the_notification_alerts_watch_the_workers_metrics_port(flux_docs):
    [rule_set] = by_kind(flux_docs, "PrometheusRule").values()
    groups = {group["name"]: group["rules"] for group in rule_set["spec"]["groups"]}
    rules = {rule["alert"]: rule for rule in groups["tms-notifications"]}
    assert set(rules) == {
        "TmsNotificationLag",
        "TmsNotificationDeliveriesFailing",
        "TmsWebhookAttemptsFailing",
    }
    lag = rules["TmsNotificationLag"]
    assert 'max(tms_notification_lag_seconds{namespace="tms-app"}) > 300' in lag["expr"]
    # a worker that is not running (or not scraped) reports no lag at all: that alerts too
    assert 'absent(tms_notification_lag_seconds{namespace="tms-app"})' in lag["expr"]
    assert lag["for"] == "5m"
    failing = rules["TmsNotificationDeliveriesFailing"]["expr"]
    assert "tms_notifications_failed_total{" in failing and "tms_notifications_sent_total{" in failing
    webhooks = rules["TmsWebhookAttemptsFailing"]["expr"]
    assert 'tms_webhook_attempts_total{namespace="tms-app", outcome!="succeeded"}' in webhooks
    assert webhooks.strip().endswith("> 0.5")
    # the monitor scrapes the port the worker's Deployment and Service name metrics
    monitor = by_kind(flux_docs, "ServiceMonitor")["notifications-worker-monitor"]["spec"]
    assert monitor["selector"] == {"matchLabels": {"app.kubernetes.io/name": "notifications-worker"}}
    assert [(e["port"], e["path"]) for e in monitor["endpoints"]] == [("metrics", "/metrics")]
    service = yaml.safe_load((ROOT / "k8s/base/notifications-worker/service.yaml").read_text())
    assert [p["name"] for p in service["spec"]["ports"]] == ["metrics"]


def test_the_weave_gitops_dashboard(flux_docs):
    repository = by_kind(flux_docs, "HelmRepository")["ww-gitops"]["spec"]
    assert (repository["type"], repository["url"]) == ("oci", "oci://ghcr.io/weaveworks/charts")
    release = by_kind(flux_docs, "HelmRelease")["ww-gitops"]
    assert release["metadata"]["namespace"] == "flux-system"
    spec = release["spec"]
    # release ww-gitops + chart weave-gitops: Service ww-gitops-weave-gitops, as port-forwarded in the docs
    assert (spec["releaseName"], spec["chart"]["spec"]["chart"]) == ("ww-gitops", "weave-gitops")
    assert re.fullmatch(r"\d+\.\d+\.\d+", spec["chart"]["spec"]["version"])
    assert spec["chart"]["spec"]["sourceRef"] == {
        "kind": "HelmRepository",
        "name": "ww-gitops",
        "namespace": "flux-system",
    }
    values = spec["values"]
    assert values["service"]["port"] == 9001 and values["ingress"]["enabled"] is False
    assert values["adminUser"]["create"] is True and "passwordHash" not in values["adminUser"]
    assert values["rbac"]["impersonationResourceNames"] == [values["adminUser"]["username"]]
    # the password hash comes from a Secret made by hand, never from git
    assert spec["valuesFrom"] == [
        {
            "kind": "Secret",
            "name": "weave-gitops-admin",
            "valuesKey": "passwordHash",
            "targetPath": "adminUser.passwordHash",
            "optional": False,
        }
    ]
    assert "$2" not in json.dumps(release)
    operations = (ROOT / "docs/operations.md").read_text()
    assert "kubectl -n flux-system port-forward svc/ww-gitops-weave-gitops 9001:9001" in operations
    assert "create secret generic weave-gitops-admin" in operations
    # Flux applies it from flux/clusters/local
    dashboard = by_kind(flux_docs, "Kustomization")["weave-gitops"]["spec"]
    assert dashboard["path"] == "./flux/infrastructure/weave-gitops" and dashboard["prune"] is True


@pytest.mark.parametrize(
    ("name", "uid", "title"),
    [
        ("tms-application.json", "tms-application", "TMS application"),
        ("tms-mysql.json", "tms-mysql", "TMS MySQL"),
    ],
)
def test_dashboards_are_valid_with_unique_panel_ids_and_a_stable_uid(name, uid, title):
    dashboard = json.loads((DASHBOARDS / name).read_text())
    assert (dashboard["uid"], dashboard["title"]) == (uid, title)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert all(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])


def test_dashboards_are_generated_for_the_grafana_sidecar(flux_docs):
    configmap = next(d for docs in flux_docs.values() for d in docs if d["kind"] == "ConfigMap")
    assert configmap["metadata"]["labels"] == {"grafana_dashboard": "1"}
    assert set(configmap["data"]) == {"tms-application.json", "tms-mysql.json"}


def vendored_flux_serves() -> dict[str, set[str]]:
    """Kind -> served API versions of the Flux CRDs the API server check loads."""
    [bundle] = (ROOT / "tests/manifests/crds").glob("flux-*.yaml")
    served: dict[str, set[str]] = {}
    for crd in yaml.safe_load_all(bundle.read_text()):
        if crd and crd.get("kind") == "CustomResourceDefinition":
            versions = {f"{crd['spec']['group']}/{v['name']}" for v in crd["spec"]["versions"] if v["served"]}
            served[crd["spec"]["names"]["kind"]] = versions
    return served


def test_flux_is_pinned_to_the_newest_minor_weave_gitops_can_read():
    # Flux 2.7 stopped serving helm.toolkit.fluxcd.io/v2beta1, the only HelmRelease version Weave
    # GitOps 0.38 reads (weave-gitops issue #5223): the dashboard then shows no HelmRelease.
    assert re.fullmatch(r"v2\.6\.\d+", FLUX_VERSION), FLUX_VERSION
    assert all(WEAVE_GITOPS_READS[kind] in FLUX_2_6_SERVES[kind] for kind in WEAVE_GITOPS_READS)
    assert WEAVE_GITOPS_READS["HelmRelease"] not in vendored_flux_serves()["HelmRelease"]
    release = yaml.safe_load((ROOT / "flux/infrastructure/weave-gitops/helmrelease.yaml").read_text())
    assert release["spec"]["chart"]["spec"]["version"] == "4.0.36"


def test_every_documented_flux_install_uses_the_pinned_version():
    # every `flux bootstrap` / `flux install` command in the docs' shell blocks, with its continuation lines
    commands = []
    for doc in ("docs/deploy.md", "docs/operations.md"):
        text = "\n".join(re.findall(r"```(?:sh|bash)\n(.*?)```", (ROOT / doc).read_text(), re.DOTALL))
        commands += [(doc, c) for c in re.findall(r"flux (?:bootstrap|install)\b(?:[^\n]*\\\n)*[^\n]*", text)]
    assert len(commands) >= 2, "the local and production bootstraps"
    # the file itself (from the repository's root), or its value written out
    pinned = ('--version="$(cat flux/FLUX_VERSION)"', f"--version={FLUX_VERSION}")
    unpinned = [f"{doc}: {command}" for doc, command in commands if not any(p in command for p in pinned)]
    assert unpinned == []


def test_every_flux_api_version_tms_uses_is_served_by_the_pinned_flux_and_by_the_checked_crds():
    # The API server check loads Flux 2.7.0's CRDs; the clusters run 2.6: what TMS ships must be
    # served by both, so the check stays valid for what the clusters run.
    used = {
        (doc["kind"], doc["apiVersion"])
        for path in (ROOT / "flux").rglob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc and ".toolkit.fluxcd.io/" in doc.get("apiVersion", "")
    }
    assert {kind for kind, _ in used} >= {"GitRepository", "Kustomization", "HelmRepository", "HelmRelease"}
    vendored = vendored_flux_serves()
    for kind, api_version in used:
        assert api_version in FLUX_2_6_SERVES[kind], f"{kind} {api_version}: not served by Flux 2.6"
        assert api_version in vendored[kind], f"{kind} {api_version}: not served by the vendored CRDs"
