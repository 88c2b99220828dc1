"""The Gateway API variant (k8s/components/gateway-api, example overlay production-gateway).

It must route exactly as the production Ingress does, with the same timeouts, change nothing but
the Ingress and the edge proxy's place in three NetworkPolicies, and pass the same offline checks
(strict schemas, checkov). The HTTPRoute itself is judged by the real API server check
(test_server_side_apply.py), since kubernetes-validate has no schema for it. The knobs docs/deploy.md
documents (another Gateway, another implementation's data-plane pods) are rendered from the document
itself.
"""

import copy
import os
import re
import subprocess
import textwrap

import pytest
import yaml
from django.conf import settings

from tests.manifests.test_network_matrix import PEERS, Peer, policies_of, side_allows
from tests.manifests.test_validation import validate
from tests.support.tools import ROOT, checkov, require_tool

pytestmark = pytest.mark.manifests

VARIANT = "production-gateway"
EDGE_POLICIES = {"frontend-np", "auth-np", "task-np"}
DEPLOY_DOC = ROOT / "docs/deploy.md"


def only(docs: list[dict], kind: str) -> dict:
    [found] = [doc for doc in docs if doc["kind"] == kind]
    return found


def ingress_routes(ingress: dict) -> dict[tuple[str | None, str], tuple[str, int]]:
    """(host, path prefix) -> (service, port) of an Ingress whose paths are all prefixes."""
    routes = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["pathType"] == "Prefix"
            service = path["backend"]["service"]
            routes[(rule.get("host"), path["path"])] = (service["name"], service["port"]["number"])
    return routes


def httproute_routes(route: dict) -> dict[tuple[str | None, str], tuple[str, int]]:
    """The same map for an HTTPRoute: every match a path prefix, one backend per rule."""
    routes = {}
    for host in route["spec"].get("hostnames") or [None]:
        for rule in route["spec"]["rules"]:
            [backend] = rule["backendRefs"]
            assert set(rule) <= {"matches", "backendRefs", "timeouts"}, "no filters: nothing rewritten"
            for match in rule["matches"]:
                assert set(match) == {"path"} and match["path"]["type"] == "PathPrefix"
                routes[(host, match["path"]["value"])] = (backend["name"], backend["port"])
    return routes


@pytest.fixture(scope="module")
def production(docs_by_overlay) -> list[dict]:
    return docs_by_overlay["production"]


@pytest.fixture(scope="module")
def variant(docs_by_overlay) -> list[dict]:
    return docs_by_overlay[VARIANT]


def test_the_httproute_routes_as_the_ingress_does(production, variant):
    ingress = only(production, "Ingress")
    route = only(variant, "HTTPRoute")
    assert httproute_routes(route) == ingress_routes(ingress)
    services = {doc["metadata"]["name"]: doc for doc in variant if doc["kind"] == "Service"}
    for name, port in httproute_routes(route).values():
        assert port in [p["port"] for p in services[name]["spec"]["ports"]], (name, port)


def test_the_httproute_has_the_ingress_timeouts(production, variant):
    # ingress-nginx's proxy-read-timeout bounds each answer of the backend; the HTTPRoute bounds the
    # backend's answer (backendRequest) and, with no retries, the whole request by the same time
    annotations = only(production, "Ingress")["metadata"]["annotations"]
    seconds = int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"])
    for rule in only(variant, "HTTPRoute")["spec"]["rules"]:
        assert rule["timeouts"] == {"request": f"{seconds}s", "backendRequest": f"{seconds}s"}
        assert "retry" not in rule


def test_the_body_limits_are_tms_own_where_the_gateway_api_has_none(production, variant):
    # The Gateway API has no body-size field (docs/decisions.md): behind a Gateway the application's
    # limits decide, with the API's JSON 413. They must be what the Ingress lets through, and the
    # variant must not lower them in tms-config.
    size = only(production, "Ingress")["metadata"]["annotations"][
        "nginx.ingress.kubernetes.io/proxy-body-size"
    ]
    assert size == "10m" and settings.TMS_MAX_IMPORT_BYTES == 10 * 1024 * 1024
    assert settings.TMS_MAX_BODY_BYTES <= settings.TMS_MAX_IMPORT_BYTES
    config = next(
        doc for doc in variant if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "tms-config"
    )
    assert not {"TMS_MAX_BODY_BYTES", "TMS_MAX_IMPORT_BYTES"} & set(config["data"])


