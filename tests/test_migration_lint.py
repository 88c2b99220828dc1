"""The migration lint (scripts/lint_migrations.py) as `make test` runs it.

TMS's own migrations pass; a migration that drops a column, renames one or adds a NOT NULL column
without a default is refused, naming the migration and why; the same migrations pass once their
Migration class carries the expand/contract mark. The probes are migrations of the real tasks app
in a temporary copy of its migrations package (MIGRATION_MODULES), never in the repository.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "lint_migrations.py"
MIGRATION_DIRS = [ROOT / "accounts" / "migrations", ROOT / "tasks" / "migrations"]
VERDICT = re.compile(r"^\((?P<app>\w+), (?P<name>\w+)\)\.\.\. (?P<verdict>[A-Z]+)")

PROBES = {
    "0901_lint_probe_drop_column": "migrations.RemoveField(model_name='task', name='description')",
    "0902_lint_probe_rename_column": (
        "migrations.RenameField(model_name='task', old_name='title', new_name='name')"
    ),
    # What makemigrations writes for a NOT NULL column when asked for a one-off default.
    "0903_lint_probe_not_null": (
        "migrations.AddField(model_name='task', name='estimate', field=models.IntegerField(default=0), "
        "preserve_default=False)"
    ),
}
MARKS = {
    "0901_lint_probe_drop_column": "contract: nothing reads description since the release before this one",
    "0902_lint_probe_rename_column": "downtime: the release notes say to stop the previous release first",
    "0903_lint_probe_not_null": "downtime: the release notes say to stop the previous release first",
}


def migration_files() -> set[Path]:
    return {path for folder in MIGRATION_DIRS for path in folder.glob("*.py")}


def latest_tasks_migration() -> str:
    return max(path.stem for path in (ROOT / "tasks" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py"))


def run_lint(extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # No bytecode: the lint imports the migrations and must leave nothing beside them.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(extra_env or {})}
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def verdicts(output: str) -> dict[str, tuple[str, str]]:
    """{"app.migration": (verdict, the lines the linter printed under it)} of a lint run's output."""
    found: dict[str, tuple[str, str]] = {}
    current = None
    for line in output.splitlines():
        if match := VERDICT.match(line):
            current = f"{match['app']}.{match['name']}"
            found[current] = (match["verdict"], "")
        elif line.startswith("\t") and current:
            verdict, details = found[current]
            found[current] = (verdict, details + line.strip() + "\n")
        else:
            current = None
    return found


def write_probes(
    tmp_path: Path, marks: dict[str, str], extra: dict[str, str] | None = None
) -> dict[str, str]:
    """A copy of the tasks app's migrations with the probes beside them, and settings that use it."""
    package = tmp_path / "lint_probe_tasks_migrations"
    shutil.copytree(ROOT / "tasks" / "migrations", package, ignore=shutil.ignore_patterns("__pycache__"))
    parent = latest_tasks_migration()
    for name, operation in {**PROBES, **(extra or {})}.items():
        mark = f"    expand_contract = {marks[name]!r}\n" if name in marks else ""
        (package / f"{name}.py").write_text(
            "from django.db import migrations, models\n\n\n"
            "class Migration(migrations.Migration):\n"
            f"{mark}"
            f"    dependencies = [('tasks', {parent!r})]\n"
            f"    operations = [{operation}]\n"
        )
    (tmp_path / "lint_probe_settings.py").write_text(
        "from tms_project.settings_test import *  # noqa: F403\n\n"
        "MIGRATION_MODULES = {'tasks': 'lint_probe_tasks_migrations'}\n"
    )
    return {"DJANGO_SETTINGS_MODULE": "lint_probe_settings", "PYTHONPATH": str(tmp_path)}


@pytest.fixture(autouse=True)
def _migration_folders_untouched():
    before = migration_files()
    yield
    assert migration_files() == before


def test_tms_migrations_pass_the_lint():
    # when
    result = run_lint()

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    found = verdicts(result.stdout)
    assert {name for name, (verdict, _) in found.items() if verdict == "ERR"} == set()
    assert {"accounts.0001_initial", "tasks.0001_initial", "tasks.0004_list_scope_index"} <= found.keys()
    # Each migration the linter objects to is accepted only through its reviewed mark.
    accepted = {name: details for name, (verdict, details) in found.items() if verdict == "ACCEPTED"}
    assert set(accepted) == {
        "accounts.0003_username_key_outgoing_mail",
        "tasks.0002_labels_trash_history_idempotency",
        "tasks.0003_projects_members_comments",
        "tasks.0005_time_reminders_notifications_feeds",
        "tasks.0006_recurrence_done",
    }
    assert (
        "accepted: NOT NULL constraint on columns" in accepted["tasks.0002_labels_trash_history_idempotency"]
    )
    assert "marked downtime: tasks.version is NOT NULL" in result.stdout
    assert "marked expand: the NOT NULL columns (project_members.project_id" in result.stdout


def test_backward_incompatible_migrations_are_refused_with_the_reason(tmp_path):
    # given: the three probes without a mark, one with a mark that gives no reason, and one that uses
    # the linter's own IgnoreMigration
    extra = {
        "0904_lint_probe_mark_without_reason": "migrations.RemoveField(model_name='task', name='priority')",
        "0905_lint_probe_linter_import": "__import__('django_migration_linter').IgnoreMigration()",
    }
    env = write_probes(tmp_path, {"0904_lint_probe_mark_without_reason": "fine"}, extra)

    # when
    result = run_lint(env)

    # then
    assert result.returncode == 1, result.stdout + result.stderr
    found = verdicts(result.stdout)
    assert found["tasks.0901_lint_probe_drop_column"] == (
        "ERR",
        "DROPPING columns (table: tasks, column: description)\n",
    )
    assert found["tasks.0902_lint_probe_rename_column"] == (
        "ERR",
        "RENAMING columns (table: tasks, column: title)\n",
    )
    assert found["tasks.0903_lint_probe_not_null"] == ("ERR", "NOT NULL constraint on columns\n")
    verdict, details = found["tasks.0904_lint_probe_mark_without_reason"]
    assert verdict == "ERR"
    assert "expand_contract must read '<expand|contract|downtime>: <why" in details
    verdict, details = found["tasks.0905_lint_probe_linter_import"]
    assert verdict == "ERR"
    assert "IgnoreMigration, which the production image cannot import" in details
    assert "Erroneous migrations: 5/" in result.stdout
    assert "would break a rolling update" in result.stdout
    # TMS's own migrations keep their verdicts beside the probes.
    assert found["tasks.0004_list_scope_index"] == ("OK", "")


def test_the_same_migrations_with_their_mark_pass(tmp_path):
    # given
    env = write_probes(tmp_path, MARKS)

    # when
    result = run_lint(env)

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    found = verdicts(result.stdout)
    assert found["tasks.0901_lint_probe_drop_column"] == (
        "ACCEPTED",
        "accepted: DROPPING columns (table: tasks, column: description)\n",
    )
    assert found["tasks.0902_lint_probe_rename_column"] == (
        "ACCEPTED",
        "accepted: RENAMING columns (table: tasks, column: title)\n",
    )
    assert found["tasks.0903_lint_probe_not_null"] == (
        "ACCEPTED",
        "accepted: NOT NULL constraint on columns\n",
    )
    assert f"marked {MARKS['0901_lint_probe_drop_column']}" in result.stdout
    assert "Erroneous migrations: 0/" in result.stdout
