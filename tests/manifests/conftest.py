import subprocess

import pytest
import yaml

from tests.support.tools import ROOT, require_tool

OVERLAYS = ["local", "production"]
# Example overlays that add a component (k8s/components/) to one above: rendered, and checked by the
# tests that name them (test_gateway_api.py, test_network_matrix.py, test_server_side_apply.py),
# not by every per-overlay test.
VARIANTS = ["production-gateway"]


def render(overlay: str) -> list[dict]:
    kubectl = require_tool("kubectl", "it ships with the machine image; kustomize is built in")
    result = subprocess.run(
        [kubectl, "kustomize", str(ROOT / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="session")
def rendered_text(tmp_path_factory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("rendered")
    paths = {}
    for overlay in OVERLAYS + VARIANTS:
        path = directory / f"{overlay}.yaml"
        path.write_text(yaml.safe_dump_all(render(overlay), sort_keys=False))
        paths[overlay] = str(path)
    return paths


@pytest.fixture(scope="session", params=OVERLAYS)
def overlay(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def docs_by_overlay() -> dict[str, list[dict]]:
    return {overlay: render(overlay) for overlay in OVERLAYS + VARIANTS}


@pytest.fixture
def docs(docs_by_overlay, overlay) -> list[dict]:
    return docs_by_overlay[overlay]
