"""No unpinned image remains: every third-party image runs by tag and digest, wherever it is named.

Third-party pins live in one place, k8s/base/kustomization.yaml `images:` (newTag: tag@digest);
the manifests applied by hand (k8s/restore/), CI's services and the Dockerfiles' base arguments
repeat or add to them, and docs/deploy.md says where each digest was read. TMS's own images are
pinned by the release pipeline, which writes tag@digest (tests/test_workflows.py); the committed
overlays may name a release tag alone until then (docs/decisions.md).
"""

import re

import pytest
import yaml

from tests.manifests.conftest import OVERLAYS, VARIANTS
from tests.support.dockerfile import build_arguments
from tests.support.tools import ROOT

PINNED = re.compile(r"(?P<name>[\w./-]+):(?P<tag>[\w.-]+)@sha256:[0-9a-f]{64}")
OWN = re.compile(r"ghcr\.io/tms-project/tms-(backend|frontend):[\w.-]+(@sha256:[0-9a-f]{64})?")


def images_in(node) -> list[str]:
    """Every container image in a document (Pods, workloads, CronJobs' job templates)."""
    found = []
    if isinstance(node, dict) and node.get("kind") == "InnoDBCluster":
        # The MySQL Operator names the server, Router and sidecar images itself, from spec.version
        # (docs/decisions.md); the podSpec's containers only patch its own. The exporter is ours.
        return [node["spec"]["metrics"]["image"]]
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers", "ephemeralContainers") and isinstance(value, list):
                found += [container["image"] for container in value]
            else:
                found += images_in(value)
    elif isinstance(node, list):
        for item in node:
            found += images_in(item)
    return found


def base_pins() -> dict[str, str]:
    """Image name -> name:tag@digest, from k8s/base/kustomization.yaml."""
    kustomization = yaml.safe_load((ROOT / "k8s/base/kustomization.yaml").read_text())
    return {image["name"]: f"{image['name']}:{image['newTag']}" for image in kustomization["images"]}


def is_own(image: str) -> bool:
    return image.startswith("ghcr.io/tms-project/")


def test_the_base_pins_every_third_party_image_by_tag_and_digest():
    pins = base_pins()
    assert set(pins) == {"mysql", "prom/mysqld-exporter", "valkey/valkey", "nginx/nginx-prometheus-exporter"}
    for name, pin in pins.items():
        match = PINNED.fullmatch(pin)
        assert match and match["name"] == name, pin


@pytest.mark.parametrize("overlay", OVERLAYS + VARIANTS)
def test_every_rendered_image_is_pinned(docs_by_overlay, overlay):
    images = {image for doc in docs_by_overlay[overlay] for image in images_in(doc)}
    third_party = {image for image in images if not is_own(image)}
    assert third_party == set(base_pins().values())
    for image in images - third_party:
        assert OWN.fullmatch(image), image  # a release tag (and its digest once released)


def test_the_manifests_name_bare_third_party_images():
    """One place to change a version: a tag in a manifest would be overridden and go stale silently."""
    for path in (ROOT / "k8s/base").rglob("*.yaml"):
        for image in images_in(list(yaml.safe_load_all(path.read_text()))):
            assert ":" not in image and "@" not in image, f"{path.relative_to(ROOT)}: {image}"


def test_only_workloads_running_tms_images_skip_checkovs_digest_check(docs_by_overlay):
    for doc in docs_by_overlay["local"]:
        images = images_in(doc)
        if not images:
            continue
        annotations = doc["metadata"].get("annotations", {})
        skips_digest = any(value.startswith("CKV_K8S_43=") for value in annotations.values())
        assert skips_digest == any(is_own(image) for image in images), doc["metadata"]["name"]


def test_the_restore_manifests_run_the_pinned_images():
    """k8s/restore/ is applied by hand, outside the kustomization: it names full references."""
    mysql_seen = False
    for path in sorted((ROOT / "k8s/restore").glob("*.yaml")):
        for image in images_in(list(yaml.safe_load_all(path.read_text()))):
            if is_own(image):
                assert OWN.fullmatch(image), f"{path.name}: {image}"
            else:
                assert image in base_pins().values(), f"{path.name}: {image}"
                mysql_seen |= image == base_pins()["mysql"]
    assert mysql_seen


def test_ci_services_run_the_clusters_pins():
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    services = {name: service["image"] for name, service in ci["jobs"]["test"]["services"].items()}
    assert services == {"mysql": base_pins()["mysql"], "redis": base_pins()["valkey/valkey"]}


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "frontend/Dockerfile"])
def test_dockerfile_bases_are_pinned(dockerfile):
    arguments = build_arguments((ROOT / dockerfile).read_text())
    assert arguments and all(name.endswith("_IMAGE") for name in arguments)
    for value in arguments.values():
        assert PINNED.fullmatch(value), value


def walk_values(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_values(value, f"{path}.{key}" if path else key)
    else:
        yield path, node


def test_the_monitoring_release_overrides_no_image_without_a_digest():
    """The chart's images come pinned with its version; any image TMS sets itself needs a digest."""
    release = yaml.safe_load((ROOT / "flux/infrastructure/monitoring/release/helmrelease.yaml").read_text())
    for path, value in walk_values(release["spec"]["values"]):
        if re.search(r"(^|\.)(image|tag|repository)(\.|$)", path):
            assert isinstance(value, str) and "@sha256:" in value, path


def test_where_each_digest_was_read_is_documented():
    deploy = (ROOT / "docs/deploy.md").read_text()
    pins = list(base_pins().values())
    for dockerfile in ("Dockerfile", "frontend/Dockerfile"):
        pins += build_arguments((ROOT / dockerfile).read_text()).values()
    for pin in pins:
        assert f"`{pin}`" in deploy, pin
