"""The objects of k8s/base as kustomize renders them (auth and task come out of the backend
component, so no file holds them whole): for harnesses that run pods with the Deployments' own
env, probes, hooks and rollout numbers (tests/images, bench/rollout_pods.py)."""

import functools
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def _rendered() -> tuple[dict, ...]:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        raise RuntimeError("kubectl is needed to render k8s/base (it ships with the machine image)")
    result = subprocess.run(
        [kubectl, "kustomize", str(ROOT / "k8s" / "base")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize k8s/base failed: {result.stderr.strip()}")
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def base_deployment(name: str) -> dict:
    """The Deployment ``name`` of k8s/base, rendered."""
    for doc in _rendered():
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == name:
            return doc
    raise KeyError(f"k8s/base renders no Deployment {name!r}")
