"""Build TMS's container images with buildah: `make images`.

    python3 scripts/images.py build [--bases auto|official|local]

Each Dockerfile names its base images in build arguments whose defaults are the official images,
pinned by tag and digest. With `--bases auto` (the default) each is pulled; where no registry serves
it, a local base is made from Debian packages (scripts/image_bases.py) and used instead, and the
build says so. The images are tagged `tms-backend:local` and `tms-frontend:local` (and the commit),
and build/images.json records what was built from what, with each image's unpacked size.
"""
# ruff: noqa: S603, S607 - this script runs the machine's own buildah and mmdebstrap

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from image_bases import BASES, SLIM, Base

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "build" / "images.json"
IMAGES = {
    # name: (Dockerfile, context, unpacked size budget in bytes)
    "tms-backend": (ROOT / "Dockerfile", ROOT, 300 * 1000**2),
    "tms-frontend": (ROOT / "frontend" / "Dockerfile", ROOT / "frontend", 60 * 1000**2),
}


def say(message: str) -> None:
    print(f"images: {message}", flush=True)


def run(command: list[str], *, quiet: bool = False, timeout: float | None = None) -> str:
    result = subprocess.run(command, capture_output=quiet, text=True, check=False, timeout=timeout)
    if result.returncode != 0:
        detail = (result.stdout or "") + (result.stderr or "") if quiet else ""
        sys.exit(f"images: {' '.join(command[:4])} … failed (exit {result.returncode})\n{detail[-3000:]}")
    return result.stdout or ""


def build_arguments(dockerfile: Path) -> dict[str, str]:
    """The Dockerfile's `ARG NAME=default` lines before its first FROM: the base images."""
    found = {}
    for line in dockerfile.read_text().splitlines():
        if line.startswith("FROM"):
            break
        match = re.match(r"ARG (\w+)=(\S+)", line)
        if match:
            found[match[1]] = match[2]
    return found


def image_exists(name: str) -> bool:
    return (
        subprocess.run(
            ["buildah", "inspect", "--type", "image", name], capture_output=True, check=False
        ).returncode
        == 0
    )


def pulled(reference: str) -> bool:
    """Whether a registry serves `reference` (already in local storage counts)."""
    if image_exists(reference):
        return True
    try:
        result = subprocess.run(
            ["buildah", "pull", "--quiet", reference], capture_output=True, text=True, timeout=90, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def make_base(base: Base) -> None:
    """Build one local base from Debian packages with mmdebstrap, unless it is already stored."""
    if image_exists(base.name):
        say(f"{base.name} is already built (buildah rmi it to rebuild)")
        return
    say(f"building {base.name} from Debian {base.suite} packages with mmdebstrap")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tms-base-") as scratch:
        tree, rootfs = Path(scratch) / "tree", Path(scratch) / "rootfs.tar"
        command = [
            "mmdebstrap",
            "--quiet",
            f"--variant={base.variant}",
            '--aptopt=APT::Install-Recommends "false"',
            f"--include={','.join(base.packages)}",
            *(f"--dpkgopt={option}" for option in SLIM),
            *(f"--hook-dir={directory}" for directory in base.hook_dirs),
            base.suite,
            str(tree),
            *base.mirrors(),
        ]
        run(command)
        # The set-up scripts run on the finished tree, the same way for every variant.
        for hook in base.hooks:
            run(["sh", "-c", hook, "hook", str(tree)])
        run(["tar", "--numeric-owner", "-C", str(tree), "-cf", str(rootfs), "."])
        shutil.rmtree(tree)
        container = run(["buildah", "from", "scratch"], quiet=True).strip()
        try:
            run(["buildah", "add", "--quiet", container, str(rootfs), "/"], quiet=True)
            options = [f"{key}={value}" for key, value in base.config.items()]
            options += [f"--label=org.opencontainers.image.description={base.description}"]
            run(["buildah", "config", *options, container], quiet=True)
            run(["buildah", "commit", "--quiet", "--format", "docker", container, base.name], quiet=True)
        finally:
            subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
    say(f"{base.name} built in {time.monotonic() - started:.0f}s")


def choose_bases(arguments: dict[str, str], mode: str) -> dict[str, str]:
    """The build arguments to pass: the official base where it can be pulled, else the local one."""
    chosen = {}
    for argument, official in arguments.items():
        base = BASES.get(argument)
        if mode != "local" and pulled(official):
            say(f"{argument}: {official}")
            continue
        if mode == "official" or base is None:
            sys.exit(
                f"images: no registry serves {official} ({argument}) and --bases {mode} forbids a local base"
            )
        say(f"{argument}: no registry serves {official}; using {base.name} instead — {base.description}")
        make_base(base)
        chosen[argument] = base.name
    return chosen


def commit_tag() -> str:
    result = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def unpacked_size(image: str) -> int:
    """Bytes of the image's root filesystem as a container sees it (every layer applied)."""
    container = run(["buildah", "from", "--quiet", "--pull-never", image], quiet=True).strip()
    try:
        mountpoint = run(["buildah", "mount", container], quiet=True).strip()
        total = run(["du", "-sb", "--one-file-system", mountpoint], quiet=True).split()[0]
        return int(total)
    finally:
        subprocess.run(["buildah", "umount", container], capture_output=True, check=False)
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)


