"""Every custom resource TMS ships, accepted by a real API server holding the upstream CRDs.

Each Flux and prometheus-operator object under flux/ and in the rendered overlays is server-side
applied (dryRun=All, fieldValidation=Strict) to Kubernetes' apiextensions-apiserver with the CRDs of
tests/manifests/crds/: the server checks the schema, the CEL rules and unknown fields, as a cluster
would at `flux reconcile` time. The negative controls prove the server is really judging: each takes
a shipped object, makes one change a careless edit could make, and expects the refusal with its
reason, and the unchanged original accepted. Needs `make apiserver` (skipped with the reason
otherwise; a failure under TMS_REQUIRE_SERVICES=1).
"""

import copy
import hashlib
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import yaml

from tests.support.apiserver import (
    CRD_DIR,
    Answer,
    ApiServer,
    Document,
    group_of,
    load_crds,
    require_binaries,
    running_apiserver,
)
from tests.support.tools import ROOT

pytestmark = pytest.mark.manifests

FLUX = ROOT / "flux"
EXPECTED_KINDS = {
    "Kustomization",
    "GitRepository",
    "HelmRelease",
    "HelmRepository",
    "ServiceMonitor",
    "PrometheusRule",
    "HTTPRoute",
    "Gateway",
    "GatewayClass",
    "InnoDBCluster",
}
# Groups a cluster serves itself (plus kustomize's own config files): not custom resources, so not
# this server's to check (kubernetes-validate and checkov cover them). Any other group must be served
# by a loaded CRD, so that no object is left unchecked because its CRD was never vendored.
BUILT_IN_GROUPS = {
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "certificates.k8s.io",
    "node.k8s.io",
    "kustomize.config.k8s.io",
}

Shipped = list[tuple[str, Document]]


@pytest.fixture(scope="module")
def apiserver() -> Iterator[ApiServer]:
    binaries = require_binaries()
    crds = load_crds()
    with running_apiserver(binaries, crds) as server:
        print(f"\nAPI server with {len(crds)} CRDs Established in {server.startup_seconds:.1f} s")
        yield server


def flux_documents() -> Shipped:
    found = []
    for path in sorted([*FLUX.rglob("*.yaml"), *FLUX.rglob("*.yml")]):
        with path.open() as handle:
            found += [(str(path.relative_to(ROOT)), doc) for doc in yaml.safe_load_all(handle) if doc]
    return found


@pytest.fixture(scope="module")
def shipped(docs_by_overlay) -> Shipped:
    """Every object TMS ships: flux/'s files as Flux reads them, and each overlay as kustomize renders it."""
    rendered = [
        (f"k8s/overlays/{overlay} (rendered)", doc)
        for overlay, docs in docs_by_overlay.items()
        for doc in docs
    ]
    return flux_documents() + rendered + documented_gateway()


