import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def test_stats_count_what_the_user_sees(owner, stranger, assert_queries):
    with freeze_time("2026-11-27T12:00:00Z"):
        today = datetime.date(2026, 11, 27)
        prio = Task.Priority
        TaskFactory(
            owner=owner, status="todo", priority=prio.HIGH, due_date=today - datetime.timedelta(days=1)
        )
        TaskFactory(owner=owner, status="todo", priority=prio.LOW, due_date=today)
        TaskFactory(owner=owner, status="in_progress", priority=prio.HIGH, due_date=today)
        TaskFactory(
            owner=owner,
            status="done",
            completed_at=timezone.now() - datetime.timedelta(days=2),
            due_date=today - datetime.timedelta(days=3),
        )
        TaskFactory(owner=owner, status="done", completed_at=timezone.now() - datetime.timedelta(days=9))
        TaskFactory(owner=owner, trashed_at=timezone.now())
        TaskFactory(owner=stranger, due_date=today - datetime.timedelta(days=1))
        owner_client = client_for(owner)
        with assert_queries(2):  # the user's projects, then the counts
            response = owner_client.get("/api/tasks/stats/")
    assert response.status_code == 200
    assert response.json() == {
        "total": 5,
        "by_status": {"todo": 2, "in_progress": 1, "done": 2},
        "by_priority": {"none": 2, "low": 1, "medium": 0, "high": 2, "urgent": 0},
        "overdue": 1,
        "due_today": 2,
        "completed_last_7_days": 1,
        "today": "2026-11-27",
    }


def test_due_today_follows_the_users_time_zone(owner):
    owner.time_zone = "Pacific/Auckland"  # UTC+13 in November
    owner.save()
    with freeze_time("2026-11-27T12:00:00Z"):  # already the 28th in Auckland
        TaskFactory(owner=owner, due_date=datetime.date(2026, 11, 28))
        TaskFactory(owner=owner, due_date=datetime.date(2026, 11, 27))
        body = client_for(owner).get("/api/tasks/stats/").json()
    assert (body["today"], body["due_today"], body["overdue"]) == ("2026-11-28", 1, 1)


@pytest.mark.parametrize(
    "zone",
    ["Europe", "x" * 300, "../../etc/passwd", "Not/AZone", "\ud800"],
    ids=["directory", "too-long", "path", "unknown", "lone-surrogate"],
)
def test_a_token_whose_time_zone_is_no_zone_counts_in_utc(owner, zone):
    # a token names its user's time zone; one that names none (a forged token, found by an attack
    # run: a directory of the zone database was a 500) is read as UTC
    owner.time_zone = zone  # what the token will say
    with freeze_time("2026-11-27T23:30:00Z"):
        TaskFactory(owner=owner, due_date=datetime.date(2026, 11, 27))
        stats = client_for(owner).get("/api/tasks/stats/")
        overdue = client_for(owner).get("/api/tasks/?overdue=true")
    assert stats.status_code == overdue.status_code == 200
    assert (stats.json()["today"], stats.json()["due_today"]) == ("2026-11-27", 1)
    assert overdue.json()["results"] == []


def test_a_status_written_outside_tms_counts_in_the_total_only(owner):
    TaskFactory(owner=owner, status=Task.Status.TODO)
    odd = TaskFactory(owner=owner, status=Task.Status.TODO)
    Task.objects.filter(pk=odd.pk).update(status="archived-by-hand", priority=9)
    stats = client_for(owner).get("/api/tasks/stats/").json()
    assert stats["total"] == 2
    assert stats["by_status"] == {"todo": 1, "in_progress": 0, "done": 0}
    assert sum(stats["by_priority"].values()) == 1
