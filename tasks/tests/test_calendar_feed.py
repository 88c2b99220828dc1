"""The calendar feed: made, looked at, replaced and revoked through the API; fetched by a calendar
application with nothing but its URL, as RFC 5545 VTODOs two independent parsers read alike.

The due time, due_at and recurrence are set on the rows directly: what the feed shows of them is
under test here, not how the API keeps them.
"""

import json
import logging
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]  # no stubs; a test-only parser
from django.test import Client
from django.utils import timezone

from tasks.calendar import feeds, tokens
from tasks.calendar.models import CalendarFeed
from tasks.models import Task
from tasks.tests.factories import LabelFactory, ProjectFactory, ProjectMemberFactory, TaskFactory
from tests.support.clients import client_for
from tms_project.jsonlog import JsonFormatter

pytestmark = pytest.mark.django_db

FEED = "/api/tasks/calendar-feed/"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.TMS_PUBLIC_URL = "https://tasks.example.org"


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    """Every fetch of a test falls in one rate-limit window (an hour starts here)."""
    start_of_an_hour = 1_700_002_800
    monkeypatch.setattr("tms_project.ratelimit.time.time", lambda: start_of_an_hour + 0.5)


def make_feed(client) -> str:
    response = client.post(FEED)
    assert response.status_code == 201, response.content
    return response.json()["url"]


def path_of(url: str) -> str:
    return url.removeprefix("https://tasks.example.org")


def token_of(url: str) -> str:
    return path_of(url).removeprefix("/api/tasks/calendar/").removesuffix(".ics")


def fetch(url: str, **headers):
    """A calendar application's GET: no session, no bearer token."""
    return Client().get(path_of(url), **headers)


def todos(response) -> dict[str, icalendar.Component]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(todo["summary"]): todo for todo in calendar.walk("VTODO")}


# --- managing the feed -------------------------------------------------------------------------------


def test_a_new_feed_answers_its_url_once_and_stores_only_the_tokens_hash(owner, owner_client):
    # when
    response = owner_client.post(FEED)
    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"url", "created_at"}
    assert body["url"].startswith("https://tasks.example.org/api/tasks/calendar/tmscal_")
    assert body["url"].endswith(".ics")
    assert response["Cache-Control"] == "no-store"
    token = token_of(body["url"])
    assert tokens.looks_like_token(token)
    feed = CalendarFeed.objects.get(user=owner)
    assert feed.token_hash == tokens.token_hash(token)
    assert len(feed.token_hash) == 64
    assert token not in feed.token_hash
    # the state shows no token
    state = owner_client.get(FEED)
    assert state.status_code == 200
    assert state.json() == {"active": True, "created_at": body["created_at"], "last_used_at": None}
    assert token not in state.content.decode()


def test_without_a_feed_the_state_says_inactive(owner_client):
    assert owner_client.get(FEED).json() == {"active": False, "created_at": None, "last_used_at": None}


def test_a_new_feed_replaces_the_old_one_whose_url_stops_working(owner, owner_client):
    old = make_feed(owner_client)
    assert fetch(old).status_code == 200
    # when
    new = make_feed(owner_client)
    # then
    assert new != old
    assert CalendarFeed.objects.filter(user=owner).count() == 1
    assert owner_client.get(FEED).json()["last_used_at"] is None  # the new feed was not used yet
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200


def test_a_revoked_feed_is_404_json_and_delete_is_idempotent(owner, owner_client):
    url = make_feed(owner_client)
    # when
    assert owner_client.delete(FEED).status_code == 204
    # then
    gone = fetch(url)
    assert gone.status_code == 404
    assert gone["Content-Type"] == "application/json"
    assert gone.json()["error"]["code"] == "not_found"
    assert token_of(url) not in gone.content.decode()
    assert not CalendarFeed.objects.filter(user=owner).exists()
    assert owner_client.get(FEED).json()["active"] is False
    assert owner_client.delete(FEED).status_code == 204


