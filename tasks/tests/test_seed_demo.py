import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tasks.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TASKS
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    user = User.objects.get(username="demo")
    assert user.check_password(DEMO_PASSWORD)
    assert Task.objects.filter(owner=user).count() == len(DEMO_TASKS)
    statuses = set(Task.objects.values_list("status", flat=True))
    assert statuses == {"todo", "in_progress", "done"}
    assert Task.objects.filter(due_date__isnull=True).exists()
    output = capsys.readouterr().out
    assert f"sign in as 'demo' with password '{DEMO_PASSWORD}'" in output
    assert "(0 task(s) added)" in output


def test_seed_demo_refuses_production(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
