"""app.kubernetes.io/version: on what runs TMS's own images, equal to their tag; never on MySQL or Redis."""

import pytest
import yaml

from tests.manifests.database import innodb_cluster
from tests.manifests.test_workloads import containers, pod_labels, workloads
from tests.support.tools import ROOT

pytestmark = pytest.mark.manifests

VERSION = "app.kubernetes.io/version"
OWN_IMAGES = ("ghcr.io/tms-project/tms-backend", "ghcr.io/tms-project/tms-frontend")


def tag(image: str) -> str:
    """The tag of `name:tag` or `name:tag@sha256:…`."""
    name = image.split("@", 1)[0]
    repository, _, tag = name.rpartition(":")
    assert repository and "/" not in tag, f"{image} has no tag"
    return tag


def own_tags(doc: dict) -> set[str]:
    return {
        tag(c["image"]) for c in containers(doc) if c["image"].split("@")[0].rsplit(":", 1)[0] in OWN_IMAGES
    }


def test_tms_workloads_and_their_pods_carry_the_version_of_the_image_they_run(docs):
    labelled = set()
    for doc in workloads(docs):
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        tags = own_tags(doc)
        if not tags:
            continue
        assert len(tags) == 1, f"{name} runs two releases of TMS: {tags}"
        (version,) = tags
        assert doc["metadata"]["labels"].get(VERSION) == version, name
        assert pod_labels(doc).get(VERSION) == version, name
        labelled.add(name)
    assert {"Deployment/auth", "Deployment/task", "Deployment/frontend", "Job/tms-migrate"} <= labelled
    assert "Deployment/redis" not in labelled and "StatefulSet/mysql" not in labelled


def test_mysql_and_redis_do_not_claim_a_tms_version(docs):
    others = [doc for doc in workloads(docs) if not own_tags(doc)]
    # production's database is the InnoDB Cluster, whose pods the operator makes (no version label)
    database = set() if innodb_cluster(docs) else {"mysql"}
    assert {doc["metadata"]["name"] for doc in others} >= {"redis", *database}
    for doc in others:
        assert VERSION not in doc["metadata"].get("labels", {}), doc["metadata"]["name"]
        assert VERSION not in pod_labels(doc), doc["metadata"]["name"]


def test_nothing_else_is_labelled_with_a_version(docs):
    """Services, ConfigMaps, policies: the version belongs to what runs, not to everything rendered."""
    for doc in docs:
        if doc not in workloads(docs):
            assert VERSION not in doc["metadata"].get("labels", {}), (
                f"{doc['kind']}/{doc['metadata']['name']}"
            )


def test_the_release_document_and_the_image_tags_agree(overlay):
    """The release pipeline writes both; an edit by hand that changes one is caught here."""
    directory = ROOT / "k8s" / "overlays" / overlay
    release = yaml.safe_load((directory / "release.yaml").read_text())
    assert release["metadata"]["annotations"]["config.kubernetes.io/local-config"] == "true"
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    tags = {
        image["name"]: image["newTag"]
        for image in kustomization["images"]
        if image["name"].startswith("tms-")
    }
    spec = release["spec"]
    assert tags == {"tms-backend": spec["backend"], "tms-frontend": spec["frontend"]}
