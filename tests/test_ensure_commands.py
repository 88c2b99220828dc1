"""The make targets that run a system program make sure it is there first (scripts/ensure-commands.sh).

Run as root on Debian the script installs the missing package; otherwise, and always with
TMS_INSTALL_PACKAGES=0 (as here), it stops and names the Debian package to install, instead of
letting the target fail later with a Python traceback.
"""

import shutil
import socket
import subprocess

import pytest

from tests.support.server import ROOT, free_port

SCRIPT = ROOT / "scripts" / "ensure-commands.sh"
BASH = shutil.which("bash")


def ensure(*arguments: str, path: str) -> subprocess.CompletedProcess:
    """The check with only ``path`` on PATH, never installing anything."""
    return subprocess.run(
        [BASH, str(SCRIPT), *arguments],
        env={"PATH": path, "TMS_INSTALL_PACKAGES": "0"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("programs", "package"),
    [
        ("wrk", "wrk"),
        ("redis-server", "redis-server"),
        ("mariadb-dump|mysqldump", "mariadb-client"),
        ("mariadb|mysql", "mariadb-client"),
    ],
)
def test_a_missing_program_is_named_with_its_debian_package(tmp_path, programs, package):
    # given a PATH without the program (nor its alternative)
    # when
    result = ensure(programs, path=str(tmp_path))
    # then
    assert result.returncode == 1
    assert f"This needs {programs.replace('|', ' or ')}" in result.stderr
    assert f"sudo apt-get install {package}" in result.stderr
    assert "Installing" not in result.stdout


def test_kubectl_says_where_to_get_it(tmp_path):
    result = ensure("kubectl", path=str(tmp_path))
    assert result.returncode == 1
    assert "kubectl 1.27 or newer" in result.stderr
    assert "https://kubernetes.io/docs/tasks/tools/" in result.stderr
    assert "Debian's kubernetes-client is too old" in result.stderr


def test_a_program_on_the_path_or_its_alternative_is_enough(tmp_path):
    program = tmp_path / "mysqldump"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    result = ensure("mariadb-dump|mysqldump", path=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_running_server_needs_no_program(tmp_path):
    # given a server answering where the stack would look for Redis
    with socket.create_server(("127.0.0.1", 0)) as server:
        url = f"redis://127.0.0.1:{server.getsockname()[1]}/3"
        result = ensure("--unless-answering", url, "redis-server", path=str(tmp_path))
    assert result.returncode == 0, result.stderr
    # and without one, the program to start it is needed
    url = f"redis://127.0.0.1:{free_port()}/3"
    result = ensure("--unless-answering", url, "redis-server", path=str(tmp_path))
    assert result.returncode == 1
    assert "sudo apt-get install redis-server" in result.stderr


STACK = ["nginx", "mariadbd", "redis-server"]


@pytest.mark.parametrize(
    ("target", "needs", "then"),
    [
        ("stack", STACK, "scripts/stack.py start"),
        ("bench", ["wrk", *STACK], "-m bench.run"),
        ("bench-smoke", ["wrk", *STACK], "-m bench.run --smoke"),
        ("reliability", ["wrk", *STACK], "pytest"),
        ("backup", ["mariadb-dump|mysqldump"], "scripts/backup.py backup"),
        ("restore FILE=backups/x.sql.gz", ["mariadb|mysql"], "scripts/backup.py restore"),
        ("manifests", ["kubectl"], "kubectl kustomize"),
    ],
)
def test_make_targets_ensure_their_programs_before_running_them(target, needs, then):
    make = shutil.which("make") or pytest.skip("make is not installed")
    planned = subprocess.run(
        [make, "-n", *target.split()], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    first_use = next(number for number, line in enumerate(planned) if then in line)
    ensured = [
        line.split("ensure-commands.sh", 1)[1].split()[-1].strip('"')
        for line in planned[:first_use]
        if "ensure-commands.sh" in line
    ]
    assert ensured == needs
