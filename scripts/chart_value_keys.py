"""The keys a Helm chart's values.yaml declares, for tests/manifests/test_chart_values.py.

    python3 scripts/chart_value_keys.py KPS_VALUES GRAFANA_VALUES VERSION GRAFANA_VERSION > OUT.json

KPS_VALUES is kube-prometheus-stack's values.yaml at VERSION (`helm show values
prometheus-community/kube-prometheus-stack --version VERSION`), GRAFANA_VALUES that of the grafana
chart it depends on (Chart.yaml `dependencies`). Only the sections TMS sets are kept; values are
dropped (null), so a map whose default is empty ({}) stays open to any key.
"""

import json
import sys
from typing import Any

import yaml

SECTIONS = ("prometheus", "alertmanager", "grafana")


def skeleton(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: skeleton(inner) for key, inner in value.items()}
    return None


def merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def main(kps_values: str, grafana_values: str, version: str, grafana_version: str) -> None:
    with open(kps_values, encoding="utf-8") as file:
        kps = yaml.safe_load(file)
    with open(grafana_values, encoding="utf-8") as file:
        grafana = yaml.safe_load(file)
    keys = {section: skeleton(kps[section]) for section in SECTIONS}
    # The parent chart's grafana: block overrides the sub-chart's defaults; both sets of keys apply.
    keys["grafana"] = merge(skeleton(grafana), keys["grafana"])
    document = {
        "chart": "kube-prometheus-stack",
        "version": version,
        "grafana": grafana_version,
        "source": "prometheus-community/helm-charts charts/kube-prometheus-stack/values.yaml and "
        "grafana-community/helm-charts charts/grafana/values.yaml, at the charts' release tags",
        "licence": "Apache-2.0 (both charts)",
        "keys": keys,
    }
    json.dump(document, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
