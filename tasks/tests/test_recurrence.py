"""Repeating tasks through the API: the rules TMS takes, what completing one does, and the rule in words."""

import pytest
from freezegun import freeze_time

from accounts.tests.factories import UserFactory
from tasks.models import Task, TaskEvent
from tasks.tests.factories import TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

LIST = "/api/tasks/"


def detail(task_id: int) -> str:
    return f"/api/tasks/{task_id}/"


def create(client, **fields) -> dict:
    response = client.post(LIST, {"title": "repeat", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def complete(client, task_id: int) -> dict:
    response = client.post(f"/api/tasks/{task_id}/complete/")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def paris(db):
    return UserFactory(username="paris", time_zone="Europe/Paris")


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("FREQ=DAILY", "every day"),
        ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", "every 2 weeks on Monday and Friday"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Friday"),
        ("FREQ=MONTHLY;BYDAY=2TU", "every month on the second Tuesday"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "every month on the 1st and the 15th"),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", "every year on 1 March"),
        ("FREQ=DAILY;COUNT=5", "every day, 5 times"),
        ("FREQ=WEEKLY;UNTIL=20271231", "every week, until 31 Dec 2027"),
    ],
)
def test_a_rule_is_stored_and_said_in_english(owner_client, rule, text):
    body = create(owner_client, due_date="2027-01-04", recurrence=rule)
    assert (body["recurrence"], body["recurrence_text"], body["recurrence_basis"]) == (rule, text, "due")
    assert owner_client.get(detail(body["id"])).json()["recurrence_text"] == text


def test_a_rule_is_normalised_and_rrule_prefix_and_case_are_accepted(owner_client):
    body = create(owner_client, due_date="2027-01-04", recurrence="rrule:byday=fr,mo;freq=weekly;interval=1")
    assert body["recurrence"] == "FREQ=WEEKLY;BYDAY=FR,MO"
    assert body["recurrence_text"] == "every week on Friday and Monday"


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=HOURLY", "FREQ is DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not taken"),
        ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR", "BYSETPOS is not taken"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20271231", "COUNT or with UNTIL, not both"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never comes round"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "never comes round"),
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=2MO", "never comes round"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "use FREQ=WEEKLY"),
        ("FREQ=WEEKLY;BYDAY=-1FR", "needs FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "not 0"),
        ("FREQ=DAILY;INTERVAL=x", "whole numbers"),
        ("BYDAY=MO", "needs FREQ"),
        ("nonsense", "NAME=VALUE"),
        ("FREQ=DAILY;UNTIL=20270231", "not a date"),
        ("FREQ=DAILY;" + "BYMONTH=1;" * 60, "at most 500"),
    ],
)
def test_a_rule_tms_does_not_take_is_400_and_changes_nothing(owner_client, owner, rule, says):
    response = owner_client.post(
        LIST, {"title": "x", "due_date": "2027-01-04", "recurrence": rule}, format="json"
    )
    assert response.status_code == 400
    assert says in " ".join(response.json()["error"]["fields"]["recurrence"])
    assert not Task.objects.filter(owner=owner).exists()


def test_a_rule_needs_a_due_date(owner_client, owner):
    response = owner_client.post(LIST, {"title": "x", "recurrence": "FREQ=DAILY"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["recurrence"] == ["A repeating task needs a due date."]
    task = create(owner_client, due_date="2027-01-04", recurrence="FREQ=DAILY")
    # clearing the date of a repeating task is refused unless the rule goes too
    response = owner_client.patch(detail(task["id"]), {"due_date": None}, format="json")
    assert response.status_code == 400
    assert "due_date" in response.json()["error"]["fields"]
    cleared = owner_client.patch(detail(task["id"]), {"due_date": None, "recurrence": None}, format="json")
    assert cleared.status_code == 200
    assert (cleared.json()["due_date"], cleared.json()["recurrence"], cleared.json()["recurrence_text"]) == (
        None,
        "",
        None,
    )


def test_a_bad_basis_is_400(owner_client):
    response = owner_client.post(
        LIST,
        {"title": "x", "due_date": "2027-01-04", "recurrence": "FREQ=DAILY", "recurrence_basis": "soon"},
        format="json",
    )
    assert response.status_code == 400
    assert "recurrence_basis" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("rule", "due", "following"),
    [
        # the last day of the month: 28 February in a common year, 29 in a leap year
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-31", "2027-02-28"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2028-01-31", "2028-02-29"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2028-02-29", "2028-03-31"),
        # every second week on Monday and Friday: Friday, then Monday two weeks on
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", "2027-01-04", "2027-01-08"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", "2027-01-08", "2027-01-18"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2027-01-29", "2027-02-26"),
        # 29 February comes back only in a leap year
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29", "2032-02-29"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", "2027-02-28", "2028-02-29"),
    ],
)
@freeze_time("2027-01-01 12:00:00")
def test_completing_moves_the_task_to_its_next_occurrence(owner, rule, due, following):
    client = client_for(owner)
    task = create(client, due_date=due, recurrence=rule)
    body = complete(client, task["id"])
    assert (body["status"], body["completed_at"], body["due_date"]) == ("todo", None, following)
    assert body["version"] == task["version"] + 1


