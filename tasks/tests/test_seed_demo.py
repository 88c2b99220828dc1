from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tasks.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TASKS, DEMO_TIMED_TASKS
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    user = User.objects.get(username="demo")
    assert user.check_password(DEMO_PASSWORD)
    inbox = Task.objects.filter(owner=user, project__isnull=True)
    assert inbox.count() == len(DEMO_TASKS) + len(DEMO_TIMED_TASKS)
    rent = Task.objects.get(owner=user, title="Pay the rent")
    assert (rent.recurrence, rent.due_time.isoformat(), rent.due_at is not None) == (
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "09:00:00",
        True,
    )
    assert rent.reminders.get().before_minutes == 24 * 60
    # Each is due on a day of its rule: the rent on a month's last day, the stand-up on a weekday.
    assert (rent.due_date + timedelta(days=1)).day == 1
    assert Task.objects.get(owner=user, title="Team stand-up").due_date.weekday() < 5
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


def test_seed_demo_shares_a_project_with_sub_tasks_assignees_and_a_comment():
    from tests.support.clients import client_for

    call_command("seed_demo")
    call_command("seed_demo")
    demo, sam = User.objects.get(username="demo"), User.objects.get(username="sam")
    assert not sam.has_usable_password()  # a member to look at, not an account to sign in to
    client = client_for(demo)
    projects = client.get("/api/tasks/projects/").json()["results"]
    assert [(p["name"], p["role"]) for p in projects] == [("Home renovation", "owner")]
    tasks = client.get(f"/api/tasks/?project={projects[0]['id']}&parent=none").json()["results"]
    paint = next(task for task in tasks if task["title"] == "Paint the living room")
    assert (paint["subtask_count"], paint["subtasks_done"]) == (2, 1)
    assert [person["username"] for person in paint["assignees"]] == ["demo", "sam"]
    comments = client.get(f"/api/tasks/{paint['id']}/comments/").json()["results"]
    assert [(c["author"]["username"], c["body"]) for c in comments] == [
        ("sam", "I can help on Saturday morning.")
    ]
