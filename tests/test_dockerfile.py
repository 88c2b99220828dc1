"""The backend Dockerfile, checked statically (no Docker engine here): structure and checkov."""

import json
import re

import pytest

from tests.support.dockerfile import read
from tests.support.tools import ROOT, checkov

BUILD, RUNTIME = read(ROOT / "Dockerfile")


def test_multi_stage_build_on_the_ci_python():
    assert (BUILD.name, RUNTIME.name) == ("build", "runtime")
    assert BUILD.base == RUNTIME.base
    # the official image by tag and digest, unless `make images` passes a local base (docs/deploy.md)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", BUILD.base), BUILD.base
    assert "FROM ${PYTHON_IMAGE} AS build" in (ROOT / "Dockerfile").read_text()
    ci = (ROOT / ".ci" / "run").read_text() + (ROOT / "scripts" / "ensure-system-packages.sh").read_text()
    assert "3, 11" in ci  # the same minor version as the machines that run the tests


def test_wheels_are_built_in_the_build_stage_and_installed_offline_in_the_runtime():
    assert {"build-essential", "libmariadb-dev", "pkg-config"} <= BUILD.installed_packages()
    wheel = [
        "/opt/tms/bin/pip",
        "wheel",
        "--no-cache-dir",
        "--wheel-dir",
        "/wheels",
        "-r",
        "requirements.txt",
    ]
    assert wheel in BUILD.commands()
    [wheels] = [copy for copy in RUNTIME.all("COPY") if copy.flags.get("from") == "build"]
    assert wheels.arguments == ["/wheels", "/wheels"]
    # into a virtualenv of their own, from the wheels only; pip itself does not stay in the image
    [install] = [c for c in RUNTIME.commands() if c[:2] == ["/opt/tms/bin/pip", "install"]]
    assert "--no-index" in install
    assert ["/opt/tms/bin/pip", "uninstall", "--quiet", "--yes", "pip", "setuptools"] in RUNTIME.commands()


def test_the_runtime_has_the_client_library_only():
    assert RUNTIME.installed_packages() == {"libmariadb3"}


def test_runs_as_uid_1000_under_gunicorn_with_static_files_collected():
    assert RUNTIME.values("USER") == ["1000:1000"]
    # USER comes after every RUN: nothing in the image is built as the runtime user
    keywords = [i.keyword for i in RUNTIME.instructions]
    assert max(n for n, k in enumerate(keywords) if k == "RUN") < keywords.index("USER")
    assert any(c[-3:] == ["manage.py", "collectstatic", "--noinput"] for c in RUNTIME.commands())
    [entrypoint] = RUNTIME.all("ENTRYPOINT")
    assert entrypoint.exec_form == [
        "gunicorn",
        "--config",
        "tms_project/gunicorn_conf.py",
        "tms_project.wsgi",
    ]
    [env] = RUNTIME.all("ENV")
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/metrics" in env.arguments
    assert [i for stage in (BUILD, RUNTIME) for i in stage.all("ADD")] == []  # nothing fetched from a URL


def test_the_healthcheck_asks_healthz():
    [check] = RUNTIME.all("HEALTHCHECK")
    assert check.arguments[0] == "CMD"
    command = json.loads(check.value.split("CMD", 1)[1])
    assert command[0] == "python" and "http://127.0.0.1:8000/healthz" in command[-1]
    assert RUNTIME.values("EXPOSE") == ["8000"]


def test_dockerignore_keeps_secrets_and_clutter_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".keys", ".env", "*.pem", "**/tests"):
        assert entry in ignored


def test_requirements_match_what_the_image_installs():
    assert [copy.arguments for copy in BUILD.all("COPY")] == [["requirements.txt", "."]]
    copied = [copy.arguments for copy in RUNTIME.all("COPY") if "from" not in copy.flags]
    assert copied == [
        ["manage.py", "./"],
        ["tms_project", "./tms_project"],
        ["accounts", "./accounts"],
        ["tasks", "./tasks"],
    ]


def test_checkov_passes_the_dockerfile():
    report = checkov("dockerfile", str(ROOT / "Dockerfile"))
    assert [c["check_id"] for c in report["failed"]] == []
    assert len(report["passed"]) > 5


@pytest.mark.parametrize("path", ["tms_project/gunicorn_conf.py", "tms_project/wsgi.py", "manage.py"])
def test_the_entrypoint_files_exist(path):
    assert (ROOT / path).exists()