def test_the_feed_management_needs_a_signed_in_user():
    anonymous = Client()
    assert anonymous.get(FEED).status_code == 401
    assert anonymous.post(FEED).status_code == 401
    assert anonymous.delete(FEED).status_code == 401
    assert not CalendarFeed.objects.exists()


def test_one_persons_feed_actions_leave_anothers_feed_alone(owner_client, stranger):
    theirs = make_feed(client_for(stranger))
    make_feed(owner_client)
    owner_client.delete(FEED)
    assert fetch(theirs).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/tasks/calendar/tmscal_" + "A" * 43 + ".ics",  # the shape of a token, never made
        "/api/tasks/calendar/not-a-token.ics",
        "/api/tasks/calendar/.ics",
        "/api/tasks/calendar/tmscal_" + "A" * 43,  # no .ics
    ],
)
def test_an_unknown_address_is_404_json(owner_client, path):
    make_feed(owner_client)
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_only_reads_are_allowed_on_the_feed(owner_client):
    url = make_feed(owner_client)
    response = Client().post(path_of(url))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert Client().head(path_of(url)).status_code == 200


# --- what the feed holds ------------------------------------------------------------------------------


def test_the_feed_is_an_ics_file_of_the_owners_dated_tasks(owner, owner_client):
    # given
    home = LabelFactory(owner=owner, name="home")
    urgent = TaskFactory(
        owner=owner,
        title="Renew passport",
        description="Photos, form, fee.",
        priority=Task.Priority.URGENT,
        due_date=date(2026, 12, 9),
    )
    urgent.labels.add(home, LabelFactory(owner=owner, name="admin"))
    timed = TaskFactory(
        owner=owner,
        title="Dentist",
        status=Task.Status.IN_PROGRESS,
        priority=Task.Priority.LOW,
        due_date=date(2026, 12, 10),
        due_time=time(9, 30),
        due_at=datetime(2026, 12, 10, 8, 30, tzinfo=UTC),  # 09:30 in Berlin
    )
    done_at = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    TaskFactory(
        owner=owner,
        title="Pay rent",
        status=Task.Status.DONE,
        completed_at=done_at,
        due_date=date(2026, 11, 30),
        recurrence="FREQ=MONTHLY;BYMONTHDAY=-1",
    )
    TaskFactory(owner=owner, title="Someday")  # no due date
    url = make_feed(owner_client)
    # when
    response = fetch(url)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]).startswith("-//TMS//")
    found = todos(response)
    assert set(found) == {"Renew passport", "Dentist", "Pay rent"}

    passport = found["Renew passport"]
    assert str(passport["uid"]) == f"task-{urgent.pk}@tasks.example.org"
    assert str(passport["description"]) == "Photos, form, fee."
    assert passport.decoded("due") == date(2026, 12, 9)
    assert passport["due"].params.get("VALUE") == "DATE"
    assert str(passport["status"]) == "NEEDS-ACTION"
    assert int(passport["priority"]) == 1
    assert sorted(passport["categories"].cats) == ["admin", "home"]
    assert str(passport["url"]) == f"https://tasks.example.org/tasks/{urgent.pk}"
    assert "rrule" not in passport and "completed" not in passport
    assert passport.decoded("last-modified") == urgent.updated_at.replace(microsecond=0)
    assert passport.decoded("dtstamp") == urgent.updated_at.replace(microsecond=0)

    dentist = found["Dentist"]
    assert dentist.decoded("due") == datetime(2026, 12, 10, 8, 30, tzinfo=UTC)
    assert dentist["due"].to_ical() == b"20261210T083000Z"
    assert str(dentist["status"]) == "IN-PROCESS"
    assert int(dentist["priority"]) == 9
    assert "categories" not in dentist and "description" not in dentist
    assert str(dentist["uid"]) == f"task-{timed.pk}@tasks.example.org"

    rent = found["Pay rent"]
    assert str(rent["status"]) == "COMPLETED"
    assert rent.decoded("completed") == done_at
    assert rent["rrule"].to_ical() == b"FREQ=MONTHLY;BYMONTHDAY=-1"
    assert rent.decoded("dtstart") == rent.decoded("due") == date(2026, 11, 30)
    assert "priority" not in rent


