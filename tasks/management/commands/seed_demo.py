"""A demo account with a realistic spread of tasks, and a project it shares. Running it again changes
nothing."""

from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tasks.models import Project, ProjectMember, Task
from tasks.recurrence import next_occurrence
from tasks.selectors import user_today
from tasks.services.comments import comment_add
from tasks.services.projects import project_create
from tasks.services.tasks import task_create

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - a published demo credential, refused in production

P = Task.Priority
# (title, status, priority, due in days from today or None, description)
DEMO_TASKS = [
    ("Renew passport", "todo", P.HIGH, 12, "Photos, form, fee. Book an appointment first."),
    ("Pay the electricity bill", "todo", P.URGENT, -2, ""),
    ("Plan the team offsite", "in_progress", P.MEDIUM, 20, "Venue shortlist, budget, agenda."),
    (
        "Write the quarterly report",
        "in_progress",
        P.HIGH,
        3,
        "Numbers from finance are in the shared folder.",
    ),
    ("Call the plumber about the kitchen tap", "todo", P.MEDIUM, 0, ""),
    ("Read 'The Pragmatic Programmer'", "todo", P.LOW, None, ""),
    ("Book dentist check-up", "todo", P.NONE, 30, ""),
    ("Buy a birthday present for Sam", "todo", P.MEDIUM, 5, "Something for the garden?"),
    ("Back up the laptop", "done", P.HIGH, -7, ""),
    ("Submit the expense claims", "done", P.MEDIUM, -10, ""),
    ("Fix the bike's rear brake", "todo", P.LOW, None, ""),
    ("Prepare the conference talk slides", "in_progress", P.URGENT, 1, "Dry run on Thursday."),
    ("Cancel the unused gym membership", "todo", P.LOW, -5, ""),
    ("Sort the photo library", "todo", P.NONE, None, ""),
    ("Update the CV", "done", P.LOW, None, ""),
]
# (title, time, repeat rule, reminders): tasks with a time of day that repeat, due on the rule's
# first day after today.
DEMO_TIMED_TASKS = [
    ("Team stand-up", time(9, 30), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", [{"before_minutes": 10}]),
    ("Water the plants", time(18, 0), "FREQ=WEEKLY;BYDAY=MO,TH", [{"before_minutes": 30}]),
    ("Pay the rent", time(9, 0), "FREQ=MONTHLY;BYMONTHDAY=-1", [{"before_minutes": 24 * 60}]),
]
DEMO_PROJECT = "Home renovation"
# The demo project's other member: an account nobody can sign in to (no password).
DEMO_FRIEND = ("sam", "sam@example.com", "Sam Rivera")


class Command(BaseCommand):
    help = f"Create the demo account '{DEMO_USERNAME}' with sample tasks (idempotent; development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="allow it in production")

    @transaction.atomic
    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if settings.IS_PRODUCTION and not force:
            raise CommandError("seed_demo creates a user with a published password; refusing in production.")
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com", "display_name": "Demo User"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        today = user_today(user.time_zone)
        existing = set(Task.objects.filter(owner=user).values_list("title", flat=True))
        added = 0
        for title, status, priority, due_in, description in DEMO_TASKS:
            if title in existing:
                continue
            task_create(
                user_id=user.pk,
                actor_id=user.pk,
                title=title,
                description=description,
                status=status,
                priority=priority,
                due_date=None if due_in is None else today + timedelta(days=due_in),
            )
            added += 1
        for title, at, rule, reminders in DEMO_TIMED_TASKS:
            if title in existing:
                continue
            first = next_occurrence(rule, "due", today, at, today, user.time_zone, 0)
            task_create(
                user_id=user.pk,
                actor_id=user.pk,
                title=title,
                due_date=first.due_date if first else today,
                due_time=at,
                recurrence=rule,
                reminders=reminders,
            )
            added += 1
        if not Project.objects.filter(owner=user, name=DEMO_PROJECT).exists():
            self._shared_project(user)
        self.stdout.write(
            f"Demo account ready: sign in as '{DEMO_USERNAME}' with password '{DEMO_PASSWORD}' "
            f"({added} task(s) added)."
        )

    def _shared_project(self, user: Any) -> None:
        """A project shared with a second person: a task assigned to them, sub-tasks, a comment."""
        username, email, display_name = DEMO_FRIEND
        friend, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email, "display_name": display_name}
        )
        if created:
            friend.set_unusable_password()
            friend.save(update_fields=["password"])
        project = project_create(
            user_id=user.pk, name=DEMO_PROJECT, description="The flat, room by room.", colour="#16a34a"
        )
        ProjectMember.objects.create(project=project, user=friend, role=Project.Role.EDITOR)
        paint = task_create(
            user_id=user.pk,
            actor_id=user.pk,
            title="Paint the living room",
            priority=P.MEDIUM,
            project=project.pk,
            assignees=[user.pk, friend.pk],
        )
        for title, status in (("Choose the colour", "done"), ("Buy paint and rollers", "todo")):
            task_create(user_id=user.pk, actor_id=user.pk, title=title, status=status, parent=paint.pk)
        task_create(user_id=user.pk, actor_id=user.pk, title="Get quotes for the floor", project=project.pk)
        comment_add(user_id=friend.pk, task_id=paint.pk, body="I can help on Saturday morning.")