def documented_gateway() -> Shipped:
    """The Gateway docs/deploy.md tells an operator to create for the Gateway API component."""
    text = (ROOT / "docs/deploy.md").read_text()
    blocks = [textwrap.dedent(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]
    [block] = [b for b in blocks if "\nkind: Gateway\n" in b]
    return [("docs/deploy.md (the Gateway to create)", doc) for doc in yaml.safe_load_all(block) if doc]


def describe(source: str, document: Document) -> str:
    metadata = document.get("metadata", {})
    where = f"{metadata['namespace']}/" if "namespace" in metadata else ""
    return f"{document.get('apiVersion')} {document.get('kind')} {where}{metadata.get('name')} ({source})"


def accepted(answer: Answer) -> bool:
    return answer.status in (200, 201)


def refusal(server: ApiServer, source: str, document: Document, answer: Answer) -> str:
    """The server's reason; for a bare 404, which versions of the kind the CRDs do serve."""
    line = f"{describe(source, document)}: HTTP {answer.status}: {answer.message.strip()}"
    if answer.status == 404:
        group = group_of(str(document.get("apiVersion")))
        resource = server.resources.get((group, str(document.get("kind"))))
        served = f"served versions: {', '.join(resource.versions)}" if resource else "no CRD has this kind"
        line += f" ({served})"
    return line


def test_every_custom_resource_is_accepted_by_the_api_server(apiserver, shipped):
    # given every custom resource of flux/ and the rendered overlays
    custom = [(source, doc) for source, doc in shipped if apiserver.resource_for(doc)]
    assert custom, "no custom resource found under flux/ or in the overlays"

    # when each is server-side applied as a dry run with strict field validation
    refused = []
    for source, doc in custom:
        answer = apiserver.apply_dry_run(doc)
        if not accepted(answer):
            refused.append(refusal(apiserver, source, doc, answer))

    # then the server accepts them all, and every kind TMS uses was among them
    assert refused == [], "\n".join(refused)
    kinds = {doc["kind"] for _, doc in custom}
    assert not EXPECTED_KINDS - kinds, f"not checked: {sorted(EXPECTED_KINDS - kinds)}"
    print(f"\n{len(custom)} custom resources accepted: {', '.join(sorted(kinds))}")


def test_every_object_is_either_a_custom_resource_checked_here_or_a_built_in_kind(apiserver, shipped):
    served = {resource.group for resource in apiserver.resources.values()}
    unchecked = [
        describe(source, doc)
        for source, doc in shipped
        if group_of(str(doc.get("apiVersion", ""))) not in served | BUILT_IN_GROUPS
    ]
    assert unchecked == [], "custom resources with no CRD in tests/manifests/crds: " + "; ".join(unchecked)


def test_both_overlays_were_read(shipped):
    # local holds no custom resource (production its InnoDBCluster, production-gateway also its
    # HTTPRoute); an empty render of it would hide one added later.
    for overlay in ("local", "production", "production-gateway"):
        assert any(source == f"k8s/overlays/{overlay} (rendered)" for source, _ in shipped), overlay


def test_both_flux_clusters_were_read(shipped):
    for cluster in ("local", "production"):
        assert any(source.startswith(f"flux/clusters/{cluster}/") for source, _ in shipped), cluster


def shipped_object(shipped: Shipped, kind: str, name: str) -> Document:
    matches = [
        (source, doc)
        for source, doc in shipped
        if doc.get("kind") == kind and doc.get("metadata", {}).get("name") == name
    ]
    if len(matches) > 1:  # each cluster has its flux-system and tms-app: the controls take local's;
        # production-gateway repeats production's objects: the controls take production's
        matches = [
            (source, doc)
            for source, doc in matches
            if source.startswith("flux/clusters/local/") or source == "k8s/overlays/production (rendered)"
        ]
    assert len(matches) == 1, f"expected one shipped {kind} {name}, found {len(matches)}"
    return matches[0][1]


@dataclass(frozen=True)
class Control:
    """A shipped object with one change a careless edit could make, and what the server must say."""

    what: str
    kind: str
    name: str
    change: Callable[[Document], None]
    reason: str


def unknown_field(doc: Document) -> None:
    doc["spec"]["intervall"] = doc["spec"]["interval"]  # a typo of `interval`


def chart_and_chart_ref(doc: Document) -> None:
    doc["spec"]["chartRef"] = {"kind": "OCIRepository", "name": "kube-prometheus-stack"}


def ref_as_a_string(doc: Document) -> None:
    doc["spec"]["ref"] = doc["spec"]["ref"]["branch"]  # `ref: master` instead of `ref: {branch: master}`


def no_prune(doc: Document) -> None:
    del doc["spec"]["prune"]


def crds_always(doc: Document) -> None:
    doc["spec"]["install"]["crds"] = "Always"  # the enum is Skip, Create, CreateReplace


def removed_version(doc: Document) -> None:
    doc["apiVersion"] = "helm.toolkit.fluxcd.io/v2beta1"  # removed from Flux; v2 replaced it


def backend_slower_than_request(doc: Document) -> None:
    doc["spec"]["rules"][0]["timeouts"]["backendRequest"] = "90s"  # the request's own bound is 60s


def ten_members(doc: Document) -> None:
    doc["spec"]["instances"] = 10  # group replication takes at most 9 members


def for_in_words(doc: Document) -> None:
    doc["spec"]["groups"][0]["rules"][0]["for"] = "5 minutes"  # a duration must read 5m


CONTROLS = [
    Control(
        "unknown field (Strict)",
        "Kustomization",
        "tms-app",
        unknown_field,
        ".spec.intervall: field not declared",
    ),
    Control(
        "CEL rule: chart and chartRef",
        "HelmRelease",
        "kube-prometheus-stack",
        chart_and_chart_ref,
        "spec: Invalid value: either chart or chartRef must be set",
    ),
    Control("wrong type", "GitRepository", "flux-system", ref_as_a_string, ".spec.ref: expected map, got"),
    Control("missing required field", "Kustomization", "tms-app", no_prune, "spec.prune: Required value"),
    Control(
        "value outside the enum",
        "HelmRelease",
        "kube-prometheus-stack",
        crds_always,
        'spec.install.crds: Unsupported value: "Always"',
    ),
    Control(
        "pattern",
        "PrometheusRule",
        "tms-alerts",
        for_in_words,
        'spec.groups[0].rules[0].for: Invalid value: "5 minutes"',
    ),
    Control(
        "CEL rule: HTTPRoute timeouts",
        "HTTPRoute",
        "tms",
        backend_slower_than_request,
        "backendRequest timeout cannot be longer than request timeout",
    ),
    Control(
        "maximum: InnoDBCluster members",
        "InnoDBCluster",
        "tms-db",
        ten_members,
        "spec.instances: Invalid value: 10: spec.instances in body should be less than or equal to 9",
    ),
    Control(
        "API version no longer served",
        "HelmRelease",
        "kube-prometheus-stack",
        removed_version,
        "404 page not found",
    ),
]


@pytest.mark.parametrize("control", CONTROLS, ids=[c.what for c in CONTROLS])
def test_the_server_refuses_a_shipped_object_with_one_wrong_change(apiserver, shipped, control):
    # given a shipped object the server accepts
    original = shipped_object(shipped, control.kind, control.name)
    answer = apiserver.apply_dry_run(original)
    assert accepted(answer), refusal(apiserver, "unchanged", original, answer)

    # when one change makes it wrong
    wrong = copy.deepcopy(original)
    control.change(wrong)
    answer = apiserver.apply_dry_run(wrong)

    # then the server refuses it, saying why
    assert not accepted(answer), (
        f"the server accepted {control.kind} {control.name} after {control.change.__name__}"
    )
    assert control.reason in answer.message, refusal(apiserver, "changed", wrong, answer)


def test_a_dry_run_stores_nothing(apiserver, shipped):
    # dryRun=All: each apply above is judged and dropped, so the checks cannot affect one another.
    doc = shipped_object(shipped, "Kustomization", "tms-app")
    assert accepted(apiserver.apply_dry_run(doc))
    answer = apiserver.request(
        "GET", "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/tms-app"
    )
    assert answer.status == 404, answer.body


def test_the_crds_are_the_vendored_upstream_files_unmodified():
    readme = (CRD_DIR / "README.md").read_text()
    files = sorted(CRD_DIR.glob("*.yaml"))
    assert files
    for path in files:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{path.name}`")), "")
        assert row, f"{path.name} has no source noted in {CRD_DIR / 'README.md'}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() in row, (
            f"{path.name} differs from the upstream file"
        )
