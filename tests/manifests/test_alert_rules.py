"""The alert rules, evaluated by Prometheus' own promtool: they load, and fire when they should.

promtool reads plain rule files, so the PrometheusRule's groups are written out as one. Unit tests
of a group live in tests/manifests/rules/<group>.test.yaml, on synthetic series. The dashboards'
queries are parsed the same way, as recording rules.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.tools import ROOT, require_tool

pytestmark = pytest.mark.manifests

RULES = ROOT / "flux/infrastructure/monitoring/config/prometheusrules.yaml"
DASHBOARDS = sorted((ROOT / "flux/infrastructure/monitoring/config/dashboards").glob("*.json"))
UNIT_TESTS = sorted((ROOT / "tests/manifests/rules").glob("*.test.yaml"))


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    tool = require_tool("promtool", "Debian's prometheus package ships it; .ci/run installs it")
    return subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60)


@pytest.fixture
def rules_file(tmp_path) -> Path:
    groups = yaml.safe_load(RULES.read_text())["spec"]["groups"]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return path


def test_every_rule_loads_in_prometheus(rules_file):
    result = promtool("check", "rules", rules_file.name, cwd=rules_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    count = sum(len(group["rules"]) for group in yaml.safe_load(rules_file.read_text())["groups"])
    assert f"SUCCESS: {count} rules found" in result.stdout


@pytest.mark.parametrize("unit_tests", UNIT_TESTS, ids=[path.name for path in UNIT_TESTS])
def test_the_alerts_fire_as_their_unit_tests_expect(rules_file, unit_tests):
    shutil.copy(unit_tests, rules_file.parent)
    result = promtool("test", "rules", unit_tests.name, cwd=rules_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_of_tms_database_has_unit_tests():
    groups = {group["name"]: group["rules"] for group in yaml.safe_load(RULES.read_text())["spec"]["groups"]}
    tested = {
        case["alertname"]
        for path in UNIT_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    }
    assert {rule["alert"] for rule in groups["tms-database"]} <= tested


def test_every_dashboard_query_parses_in_prometheus(tmp_path):
    rules = [
        {
            "record": f"dashboard:{path.stem.replace('-', '_')}:{panel['id']}_{target['refId']}",
            "expr": target["expr"],
        }
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
    ]
    (tmp_path / "dashboards.yaml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]})
    )
    result = promtool("check", "rules", "dashboards.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout
