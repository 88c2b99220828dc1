import pytest
from django.core.management import CommandError, call_command

from tms_project.management.commands import wait_for_migrations


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
def test_waits_until_the_migration_job_is_done(monkeypatch):
    states = iter([2, 1, 0])
    monkeypatch.setattr(wait_for_migrations, "pending_migrations", lambda: next(states))
    call_command("wait_for_migrations", "--timeout", "5", "--interval", "0.01")
