import itertools
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tms_project.management.commands import wait_for_migrations

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_returns_at_once_when_everything_is_applied(capsys):
    call_command("wait_for_migrations", "--timeout", "1")
    assert "migrations applied" in capsys.readouterr().out


@pytest.mark.django_db
def test_gives_up_after_the_timeout_while_migrations_are_pending(monkeypatch):
    monkeypatch.setattr(wait_for_migrations, "pending_migrations", lambda: 3)
    with pytest.raises(CommandError, match="3 migration"):
        call_command("wait_for_migrations", "--timeout", "0.2", "--interval", "0.05")


@pytest.mark.django_db
def test_polls_until_the_migration_job_is_done(monkeypatch, capsys):
    states = iter([2, 1, 0])
    polls = []

    def pending() -> int:
        polls.append(time.monotonic())
        return next(states)

    monkeypatch.setattr(wait_for_migrations, "pending_migrations", pending)
    call_command("wait_for_migrations", "--timeout", "5", "--interval", "0.05")
    assert len(polls) == 3
    assert all(later - earlier >= 0.05 for earlier, later in itertools.pairwise(polls))
    assert capsys.readouterr().out.splitlines() == [
        "waiting: 2 migration(s) pending",
        "waiting: 1 migration(s) pending",
        "database ready, migrations applied",
    ]


@pytest.mark.django_db(transaction=True)
def test_waits_for_a_migration_applied_meanwhile(monkeypatch, capsys):
    # given: the database one migration behind the code, as while the release's Job still runs
    migrations = sorted(path.stem for path in (ROOT / "accounts" / "migrations").glob("[0-9]*_*.py"))
    previous = migrations[-2]
    call_command("migrate", "accounts", previous, verbosity=0)
    assert wait_for_migrations.pending_migrations() == 1
    naps = []
    real_sleep = time.sleep

    def sleep_while_the_job_migrates(seconds: float) -> None:
        naps.append(seconds)
        real_sleep(seconds)
        if len(naps) == 2:
            call_command("migrate", "accounts", verbosity=0)

    monkeypatch.setattr(wait_for_migrations.time, "sleep", sleep_while_the_job_migrates)

    # when
    started = time.monotonic()
    call_command("wait_for_migrations", "--timeout", "5", "--interval", "0.05")

    # then: it polled three times (pending, pending, applied) and returned only then
    assert naps == [0.05, 0.05]
    assert time.monotonic() - started >= 0.1
    assert capsys.readouterr().out.splitlines() == [
        "waiting: 1 migration(s) pending",
        "waiting: 1 migration(s) pending",
        "database ready, migrations applied",
    ]
    assert wait_for_migrations.pending_migrations() == 0
