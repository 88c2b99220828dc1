"""Refuse migrations that would break a rolling update, unless they carry their expand/contract mark.

During a rolling update the release's migration Job runs while the previous release's pods still
serve (docs/release.md, "Migrations in a rolling update"). A migration that drops or renames a column
or table, or adds a NOT NULL column without a database default, makes those pods fail. This runs
django-migration-linter over every migration of TMS's own apps (accounts, tasks, tms_project) and
exits 1 when one is backward incompatible, unless its Migration class says why it is acceptable:

    class Migration(migrations.Migration):
        expand_contract = "expand: the NOT NULL columns are on project_members, created here"

The reason starts with ``expand:``, ``contract:`` or ``downtime:`` (the last one: the release notes
must tell operators to stop the previous release first). The mark is a plain attribute and not the
linter's IgnoreMigration operation because `migrate` imports every migration in the production
image, which does not install the linter; a migration that uses IgnoreMigration is refused here.

The SQL is always SQLite's (an in-memory database, no service needed), whatever DATABASE_URL says:
on MySQL, sqlmigrate needs the schema as it was before each migration (dropping a foreign key reads
its name from the database) and the verdicts on TMS's migrations are the same (docs/decisions.md).

Usage: .venv/bin/python scripts/lint_migrations.py
"""

import logging
import os
import re
import sys
from pathlib import Path

import django
from django.apps import apps
from django.db.migrations import Migration
from django_migration_linter import IgnoreMigration, MigrationLinter
from django_migration_linter.sql_analyser.analyser import analyse_sql_statements
from django_migration_linter.sql_analyser.base import Issue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MARK_ATTRIBUTE = "expand_contract"
MARK_KINDS = ("expand", "contract", "downtime")
MARK_FORMAT = re.compile(rf"^({'|'.join(MARK_KINDS)}): \S.{{9,}}", re.DOTALL)
DOCS = 'docs/release.md, "Migrations in a rolling update (expand/contract)"'


def mark_problem(mark: object) -> str | None:
    """Why a mark is unusable (None when it reads "<kind>: <reason of ten characters or more>")."""
    if isinstance(mark, str) and MARK_FORMAT.match(mark):
        return None
    kinds = "|".join(MARK_KINDS)
    return f"{MARK_ATTRIBUTE} must read '<{kinds}>: <why the previous release keeps working>', not {mark!r}"


def describe(finding: Issue) -> str:
    """A finding as the linter prints its errors: the message, then the table and column it names."""
    place = ", ".join(
        f"{key}: {value}" for key, value in (("table", finding.table), ("column", finding.column)) if value
    )
    return f"{finding.message} ({place})" if place else finding.message


def configure_environment() -> None:
    """The lint's own settings: SQLite in memory, the development profile, every role's apps."""
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ["TMS_ENV"] = "development"
    os.environ["TMS_SERVICE"] = "all"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tms_project.settings_test")


class ExpandContractLinter(MigrationLinter):
    """The linter, with TMS's mark: a marked migration's findings are shown as accepted, not refused."""

    nb_marked = 0

    def lint_migration(self, migration: Migration) -> None:
        label = f"({migration.app_label}, {migration.name})..."
        if any(isinstance(operation, IgnoreMigration) for operation in migration.operations):
            self.refuse(
                label,
                "uses the linter's IgnoreMigration, which the production image cannot import: "
                f"give the Migration class {MARK_ATTRIBUTE} = '<kind>: <reason>' instead",
            )
            return
        if not hasattr(migration, MARK_ATTRIBUTE):
            super().lint_migration(migration)
            return
        mark = getattr(migration, MARK_ATTRIBUTE)
        if problem := mark_problem(mark):
            self.refuse(label, problem)
            return
        self.nb_total += 1
        self.nb_ignored += 1
        self.nb_marked += 1
        sql = self.get_sql(migration.app_label, migration.name)
        findings, _, _ = analyse_sql_statements(self.sql_analyser_class, sql, self.exclude_migration_tests)
        if not findings:
            print(f"{label} OK, marked although nothing needed it ({mark})")
            return
        print(f"{label} ACCEPTED, marked {mark}")
        for finding in findings:
            print(f"\taccepted: {describe(finding)}")

    def refuse(self, label: str, reason: str) -> None:
        self.nb_total += 1
        self.nb_erroneous += 1
        print(f"{label} ERR\n\t{reason}")


def main() -> int:
    configure_environment()
    django.setup()
    # Its INFO lines ("Calling sqlmigrate ...") repeat what the verdict lines say.
    logging.getLogger("django_migration_linter").setLevel(logging.WARNING)

    own_apps = sorted(config.label for config in apps.get_app_configs() if Path(config.path).parent == ROOT)
    print(
        f"Migrations of {', '.join(own_apps)}, as SQLite's SQL, checked for what the previous release needs"
    )
    linter = ExpandContractLinter(no_cache=True)
    for app_label in own_apps:
        linter.lint_all_migrations(app_label=app_label)
    linter.print_summary()
    print(f"Of the ignored, marked with their expand/contract reason: {linter.nb_marked}")
    if linter.has_errors:
        print(
            "\nA migration above would break a rolling update: the previous release still runs while it is "
            f"applied. Split it into expand and contract releases, or mark it with the reason ({DOCS})."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
