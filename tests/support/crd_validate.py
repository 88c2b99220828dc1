"""Validate Flux and Prometheus-operator objects against their CRD models (cloudcoil).

Run with the tools virtualenv's Python: ``crd_validate.py FILE...`` prints one JSON line per
object: {"kind", "name", "errors": [...]}. The models ignore unknown fields, so a field that
does not survive a validate-and-dump round trip is reported as unknown.
"""

import json
import sys

import yaml
from cloudcoil.models.fluxcd.helm import v2 as helm_v2
from cloudcoil.models.fluxcd.kustomize import v1 as kustomize_v1
from cloudcoil.models.fluxcd.source import v1 as source_v1
from cloudcoil.models.prometheus_operator import v1 as prometheus_v1
from pydantic import ValidationError

MODELS = {
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): source_v1.GitRepository,
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): source_v1.HelmRepository,
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): kustomize_v1.Kustomization,
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): helm_v2.HelmRelease,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): prometheus_v1.ServiceMonitor,
    ("monitoring.coreos.com/v1", "PrometheusRule"): prometheus_v1.PrometheusRule,
}
# Free-form by design: chart values are the chart's business, not the CRD's.
OPAQUE = {("spec", "values")}


def unknown_fields(given, kept, path=()) -> list[str]:
    if path in OPAQUE:
        return []
    if isinstance(given, dict) and isinstance(kept, dict):
        found = []
        for key, value in given.items():
            if key not in kept:
                found.append(".".join((*path, key)))
            else:
                found += unknown_fields(value, kept[key], (*path, key))
        return found
    if isinstance(given, list) and isinstance(kept, list):
        return [f for a, b in zip(given, kept, strict=False) for f in unknown_fields(a, b, path)]
    return []


def check(doc: dict) -> dict:
    key = (doc.get("apiVersion"), doc.get("kind"))
    result = {"kind": doc.get("kind"), "name": doc.get("metadata", {}).get("name"), "errors": []}
    model = MODELS.get(key)
    if model is None:
        result["skipped"] = True
        return result
    try:
        kept = model.model_validate(doc).model_dump(by_alias=True, exclude_unset=True, mode="json")
    except ValidationError as exc:
        result["errors"] = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return result
    result["errors"] = [f"unknown field {name}" for name in unknown_fields(doc, kept)]
    return result


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path) as handle:
            for doc in yaml.safe_load_all(handle):
                if doc:
                    print(json.dumps(check(doc)))
