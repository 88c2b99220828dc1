"""The monitoring HelmRelease sets only values its chart version declares.

Chart keys come from tests/manifests/chart_values/kube-prometheus-stack.json, made by
scripts/chart_value_keys.py from the chart's (and its Grafana sub-chart's) values.yaml at the
pinned version: a key renamed or dropped by a new major fails here, not silently in the cluster.
"""

import json
from typing import Any

import yaml

from tests.support.tools import ROOT

RELEASE = ROOT / "flux/infrastructure/monitoring/release/helmrelease.yaml"
CHART = json.loads((ROOT / "tests/manifests/chart_values/kube-prometheus-stack.json").read_text())
# Passed through verbatim to the program, not read by the chart: Alertmanager's own configuration.
VERBATIM = {"alertmanager.config"}


def unknown_keys(values: Any, declared: Any, path: str = "") -> list[str]:
    """Paths in `values` the chart does not declare. A map the chart leaves empty takes any key."""
    if not isinstance(values, dict) or not isinstance(declared, dict) or not declared:
        return []
    found = []
    for key, value in values.items():
        where = f"{path}.{key}" if path else key
        if key not in declared:
            found.append(where)
        elif where not in VERBATIM:
            found += unknown_keys(value, declared[key], where)
    return found


def release() -> dict:
    return yaml.safe_load(RELEASE.read_text())


def test_the_key_list_is_for_the_pinned_chart_version():
    spec = release()["spec"]["chart"]["spec"]
    assert spec["chart"] == CHART["chart"]
    assert spec["version"] == CHART["version"], (
        "the chart version changed: regenerate tests/manifests/chart_values/kube-prometheus-stack.json "
        "with scripts/chart_value_keys.py from the new version's values, and read its UPGRADE.md"
    )


def test_every_value_set_exists_in_the_chart():
    values = release()["spec"]["values"]
    assert set(values) <= set(CHART["keys"]), "a section the key list does not cover"
    assert unknown_keys(values, CHART["keys"]) == []


def test_a_renamed_key_is_caught():
    values = release()["spec"]["values"]
    dashboards = values["grafana"]["sidecar"]["dashboards"]
    dashboards["labelName"] = dashboards.pop("label")
    values["prometheus"]["prometheusSpec"]["retentionTime"] = "7d"
    assert unknown_keys(values, CHART["keys"]) == [
        "prometheus.prometheusSpec.retentionTime",
        "grafana.sidecar.dashboards.labelName",
    ]


def test_grafana_loads_dashboards_from_labelled_config_maps_in_every_namespace():
    grafana = release()["spec"]["values"]["grafana"]
    assert grafana["sidecar"]["dashboards"] == {
        "enabled": True,
        "label": "grafana_dashboard",
        "labelValue": "1",
        "searchNamespace": "ALL",
    }
    dashboards = (ROOT / "flux/infrastructure/monitoring/config/kustomization.yaml").read_text()
    assert 'grafana_dashboard: "1"' in dashboards