def without_edge(docs: list[dict]) -> list[dict]:
    """The objects with the Ingress/HTTPRoute left out and the edge proxy's peer blanked."""
    kept = []
    for doc in docs:
        if doc["kind"] in ("Ingress", "HTTPRoute"):
            continue
        doc = copy.deepcopy(doc)
        if doc["kind"] == "NetworkPolicy" and doc["metadata"]["name"] in EDGE_POLICIES:
            doc["spec"]["ingress"][0]["from"][0] = "the edge proxy"
        kept.append(doc)
    return sorted(kept, key=lambda doc: (doc["kind"], doc["metadata"]["name"]))


def test_the_component_changes_nothing_else(production, variant):
    assert [doc["kind"] for doc in variant].count("Ingress") == 0
    assert without_edge(variant) == without_edge(production)


def test_the_variant_is_valid_strictly(rendered_text):
    result = validate(rendered_text[VARIANT])
    assert result.returncode == 0, result.stdout + result.stderr
    # kubernetes-validate knows only built-in kinds: the HTTPRoute and production's InnoDBCluster
    # are left to the API server check
    unchecked = set(re.findall(r"Couldn't find schema for kind (\w+)", result.stdout + result.stderr))
    assert unchecked <= {"HTTPRoute", "InnoDBCluster"}, unchecked


def test_checkov_finds_nothing_in_the_variant(rendered_text):
    report = checkov("kubernetes", rendered_text[VARIANT])
    assert [(f["check_id"], f["resource"]) for f in report["failed"]] == []
    assert len(report["passed"]) > 500


def documented_overlay() -> str:
    """The overlay docs/deploy.md gives for a Gateway of one's own (the block that patches both knobs)."""
    blocks = [textwrap.dedent(b) for b in re.findall(r"```yaml\n(.*?)```", DEPLOY_DOC.read_text(), re.DOTALL)]
    [block] = [b for b in blocks if "components/gateway-api" in b and "/spec/ingress/0/from/0" in b]
    return block


def render_documented_overlay(tmp_path) -> list[dict]:
    """Render the documented overlay as if it sat in k8s/overlays/<yours>/ (paths made relative)."""
    kubectl = require_tool("kubectl", "it ships with the machine image; kustomize is built in")
    overlays = os.path.relpath(ROOT / "k8s" / "overlays", tmp_path)
    text = documented_overlay().replace("../../components/", f"{overlays}/../components/")
    text = text.replace("- ../production", f"- {overlays}/production")
    (tmp_path / "kustomization.yaml").write_text(text)
    result = subprocess.run(
        [kubectl, "kustomize", str(tmp_path)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_the_documented_knobs_name_another_gateway_and_its_pods(tmp_path):
    docs = render_documented_overlay(tmp_path)
    route = only(docs, "HTTPRoute")
    [parent] = route["spec"]["parentRefs"]
    assert (parent["namespace"], parent["name"]) == ("istio-ingress", "shared")
    assert route["spec"]["hostnames"] == ["tasks.example.org"]

    # the Gateway's pods as Istio runs them: in the Gateway's namespace, labelled with its name
    istio = Peer("istio", "istio-ingress", {"gateway.networking.k8s.io/gateway-name": "shared"})
    other = Peer("other", "istio-ingress", {"gateway.networking.k8s.io/gateway-name": "public"})
    policies = policies_of(docs)
    for target, port in (("frontend", 8080), ("auth", 8001), ("task", 8002)):
        assert side_allows(policies, PEERS[target], istio, port, "TCP", "Ingress"), target
        for refused in (other, PEERS["gateway"], PEERS["ingress-nginx"]):
            assert not side_allows(policies, PEERS[target], refused, port, "TCP", "Ingress"), (
                target,
                refused,
            )