def test_a_second_independent_parser_reads_the_same_feed(owner, owner_client):
    TaskFactory(owner=owner, title="Plain", due_date=date(2026, 12, 9), description="a; b, c\nd")
    TaskFactory(
        owner=owner,
        title="Timed, with ünïcode",
        due_date=date(2026, 12, 10),
        due_time=time(23, 15),
        due_at=datetime(2026, 12, 10, 22, 15, tzinfo=UTC),
        recurrence="FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4",
    )
    response = fetch(make_feed(owner_client))
    # when
    parsed = vobject.readOne(response.content.decode("utf-8"))
    # then
    found = {todo.summary.value: todo for todo in parsed.vtodo_list}
    assert set(found) == {"Plain", "Timed, with ünïcode"}
    assert found["Plain"].due.value == date(2026, 12, 9)
    assert found["Plain"].description.value == "a; b, c\nd"
    timed = found["Timed, with ünïcode"]
    assert timed.due.value == datetime(2026, 12, 10, 22, 15, tzinfo=timed.due.value.tzinfo)
    assert timed.due.value.utcoffset() == timedelta(0)
    # the rule expands as the task repeats: four Mondays and Thursdays from the due moment
    occurrences = list(timed.getrruleset())
    assert len(occurrences) == 4
    assert occurrences[0].date() == date(2026, 12, 10)


def test_a_repeating_task_keeps_its_local_time_across_summer_time(owner, owner_client):
    # given: every Friday at 09:00 in Berlin, from before the clocks change (29 March 2026)
    owner.time_zone = "Europe/Berlin"
    owner.save(update_fields=["time_zone"])
    TaskFactory(
        owner=owner,
        title="Weekly review",
        due_date=date(2026, 3, 20),
        due_time=time(9, 0),
        due_at=datetime(2026, 3, 20, 8, 0, tzinfo=UTC),
        recurrence="FREQ=WEEKLY;COUNT=3",
    )
    TaskFactory(  # not repeating: its one moment, in UTC
        owner=owner,
        title="Once",
        due_date=date(2026, 3, 20),
        due_time=time(9, 0),
        due_at=datetime(2026, 3, 20, 8, 0, tzinfo=UTC),
    )
    response = fetch(make_feed(owner_client))
    # then: with the zone's definition, both parsers put every occurrence at 09:00 in Berlin
    found = todos(response)
    weekly = found["Weekly review"]
    assert weekly["due"].params["TZID"] == "Europe/Berlin"
    assert weekly["dtstart"].to_ical() == weekly["due"].to_ical() == b"20260320T090000"
    assert found["Once"]["due"].to_ical() == b"20260320T080000Z"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    parsed = vobject.readOne(response.content.decode("utf-8"))
    repeating = next(todo for todo in parsed.vtodo_list if todo.summary.value == "Weekly review")
    occurrences = list(repeating.getrruleset())
    assert [(o.date(), o.hour) for o in occurrences] == [
        (date(2026, 3, 20), 9),
        (date(2026, 3, 27), 9),
        (date(2026, 4, 3), 9),  # after the change: still 09:00 local (07:00 UTC)
    ]
    assert occurrences[2].astimezone(UTC).hour == 7


