"""Command-line tools some suites need (kubectl, checkov): found, or skipped with the reason.

Under TMS_REQUIRE_SERVICES=1 (CI) a missing tool fails instead of skipping.
"""

import shutil
from pathlib import Path

import pytest

from tests.support.services import services_required

ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN = ROOT / ".venv-tools" / "bin"


def require_tool(name: str, how: str) -> str:
    local = TOOLS_BIN / name
    found = str(local) if local.exists() else shutil.which(name)
    if found:
        return found
    reason = f"{name} is not installed ({how})"
    if services_required():
        pytest.fail(f"{reason}, and TMS_REQUIRE_SERVICES=1 makes it required")
    pytest.skip(reason)


def checkov(framework: str, path: str) -> dict:
    """checkov's JSON report(s) for one file, merged into {"passed", "failed", "skipped"} check lists."""
    import json
    import subprocess

    tool = require_tool("checkov", "make test installs it into .venv-tools")
    result = subprocess.run(
        [tool, "--framework", framework, "--skip-download", "-f", path, "--compact", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    merged: dict[str, list] = {"passed": [], "failed": [], "skipped": []}
    for report in reports:
        for kind in merged:
            merged[kind] += report["results"][f"{kind}_checks"]
    return merged
