"""The GitHub Actions workflows, checked offline: schema, security audit, and the wiring."""

import fnmatch
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.support.dockerfile import build_arguments
from tests.support.tools import ROOT, require_tool

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
RELEASE = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())


def test_there_are_ci_and_release_workflows():
    assert {path.name for path in WORKFLOWS} == {"ci.yml", "release.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_match_the_github_schema(path):
    tool = require_tool("check-jsonschema", "make test installs it into .venv-tools")
    result = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_above_informational():
    tool = require_tool("zizmor", "make test installs it into .venv-tools")
    result = subprocess.run(
        [tool, "--offline", "--format", "json", str(ROOT / ".github" / "workflows")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    findings = json.loads(result.stdout)
    serious = [
        f["ident"] for f in findings if f["determinations"]["severity"] not in ("Informational", "Unknown")
    ]
    assert serious == []


def test_every_action_is_pinned_to_a_commit_with_its_version():
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if "uses:" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d", line), f"{path.name}: {line.strip()}"


def test_release_has_the_six_stages_in_order():
    jobs = RELEASE["jobs"]
    names = [job["name"].split(".")[0] for job in jobs.values()]
    assert names == ["1", "2", "3", "4", "5", "6"]
    assert RELEASE[True] == {"push": {"branches": ["master"]}}  # YAML 1.1 reads the key `on` as true
    assert RELEASE["permissions"] == {}
    assert "concurrency" in RELEASE
    assert all("timeout-minutes" in job for job in jobs.values())
    assert "1.0.${GITHUB_RUN_NUMBER}" in jobs["version"]["steps"][0]["run"]
    assert "kustomize edit set image" in json.dumps(jobs["manifests"])
    # Images are kustomize's to write; sed touches only the version line of release.yaml.
    runs = [step.get("run", "") for job in jobs.values() for step in job["steps"]]
    sed_lines = [line for run in runs for line in run.splitlines() if "sed -i" in line]
    assert sed_lines and all('"$overlay/release.yaml"' in line for line in sed_lines), sed_lines
    assert "[skip ci]" in json.dumps(jobs["manifests"])


def overlay_images() -> set[str]:
    names = set()
    for overlay in ("local", "production"):
        kustomization = yaml.safe_load((ROOT / "k8s/overlays" / overlay / "kustomization.yaml").read_text())
        names |= {image["newName"] for image in kustomization["images"]}
    return names


def test_the_release_builds_exactly_the_images_the_overlays_use():
    env = RELEASE["env"]
    built = {
        f"{env['REGISTRY']}/{env['IMAGE_NAMESPACE']}/{item['image']}"
        for item in RELEASE["jobs"]["build"]["strategy"]["matrix"]["include"]
    }
    assert built == overlay_images()


def change_filter() -> dict[str, list[str]]:
    step = next(s for s in RELEASE["jobs"]["changes"]["steps"] if s.get("id") == "filter")
    return yaml.safe_load(step["with"]["filters"])


def covered(path: str, patterns: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.removesuffix("/**") + "/*")
        for pattern in patterns
    )


def test_every_file_that_feeds_the_backend_image_is_in_its_change_filter():
    filters = change_filter()
    dockerfile = (ROOT / "Dockerfile").read_text()
    sources = [
        line.split()[1]
        for line in dockerfile.splitlines()
        if line.startswith("COPY ") and "--from" not in line
    ]
    assert sources
    for source in [*sources, "Dockerfile", ".dockerignore"]:
        sample = source if "." in source.rsplit("/", 1)[-1] or source in ("Dockerfile",) else f"{source}/x.py"
        assert covered(sample, filters["backend"]), source
    for tracked in subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split():
        if tracked.startswith(("tms_project/", "accounts/", "tasks/")):
            assert covered(tracked, filters["backend"]), tracked


def test_the_frontend_image_context_is_in_its_change_filter():
    build = RELEASE["jobs"]["build"]["strategy"]["matrix"]["include"]
    frontend = next(item for item in build if item["image"] == "tms-frontend")
    assert covered(f"{frontend['context']}/src/App.tsx", change_filter()["frontend"])
    assert covered(frontend["dockerfile"], change_filter()["frontend"])


def test_no_secret_value_is_inlined():
    for path in WORKFLOWS:
        text = path.read_text()
        assert "hooks.slack.com" not in text
        for line in text.splitlines():
            if re.search(r"(TOKEN|WEBHOOK|PASSWORD)\s*:", line) and "secrets." not in line:
                assert "ci-only" in line or "TMS_REQUIRE" in line, line


def test_the_release_writes_each_image_by_tag_and_the_digest_it_pushed():
    """The overlays get name:tag@digest, the digest being the build step's output (not a registry look-up)."""
    build = RELEASE["jobs"]["build"]["steps"]
    push = next(step for step in build if step.get("id") == "push")
    assert push["uses"].startswith("docker/build-push-action@")
    record = next(step for step in build if step.get("name") == "Record the pushed digest")
    assert record["env"]["DIGEST"] == "${{ steps.push.outputs.digest }}"
    upload = next(step for step in build if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "digest-${{ matrix.component }}"
    manifests = RELEASE["jobs"]["manifests"]["steps"]
    download = next(s for s in manifests if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["pattern"] == "digest-*"
    [edit] = [s["run"] for s in manifests if "kustomize edit set image" in s.get("run", "")]
    assert '"${image}=${REGISTRY}/${IMAGE_NAMESPACE}/${image}:${VERSION}@${digest}"' in edit
    assert "^sha256:[0-9a-f]{64}$" in edit  # no digest recorded, no release
    assert "set_image backend tms-backend" in edit and "set_image frontend tms-frontend" in edit


def test_ci_tests_the_web_app_on_the_node_line_its_image_builds_with():
    """One Node line: frontend/Dockerfile's build stage, CI's setup-node and package.json's engines."""
    node_image = build_arguments((ROOT / "frontend/Dockerfile").read_text())["NODE_IMAGE"]
    major = re.fullmatch(r"node:(\d+)\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}", node_image)[1]
    assert int(major) % 2 == 0  # an LTS line
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    [setup] = [
        s for s in ci["jobs"]["frontend"]["steps"] if s.get("uses", "").startswith("actions/setup-node@")
    ]
    assert setup["with"]["node-version"] == major
    engines = json.loads((ROOT / "frontend/package.json").read_text())["engines"]["node"]
    assert f"^{major}." in engines and "20" not in engines  # Node 20 reached its end of life in April 2026


def test_the_release_writes_its_version_where_the_pods_labels_come_from(tmp_path):
    """The release step's own lines, run on a copy of k8s/: the backend's version changes on the
    backend's pods only (the web app keeps its own release)."""
    [edit] = [s["run"] for s in RELEASE["jobs"]["manifests"]["steps"] if "release.yaml" in s.get("run", "")]
    lines = [line.strip() for line in edit.splitlines() if "release.yaml" in line and "sed -i" in line]
    checks = [line.strip().rstrip("\\").strip() for line in edit.splitlines() if "grep -qx" in line]
    assert len(lines) == 1 and len(checks) == 1
    shutil.copytree(ROOT / "k8s", tmp_path / "k8s")
    overlay = tmp_path / "k8s/overlays/production"
    script = f"{lines[0]}\n{checks[0]} || exit 3\n"
    env = {"PATH": os.environ["PATH"], "component": "backend", "VERSION": "1.0.42", "overlay": str(overlay)}
    subprocess.run(["bash", "-euc", script], env=env, check=True, timeout=30)
    kubectl = require_tool("kubectl", "it ships with the machine image; kustomize is built in")
    rendered = subprocess.run(
        [kubectl, "kustomize", str(overlay)], capture_output=True, text=True, check=True
    )
    labels = {
        doc["metadata"]["name"]: doc["metadata"]["labels"].get("app.kubernetes.io/version")
        for doc in yaml.safe_load_all(rendered.stdout)
        if doc and doc["kind"] in ("Deployment", "StatefulSet")  # production's Valkey is a StatefulSet
    }
    assert labels["auth"] == labels["task"] == labels["notifications-worker"] == "1.0.42"
    assert labels["frontend"] == "1.0.0" and labels["redis"] is None
