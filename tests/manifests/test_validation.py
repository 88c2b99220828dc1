"""Both overlays render, validate strictly against the Kubernetes schemas, and pass checkov."""

import copy
import subprocess

import pytest
import yaml

from tests.support.tools import checkov, require_tool

pytestmark = pytest.mark.manifests

KUBERNETES_VERSION = "1.32.0"


def validate(path: str) -> subprocess.CompletedProcess:
    tool = require_tool("kubernetes-validate", "make test installs it into .venv-tools")
    return subprocess.run(
        [tool, "--strict", "--quiet", "-k", KUBERNETES_VERSION, path],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_every_object_is_valid_strictly(rendered_text, overlay):
    result = validate(rendered_text[overlay])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_catches_an_unknown_field(tmp_path, docs):
    # A copy: the rendered objects are shared by every test of the session.
    deployment = copy.deepcopy(next(doc for doc in docs if doc["kind"] == "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(deployment))
    assert validate(str(path)).returncode != 0


def test_checkov_finds_nothing(rendered_text, overlay):
    report = checkov("kubernetes", rendered_text[overlay])
    assert [(f["check_id"], f["resource"]) for f in report["failed"]] == []
    assert len(report["passed"]) > 500
    assert report["skipped"], "the justified skips should be visible"
    reasons = [check["check_result"].get("suppress_comment", "") for check in report["skipped"]]
    assert all(len(reason) > 20 for reason in reasons), "every skip carries its reason"
