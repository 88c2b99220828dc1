"""`make run PORT=…`: the links TMS mails (password reset, email change) point where it serves."""

import os
import shutil
import subprocess

import pytest

from tests.support.tools import ROOT


def served_public_url(*make_args: str, env: dict[str, str]) -> str:
    """The TMS_PUBLIC_URL `make run` gives the server: its runserver line, run with a probe instead."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(
        ["make", "-n", "--always-make", "run", *make_args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [line] = [line for line in plan.splitlines() if "manage.py runserver" in line]
    probe = line.split(" manage.py runserver")[0].rsplit(" ", 1)[0]  # the environment assignment
    result = subprocess.run(
        ["bash", "-c", f"{probe} python3 -c \"import os; print(os.environ['TMS_PUBLIC_URL'])\""],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return result.stdout.strip()


def test_the_public_url_follows_the_port():
    env = {k: v for k, v in os.environ.items() if k != "TMS_PUBLIC_URL"}
    assert served_public_url("PORT=8123", env=env) == "http://127.0.0.1:8123"
    assert served_public_url("HOST=0.0.0.0", "PORT=9000", env=env) == "http://0.0.0.0:9000"


def test_a_public_url_set_by_the_operator_wins():
    env = {**os.environ, "TMS_PUBLIC_URL": "https://tasks.example.org"}
    assert served_public_url("PORT=8123", env=env) == "https://tasks.example.org"