@freeze_time("2027-01-01 12:00:00")
def test_the_completion_is_recorded_with_the_date_it_moved_to(owner):
    client = client_for(owner)
    task = create(client, due_date="2027-01-31", recurrence="FREQ=MONTHLY;BYMONTHDAY=-1")
    complete(client, task["id"])
    history = client.get(f"/api/tasks/{task['id']}/history/").json()["results"]
    completed = [entry for entry in history if entry["kind"] == TaskEvent.Kind.COMPLETED]
    assert len(completed) == 1
    assert completed[0]["changes"] == {"status": ["todo", "done"], "due_date": ["2027-01-31", "2027-02-28"]}


def test_count_is_exhausted_after_that_many_completions(owner):
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(owner)
        task = create(client, due_date="2027-01-04", recurrence="FREQ=DAILY;COUNT=3")
        assert complete(client, task["id"])["due_date"] == "2027-01-05"
        assert complete(client, task["id"])["due_date"] == "2027-01-06"
        last = complete(client, task["id"])
    # the third occurrence was the last: it stays done, on its date
    assert (last["status"], last["due_date"]) == ("done", "2027-01-06")
    assert last["completed_at"] is not None
    # reopening is as for any task; completing again does not bring a fourth
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(owner)
        reopened = client.post(f"/api/tasks/{task['id']}/reopen/").json()
        assert (reopened["status"], reopened["due_date"]) == ("todo", "2027-01-06")
        assert complete(client, task["id"])["status"] == "done"


def test_a_new_rule_counts_again(owner):
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(owner)
        task = create(client, due_date="2027-01-04", recurrence="FREQ=DAILY;COUNT=2")
        complete(client, task["id"])
        client.patch(detail(task["id"]), {"recurrence": "FREQ=DAILY;COUNT=3"}, format="json")
        assert complete(client, task["id"])["status"] == "todo"
        assert complete(client, task["id"])["status"] == "todo"
        assert complete(client, task["id"])["status"] == "done"


@freeze_time("2027-01-01 12:00:00")
def test_until_ends_the_rule_after_its_last_date(owner):
    client = client_for(owner)
    task = create(client, due_date="2027-12-24", recurrence="FREQ=WEEKLY;UNTIL=20271231")
    assert complete(client, task["id"])["due_date"] == "2027-12-31"  # the last day is included
    done = complete(client, task["id"])
    assert (done["status"], done["due_date"]) == ("done", "2027-12-31")


def test_due_basis_follows_the_due_date_and_completion_basis_the_day_it_was_done(owner):
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(owner)
        by_due = create(client, due_date="2027-01-04", recurrence="FREQ=DAILY;INTERVAL=7")
        by_completion = create(
            client, due_date="2027-01-04", recurrence="FREQ=DAILY;INTERVAL=7", recurrence_basis="completion"
        )
    # done five days late
    with freeze_time("2027-01-09 12:00:00"):
        client = client_for(owner)
        assert complete(client, by_due["id"])["due_date"] == "2027-01-11"
        assert complete(client, by_completion["id"])["due_date"] == "2027-01-16"


def test_completion_basis_counts_from_the_owners_local_day(paris):
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(paris)
        task = create(
            client, due_date="2027-01-04", recurrence="FREQ=DAILY;INTERVAL=2", recurrence_basis="completion"
        )
    # 23:30 UTC on 9 January is already the 10th in Paris
    with freeze_time("2027-01-09 23:30:00"):
        assert complete(client_for(paris), task["id"])["due_date"] == "2027-01-12"


def test_completing_early_on_completion_basis_still_moves_the_task_on(owner):
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(owner)
        task = create(client, due_date="2027-01-02", recurrence="FREQ=DAILY", recurrence_basis="completion")
        assert complete(client, task["id"])["due_date"] == "2027-01-03"


