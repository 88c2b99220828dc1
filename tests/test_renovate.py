"""renovate.json: valid against Renovate's schema, and covering every place TMS pins a version.

The schema is vendored (tests/renovate/README.md). Which files a manager reads comes from
renovate.json where it sets managerFilePatterns, else from the manager's default in the schema.
"""

import hashlib
import json
import re
import subprocess
from functools import cache

import jsonschema
import pytest
import yaml

from tests.support.tools import ROOT

SCHEMA_FILE = ROOT / "tests/renovate/renovate-schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text())
CONFIG = json.loads((ROOT / "renovate.json").read_text())


def tracked() -> list[str]:
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [path for path in listing.stdout.split() if (ROOT / path).exists()]


def patterns(manager: str) -> list[re.Pattern[str]]:
    """The files a manager reads, as Renovate's "/regex/" strings compiled for Python."""
    if manager == "custom.regex":
        configured = [p for custom in CONFIG["customManagers"] for p in custom["managerFilePatterns"]]
    else:
        configured = CONFIG.get(manager, {}).get("managerFilePatterns")
    found = configured or SCHEMA["definitions"][manager]["default"]["managerFilePatterns"]
    assert all(p.startswith("/") and p.endswith("/") for p in found), found
    return [re.compile(p[1:-1]) for p in found]


@cache
def reads(manager: str) -> set[str]:
    assert manager in CONFIG["enabledManagers"], manager
    return {path for path in tracked() if any(p.search(path) for p in patterns(manager))}


def test_the_vendored_schema_is_the_published_one():
    readme = (ROOT / "tests/renovate/README.md").read_text()
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest()
    assert f"`{digest}`" in readme
    assert f"Renovate {SCHEMA['x-renovate-version']}" in readme


def test_renovate_json_matches_the_schema():
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(SCHEMA).iter_errors(CONFIG)]
    assert errors == []


def test_a_misspelt_option_fails_the_schema():
    assert not jsonschema.Draft7Validator(SCHEMA).is_valid({**CONFIG, "pinDigest": True})


def test_every_package_rule_option_exists():
    """The schema lets package rules hold any key; Renovate would ignore a misspelt one."""
    rule_schema = SCHEMA["definitions"]["packageRules"]["items"]["allOf"][0]["properties"]
    options = set(SCHEMA["properties"]) | set(rule_schema)
    for rule in CONFIG["packageRules"]:
        assert set(rule) <= options, rule


def test_digests_pinned_on_a_schedule_and_majors_wait_for_approval():
    assert CONFIG["pinDigests"] is True
    assert CONFIG["schedule"] and CONFIG["automerge"] is False
    [majors] = [rule for rule in CONFIG["packageRules"] if rule.get("matchUpdateTypes") == ["major"]]
    assert majors["dependencyDashboardApproval"] is True and majors["automerge"] is False
    assert not any(rule.get("automerge") for rule in CONFIG["packageRules"])


@pytest.mark.parametrize(
    ("manager", "files"),
    [
        ("pip_requirements", {"requirements.txt", "requirements-dev.txt", "requirements-tools.txt"}),
        ("npm", {"frontend/package.json"}),
        ("dockerfile", {"Dockerfile", "frontend/Dockerfile"}),
        ("kustomize", {"k8s/base/kustomization.yaml", "k8s/overlays/local/kustomization.yaml"}),
        ("kubernetes", {"k8s/restore/restore-job.yaml", "k8s/restore/backup-reader.yaml"}),
        ("flux", {"flux/infrastructure/monitoring/release/helmrelease.yaml"}),
        ("github-actions", {".github/workflows/ci.yml", ".github/workflows/release.yml"}),
    ],
)
def test_each_manager_reads_the_files_where_versions_live(manager, files):
    assert files <= reads(manager)


PINNED_IMAGE = re.compile(r"image:\s*[\"']?([\w./-]+):[\w.-]+@sha256:[0-9a-f]{64}")


def test_every_file_pinning_an_image_or_version_is_read_by_some_manager():
    covered = set().union(*(reads(manager) for manager in CONFIG["enabledManagers"]))
    for path in tracked():
        if path == "flux/FLUX_VERSION":
            assert path in reads("custom.regex"), path
        if path.startswith(("tests/", "docs/")) or not path.endswith((".yaml", ".yml", "Dockerfile")):
            continue
        text = (ROOT / path).read_text()
        if PINNED_IMAGE.search(text) or re.search(r"^ARG \w+_IMAGE=", text, re.M):
            assert path in covered, path
        if path.startswith("flux/") and "kind: HelmRelease" in text:
            assert path in reads("flux"), path
        if path.startswith("k8s/") and path.endswith("kustomization.yaml"):
            images = (yaml.safe_load(text) or {}).get("images", [])
            if images:
                assert path in reads("kustomize"), path


