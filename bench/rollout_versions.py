"""The two versions of TMS a rolling update goes between: an earlier commit, and this checkout.

The old version is the tree of a commit (`git archive`, so nothing in this
repository changes and no worktree is left registered if the run is killed),
unpacked into the test's state folder and removed afterwards. By default it is
the parent of the newest commit that added a migration, so the update also
crosses a migration, as a release does. It runs in this checkout's virtualenv
when its requirements.txt is the same, else in a virtualenv of its own, kept
under the state folder for the next run (keyed by the requirements' hash).
"""
# ruff: noqa: S603, S607 - runs git, tar and pip by name

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Migration modules, not their packages' __init__.py (git's `*` also matches "/").
MIGRATIONS = ("*/migrations/*.py", ":(exclude)*/__init__.py")


class VersionError(Exception):
    """The old version cannot be had: the message says why and what to do."""


@dataclass(frozen=True)
class Code:
    """One version of TMS: where its files are and which Python runs them."""

    label: str  # "old" or "new"
    checkout: Path
    python: str
    revision: str  # what it is, for people


def git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise VersionError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def _shallow() -> bool:
    return git("rev-parse", "--is-shallow-repository") == "true"


def _missing_history(what: str) -> VersionError:
    hint = (
        "this clone is shallow: fetch the history (git fetch --unshallow) or name a commit it has (--from)"
        if _shallow()
        else "name another commit with --from"
    )
    return VersionError(f"{what}; {hint}")


def default_old_ref() -> tuple[str, str]:
    """The parent of the newest commit that added a migration, and why it was chosen.

    Added, not changed: a commit that only edits an existing migration (a comment, a mark for
    the migration lint) puts no schema change between the two versions.
    """
    newest = git("log", "-1", "--format=%H", "--diff-filter=A", "--", *MIGRATIONS)
    if not newest:
        raise _missing_history("no commit in this history adds a migration")
    try:
        parent = git("rev-parse", "--verify", "--quiet", f"{newest}^")
    except VersionError:
        raise _missing_history(
            f"the parent of {newest[:10]}, the newest migration's commit, is missing"
        ) from None
    subject = git("log", "-1", "--format=%s", newest)
    return parent, f"the parent of {newest[:10]} ({subject[:80]}), the newest commit that added a migration"


def resolve(ref: str) -> str:
    try:
        return git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except VersionError:
        raise _missing_history(f"{ref} is not a commit of this repository") from None


def between(old: str) -> dict[str, list[str]]:
    """The commits from `old` to HEAD, and the migrations this checkout has that `old` has not."""
    commits = git("log", "--format=%h %s", f"{old}..HEAD").splitlines()
    # Against the working tree: uncommitted migrations count, they are what is tested.
    migrations = git("diff", "--name-only", "--diff-filter=A", old, "--", *MIGRATIONS).splitlines()
    edited = git("diff", "--name-only", "--diff-filter=MRD", old, "--", *MIGRATIONS).splitlines()
    return {"commits": commits, "migrations": migrations, "edited_migrations": edited}


def unpack(commit: str, into: Path) -> None:
    """The tree of `commit` in `into` (which must not exist)."""
    into.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", "--format=tar", commit], cwd=ROOT, stdout=subprocess.PIPE)
    unpacked = subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=False)
    if archive.stdout:
        archive.stdout.close()
    if archive.wait() != 0 or unpacked.returncode != 0:
        raise VersionError(f"could not unpack {commit[:10]} into {into}")


def python_for(checkout: Path, cache: Path) -> tuple[str, str]:
    """The Python that runs `checkout`, and which environment that is."""
    wanted = (checkout / "requirements.txt").read_bytes()
    if wanted == (ROOT / "requirements.txt").read_bytes():
        return sys.executable, "this checkout's virtualenv (same requirements.txt)"
    venv = cache / f"venv-{hashlib.sha256(wanted).hexdigest()[:12]}"
    python = venv / "bin" / "python"
    if not (venv / ".installed").exists():
        print(f"upgrade: the old requirements.txt differs; installing it into {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "--quiet", "-r", str(checkout / "requirements.txt")]
        if subprocess.run(install, check=False).returncode != 0:
            raise VersionError(f"pip could not install the old requirements.txt into {venv}")
        (venv / ".installed").touch()
    return str(python), f"a virtualenv of its own ({venv.name}: its requirements.txt differs)"


def this_checkout() -> Code:
    head = git("log", "-1", "--format=%h %s")
    changed = " plus uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return Code("new", ROOT, sys.executable, f"this checkout: {head[:100]}{changed}")


def old_code(ref: str | None, state: Path) -> tuple[Code, dict[str, list[str]]]:
    """The old version (unpacked under `state`), and what lies between it and this checkout.

    `ref` "." is this checkout itself: the update is then a restart (kubectl rollout restart).
    """
    if ref == ".":
        code = this_checkout()
        return Code("old", code.checkout, code.python, code.revision), {"commits": [], "migrations": []}
    if ref is None:
        commit, why = default_old_ref()
    else:
        commit, why = resolve(ref), f"--from {ref}"
    subject = git("log", "-1", "--format=%h %s", commit)
    checkout = state / "old-code"
    if checkout.exists():
        remove(checkout)
    unpack(commit, checkout)
    python, environment = python_for(checkout, state)
    revision = f"{subject[:100]} — {why}; runs in {environment}"
    return Code("old", checkout, python, revision), between(commit)


def remove(checkout: Path) -> None:
    """Remove an unpacked old version (never this checkout)."""
    if checkout.resolve() == ROOT or ROOT.is_relative_to(checkout.resolve()):
        return
    subprocess.run(["rm", "-rf", "--one-file-system", str(checkout)], check=True)