# The machine's trusted certificates, seen by the build steps only (a bind mount, never a layer):
# where a TLS-inspecting proxy stands between this machine and PyPI or npm, pip and npm need it.
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def trust_options() -> list[str]:
    if not HOST_CA_BUNDLE.exists():
        return []
    return [f"--volume={HOST_CA_BUNDLE}:{HOST_CA_BUNDLE}:ro"]


def build(mode: str, only: list[str]) -> None:
    for tool in ("buildah", "mmdebstrap"):
        if shutil.which(tool) is None:
            sys.exit(f"images: {tool} is not installed (Debian: apt-get install buildah mmdebstrap)")
    record: dict[str, dict] = json.loads(RECORD.read_text()) if only and RECORD.exists() else {}
    tag = commit_tag()
    for name, (dockerfile, context, budget) in IMAGES.items():
        if only and name not in only:
            continue
        bases = choose_bases(build_arguments(dockerfile), mode)
        say(f"building {name} from {dockerfile.relative_to(ROOT)}")
        started = time.monotonic()
        run(
            [
                "buildah",
                "bud",
                "--isolation=chroot",
                "--format=docker",
                "--layers=false",  # one layer per stage: nothing a later step deletes is kept
                "--quiet",
                *trust_options(),
                *(f"--build-arg={key}={value}" for key, value in bases.items()),
                "--file",
                str(dockerfile),
                "--tag",
                f"localhost/{name}:local",
                "--tag",
                f"localhost/{name}:{tag}",
                str(context),
            ]
        )
        seconds = time.monotonic() - started
        size = unpacked_size(f"localhost/{name}:local")
        image_id = run(
            [
                "buildah",
                "inspect",
                "--type",
                "image",
                "--format",
                "{{.FromImageID}}",
                f"localhost/{name}:local",
            ],
            quiet=True,
        ).strip()
        record[name] = {
            "image": f"localhost/{name}:local",
            "commit": tag,
            "id": image_id,
            "bases": {**build_arguments(dockerfile), **bases},
            "unpacked_bytes": size,
            "budget_bytes": budget,
            "build_seconds": round(seconds, 1),
        }
        verdict = "within" if size <= budget else "OVER"
        say(
            f"{name}: {size / 1000**2:.1f} MB unpacked ({verdict} the {budget / 1000**2:.0f} MB budget), "
            f"built in {seconds:.0f}s"
        )
    # Intermediate stages and replaced images are not kept: the disk is shared.
    subprocess.run(["buildah", "rmi", "--prune"], capture_output=True, check=False)
    RECORD.parent.mkdir(exist_ok=True)
    RECORD.write_text(json.dumps(record, indent=2) + "\n")
    say(f"{RECORD.relative_to(ROOT)} written")
    if any(entry["unpacked_bytes"] > entry["budget_bytes"] for entry in record.values()):
        sys.exit("images: an image is over its size budget")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build"])
    parser.add_argument("--bases", choices=["auto", "official", "local"], default="auto")
    parser.add_argument("names", nargs="*", choices=[[], *IMAGES], help="only these images (default: all)")
    arguments = parser.parse_args()
    build(arguments.bases, arguments.names)