def groups() -> dict[str, str]:
    """Package name -> the group a rule puts it in."""
    named = {}
    for rule in CONFIG["packageRules"]:
        for name in rule.get("matchPackageNames", []):
            if "groupName" in rule:
                named[name] = rule["groupName"]
    return named


def test_each_stack_updates_in_one_pull_request():
    assert groups() == {
        "mysql": "database",
        "prom/mysqld-exporter": "database",
        "mysql-operator": "database",
        "valkey/valkey": "cache",
        "kube-prometheus-stack": "monitoring stack",
        "nginx/nginx-prometheus-exporter": "monitoring stack",
        "node": "frontend toolchain",
        "nginxinc/nginx-unprivileged": "frontend runtime",
        "python": "python deps",
        "fluxcd/flux2": "flux",
    }
    by_manager = {
        (tuple(r.get("matchManagers", [])), tuple(r.get("matchDepTypes", []))): r.get("groupName")
        for r in CONFIG["packageRules"]
        if "matchPackageNames" not in r
    }
    assert by_manager[(("pip_requirements",), ())] == "python deps"
    assert by_manager[(("npm",), ("devDependencies",))] == "frontend toolchain"
    assert by_manager[(("npm",), ("dependencies",))] == "frontend runtime"
    assert by_manager[(("github-actions",), ("action",))] == "github actions"


def test_tms_images_are_left_to_the_release_pipeline():
    [rule] = [r for r in CONFIG["packageRules"] if r.get("enabled") is False and "matchPackageNames" in r]
    assert "ghcr.io/tms-project/**" in rule["matchPackageNames"]


def test_mysql_stays_on_84_lts_node_on_even_lines_and_python_on_311():
    allowed = {
        name: rule["allowedVersions"]
        for rule in CONFIG["packageRules"]
        if "allowedVersions" in rule
        for name in rule["matchPackageNames"]
    }
    as_regex = {name: re.compile(value.strip("/")) for name, value in allowed.items()}
    assert as_regex["mysql"].search("8.4.12") and not as_regex["mysql"].search("9.5.0")
    assert as_regex["node"].search("26.1.0-bookworm-slim") and not as_regex["node"].search("25.0.0")
    assert as_regex["python"].search("3.11.15-slim-bookworm") and not as_regex["python"].search("3.12.1")
    assert as_regex["fluxcd/flux2"].search("v2.6.5") and not as_regex["fluxcd/flux2"].search("v2.7.0")


def test_the_flux_version_file_is_read_by_the_regex_manager():
    [manager] = [m for m in CONFIG["customManagers"] if m.get("depNameTemplate") == "fluxcd/flux2"]
    assert manager["customType"] == "regex" and "custom.regex" in CONFIG["enabledManagers"]
    [pattern] = manager["managerFilePatterns"]
    assert re.search(pattern.strip("/"), "flux/FLUX_VERSION")
    [match_string] = manager["matchStrings"]
    text = (ROOT / "flux/FLUX_VERSION").read_text()
    # Renovate's named groups are JavaScript's (?<name>…); without the m flag, ^ and $ are the file's ends
    found = re.search(match_string.replace("(?<", "(?P<"), text)
    assert found and found["currentValue"] == text.strip()
    assert manager["depNameTemplate"] == "fluxcd/flux2" and manager["datasourceTemplate"] == "github-releases"


def test_production_mysql_version_is_updated_with_the_database():
    """The InnoDBCluster's spec.version names no image: a regex manager reads it as mysql."""
    cluster = "k8s/components/mysql-innodbcluster/innodbcluster.yaml"
    [manager] = [m for m in CONFIG["customManagers"] if m.get("depNameTemplate") == "mysql"]
    pattern = manager["matchStrings"][0].replace("(?<", "(?P<")
    [found] = re.findall(pattern, (ROOT / cluster).read_text())
    assert found == yaml.safe_load((ROOT / cluster).read_text())["spec"]["version"]
    assert cluster in reads("custom.regex") and cluster in reads("kubernetes")
    assert groups()["mysql"] == "database"