@freeze_time("2027-01-01 12:00:00")
@pytest.mark.parametrize(
    ("how", "body"),
    [
        ("patch", {"status": "done"}),
        ("move", {"status": "done"}),
        ("bulk", None),
        ("bulk_status", None),
    ],
)
def test_every_way_of_marking_done_moves_a_repeating_task_on(owner, how, body):
    client = client_for(owner)
    task = create(client, due_date="2027-01-31", recurrence="FREQ=MONTHLY;BYMONTHDAY=-1")
    if how == "patch":
        response = client.patch(detail(task["id"]), body, format="json")
    elif how == "move":
        response = client.post(f"/api/tasks/{task['id']}/move/", body, format="json")
    elif how == "bulk":
        response = client.post("/api/tasks/bulk/", {"ids": [task["id"]], "action": "complete"}, format="json")
        assert response.json()["changed"] == 1
    else:
        response = client.post(
            "/api/tasks/bulk/", {"ids": [task["id"]], "action": "set_status", "value": "done"}, format="json"
        )
    assert response.status_code == 200
    after = client.get(detail(task["id"])).json()
    assert (after["status"], after["due_date"], after["completed_at"]) == ("todo", "2027-02-28", None)
    kinds = [entry["kind"] for entry in client.get(f"/api/tasks/{task['id']}/history/").json()["results"]]
    assert "completed" in kinds


@freeze_time("2027-01-01 12:00:00")
def test_a_patch_that_changes_fields_and_completes_records_both(owner):
    client = client_for(owner)
    task = create(client, due_date="2027-01-04", recurrence="FREQ=DAILY")
    response = client.patch(detail(task["id"]), {"status": "done", "title": "renamed"}, format="json")
    assert (response.json()["title"], response.json()["due_date"]) == ("renamed", "2027-01-05")
    history = client.get(f"/api/tasks/{task['id']}/history/").json()["results"]
    by_kind = {entry["kind"]: entry["changes"] for entry in history}
    assert by_kind["updated"] == {"title": ["repeat", "renamed"]}
    assert by_kind["completed"] == {"status": ["todo", "done"], "due_date": ["2027-01-04", "2027-01-05"]}


@freeze_time("2027-01-01 12:00:00")
def test_bulk_completes_repeating_and_plain_tasks_together(owner):
    client = client_for(owner)
    repeating = create(client, due_date="2027-01-04", recurrence="FREQ=WEEKLY")
    plain = create(client, due_date="2027-01-04")
    response = client.post(
        "/api/tasks/bulk/", {"ids": [repeating["id"], plain["id"]], "action": "complete"}, format="json"
    )
    assert response.json() == {"action": "complete", "matched": 2, "changed": 2}
    assert client.get(detail(repeating["id"])).json()["due_date"] == "2027-01-11"
    assert client.get(detail(plain["id"])).json()["status"] == "done"


def test_a_task_that_does_not_repeat_completes_as_before(owner_client):
    task = create(owner_client, due_date="2027-01-04")
    body = complete(owner_client, task["id"])
    assert (body["status"], body["due_date"], body["recurrence_text"]) == ("done", "2027-01-04", None)


def test_someone_elses_repeating_task_is_404(owner_client, stranger):
    theirs = TaskFactory(owner=stranger, due_date="2027-01-04", recurrence="FREQ=DAILY")
    assert owner_client.post(f"/api/tasks/{theirs.pk}/complete/").status_code == 404
    assert owner_client.patch(detail(theirs.pk), {"recurrence": ""}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.recurrence) == ("todo", "FREQ=DAILY")


@freeze_time("2027-01-01 12:00:00", tick=True)  # positions come from the clock
def test_a_repeating_task_dropped_on_done_comes_back_at_the_end_of_todo(owner):
    client = client_for(owner)
    repeating = create(client, due_date="2027-01-04", recurrence="FREQ=DAILY")
    later = create(client, title="later")
    done = create(client, title="finished", status="done")
    response = client.post(
        f"/api/tasks/{repeating['id']}/move/", {"status": "done", "after_id": done["id"]}, format="json"
    )
    assert (response.json()["status"], response.json()["due_date"]) == ("todo", "2027-01-05")
    todo = [task["id"] for task in client.get(LIST, {"status": "todo"}).json()["results"]]
    assert todo == [later["id"], repeating["id"]]
    history = client.get(f"/api/tasks/{repeating['id']}/history/").json()["results"]
    moved = next(entry["changes"] for entry in history if entry["kind"] == "moved")
    assert set(moved) == {"position"}
