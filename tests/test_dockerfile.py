"""The backend Dockerfile, checked statically (no Docker engine here): structure and checkov."""

import json
import re

import pytest

from tests.support.tools import ROOT, checkov

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, flags=re.MULTILINE)


def test_multi_stage_build_on_the_ci_python():
    stages = instructions("FROM")
    assert len(stages) == 2 and stages[0].endswith("AS build") and stages[1].endswith("AS runtime")
    bases = {stage.split()[0] for stage in stages}
    assert len(bases) == 1
    [base] = bases
    assert base.startswith("python:3.11.") and "latest" not in base
    ci = (ROOT / ".ci" / "run").read_text() + (ROOT / "scripts" / "ensure-system-packages.sh").read_text()
    assert "3, 11" in ci  # the same minor version as the machines that run the tests


def test_the_runtime_has_the_client_library_only():
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert "libmariadb3" in runtime
    assert "libmariadb-dev" not in runtime and "build-essential" not in runtime


def test_runs_as_uid_1000_under_gunicorn_with_static_files_collected():
    assert instructions("USER") == ["1000:1000"]
    assert "collectstatic --noinput" in DOCKERFILE
    [entrypoint] = instructions("ENTRYPOINT")
    assert json.loads(entrypoint) == [
        "gunicorn",
        "--config",
        "tms_project/gunicorn_conf.py",
        "tms_project.wsgi",
    ]
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/metrics" in DOCKERFILE
    assert "ADD " not in DOCKERFILE  # nothing fetched at build time from a URL


def test_dockerignore_keeps_secrets_and_clutter_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".keys", ".env", "*.pem", "**/tests"):
        assert entry in ignored


def test_requirements_match_what_the_image_installs():
    copied = instructions("COPY")
    assert "requirements.txt ." in copied
    assert {"tms_project ./tms_project", "accounts ./accounts", "tasks ./tasks", "manage.py ./"} <= set(
        copied
    )


def test_checkov_passes_the_dockerfile():
    report = checkov("dockerfile", str(ROOT / "Dockerfile"))
    assert [c["check_id"] for c in report["failed"]] == []
    assert len(report["passed"]) > 5


@pytest.mark.parametrize("path", ["tms_project/gunicorn_conf.py", "tms_project/wsgi.py", "manage.py"])
def test_the_entrypoint_files_exist(path):
    assert (ROOT / path).exists()