def test_tasks_assigned_to_the_owner_are_in_and_other_peoples_are_not(owner, owner_client, stranger):
    # given: a project of the stranger's, the owner a member; one task assigned to the owner
    project = ProjectFactory(owner=stranger)
    ProjectMemberFactory(project=project, user=owner)
    assigned = TaskFactory(
        owner=stranger, project=project, title="Assigned to me", due_date=date(2026, 12, 1)
    )
    assigned.assignees.add(owner)
    TaskFactory(owner=stranger, project=project, title="Theirs in the project", due_date=date(2026, 12, 1))
    TaskFactory(owner=stranger, title="Their Inbox", due_date=date(2026, 12, 1))
    own_project = ProjectFactory(owner=owner)
    TaskFactory(owner=owner, project=own_project, title="My project's", due_date=date(2026, 12, 2))
    TaskFactory(owner=owner, title="Mine", due_date=date(2026, 12, 2))
    # their own label on my task stays theirs
    mine_shared = TaskFactory(
        owner=stranger, project=project, title="Shared, labelled", due_date=date(2026, 12, 3)
    )
    mine_shared.assignees.add(owner)
    mine_shared.labels.add(LabelFactory(owner=stranger, name="their label"))
    # when
    found = todos(fetch(make_feed(owner_client)))
    # then
    assert set(found) == {"Assigned to me", "My project's", "Mine", "Shared, labelled"}
    assert "categories" not in found["Shared, labelled"]
    # and the stranger's feed has none of the owner's
    theirs = todos(fetch(make_feed(client_for(stranger))))
    assert set(theirs) == {"Assigned to me", "Theirs in the project", "Their Inbox", "Shared, labelled"}


def test_trashed_archived_and_left_projects_tasks_are_absent(owner, owner_client, stranger):
    TaskFactory(owner=owner, title="Trashed", due_date=date(2026, 12, 1), trashed_at=timezone.now())
    archived = ProjectFactory(owner=owner, archived=True)
    TaskFactory(owner=owner, project=archived, title="Archived", due_date=date(2026, 12, 1))
    trashed_project = ProjectFactory(owner=owner, trashed_at=timezone.now())
    TaskFactory(
        owner=owner, project=trashed_project, title="In a trashed project", due_date=date(2026, 12, 1)
    )
    left = ProjectFactory(owner=stranger)  # assigned once, no longer a member
    gone = TaskFactory(owner=stranger, project=left, title="Left project", due_date=date(2026, 12, 1))
    gone.assignees.add(owner)
    TaskFactory(owner=owner, title="Kept", due_date=date(2026, 12, 1))
    assert set(todos(fetch(make_feed(owner_client)))) == {"Kept"}


def test_an_unreadable_rule_leaves_the_task_in_the_feed_without_it(owner, owner_client):
    TaskFactory(owner=owner, title="Odd", due_date=date(2026, 12, 1), recurrence="FREQ=SOMETIMES")
    found = todos(fetch(make_feed(owner_client)))
    assert "rrule" not in found["Odd"]


def test_the_feed_is_built_with_a_fixed_number_of_queries(owner, owner_client, assert_queries):
    url = make_feed(owner_client)
    label = LabelFactory(owner=owner)
    for day in range(1, 4):
        TaskFactory(owner=owner, due_date=date(2026, 12, day)).labels.add(label)
    # the first fetch: the feed, its last use, the tasks, their labels
    with assert_queries(4):
        assert fetch(url).status_code == 200
    for day in range(4, 30):
        TaskFactory(owner=owner, due_date=date(2026, 12, day)).labels.add(label)
    # within the minute the last use is not written again
    with assert_queries(3):
        response = fetch(url)
    assert len(todos(response)) == 29


def test_the_feed_holds_at_most_the_latest_due_tasks(owner, owner_client, monkeypatch):
    monkeypatch.setattr("tasks.calendar.ics.MAX_TASKS", 3)
    for day in range(1, 6):
        TaskFactory(owner=owner, title=f"Day {day}", due_date=date(2026, 12, day))
    assert set(todos(fetch(make_feed(owner_client)))) == {"Day 3", "Day 4", "Day 5"}


def test_the_last_use_is_written_at_most_once_a_minute(owner, owner_client, monkeypatch):
    url = make_feed(owner_client)
    first = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(feeds.timezone, "now", lambda: first)
    fetch(url)
    assert owner_client.get(FEED).json()["last_used_at"] == "2026-12-05T12:00:00Z"
    monkeypatch.setattr(feeds.timezone, "now", lambda: first + timedelta(seconds=59))
    fetch(url)
    assert CalendarFeed.objects.get(user=owner).last_used_at == first
    monkeypatch.setattr(feeds.timezone, "now", lambda: first + timedelta(seconds=61))
    fetch(url)
    assert CalendarFeed.objects.get(user=owner).last_used_at == first + timedelta(seconds=61)


# --- limits and secrecy ------------------------------------------------------------------------------


def assert_limited(response) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert error["message"] == f"Too many attempts. Try again in {response['Retry-After']} seconds."


def test_fetches_are_limited_per_feed(owner_client, stranger, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "calendar_feed": "3/h"}
    url = make_feed(owner_client)
    other = make_feed(client_for(stranger))
    assert [fetch(url).status_code for _ in range(3)] == [200, 200, 200]
    assert_limited(fetch(url))
    # another feed from the same address has its own budget
    assert fetch(other).status_code == 200


def test_fetches_are_limited_per_client_address_whatever_the_token(owner_client, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "calendar_feed_ip": "3/h"}
    url = make_feed(owner_client)
    guesses = [Client().get(f"/api/tasks/calendar/tmscal_{n:043d}.ics").status_code for n in range(3)]
    assert guesses == [404, 404, 404]
    assert_limited(fetch(url))
    # another address still fetches it
    assert fetch(url, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_token_never_reaches_the_logs(owner, owner_client, caplog, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "calendar_feed": "2/h"}
    caplog.set_level(logging.DEBUG)
    TaskFactory(owner=owner, title="Something", due_date=date(2026, 12, 1))
    url = make_feed(owner_client)
    token = token_of(url)
    # when: fetched, revoked, fetched again, and again over its limit
    responses = [fetch(url)]
    owner_client.delete(FEED)
    responses += [fetch(url), fetch(url)]
    # then
    assert [r.status_code for r in responses] == [200, 404, 429]
    lines = [JsonFormatter().format(record) for record in caplog.records]
    requests = [json.loads(line) for line in lines if '"logger": "tms.request"' in line]
    assert [line["path"] for line in requests if line["route"] == "api/tasks/calendar/<str:token>.ics"] == [
        "/api/tasks/calendar/[redacted]"
    ] * 3
    assert not [line for line in lines if token in line or tokens.token_hash(token) in line]


def test_the_token_is_not_in_the_metrics(owner_client, owner):
    url = make_feed(owner_client)
    assert fetch(url).status_code == 200
    fetch("/api/tasks/calendar/tmscal_" + "B" * 43 + ".ics")
    metrics = Client().get("/metrics")
    assert metrics.status_code == 200
    text = metrics.content.decode()
    assert "calendar" in text  # the view's name is a label
    assert "tmscal_" not in text and token_of(url) not in text


@pytest.mark.parametrize(
    ("tzid", "by_rule"),
    [
        ("Europe/Berlin", True),  # the last Sundays of March and October
        ("America/New_York", True),  # the second Sunday of March, the first of November
        ("Australia/Sydney", True),  # summer time over the turn of the year
        ("Europe/Dublin", True),  # winter time is the negative summer time in tzdata
        ("Asia/Tokyo", True),  # no summer time
        ("Africa/Casablanca", False),  # changes around Ramadan: no yearly rule, each change listed
    ],
)
def test_a_zones_definition_gives_its_real_offsets(tzid, by_rule):
    from zoneinfo import ZoneInfo

    from tasks.calendar.timezones import vtimezone

    year = timezone.now().year
    definition = vtimezone(tzid, year)
    zone = ZoneInfo(tzid)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//test//EN")
    calendar.add("version", "2.0")
    calendar.add_component(definition)
    assert any("RRULE" in part for part in definition.subcomponents) is (by_rule and tzid != "Asia/Tokyo")
    # icalendar reads the definition itself (no lookup by name), and so does vobject
    readers = [
        definition.to_tz(lookup_tzid=False),
        vobject.readOne(calendar.to_ical().decode()).vtimezone.gettzinfo(),
    ]
    for month in range(1, 13):
        for day in (1, 15):
            wall = datetime(year + 1, month, day, 12, 0, tzinfo=zone)
            for reader in readers:
                assert reader.utcoffset(wall.replace(tzinfo=None)) == wall.utcoffset(), (tzid, wall, reader)
