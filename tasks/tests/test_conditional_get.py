"""Conditional GETs: every read answers with an ETag of what it shows, and 304 Not Modified with no
body when If-None-Match names it — until anything the reader sees changes, the task's own fields or
what is shown beside them (sub-tasks, labels, reminders, assignees)."""

import re

import pytest

from tasks.models import Reminder, Task
from tasks.tests.factories import LabelFactory, TaskFactory, project_task

pytestmark = pytest.mark.django_db

LIST = "/api/tasks/"


def detail(task) -> str:
    return f"/api/tasks/{task.pk}/"


def revalidate(client, path: str, tag: str):
    return client.get(path, HTTP_IF_NONE_MATCH=tag)


def assert_not_modified(response, tag: str) -> None:
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == tag
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]
    assert "Content-Type" not in response


# -- what a 200 and a 304 carry ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["task", LIST, "/api/tasks/stats/", "/api/tasks/labels/"])
def test_an_unchanged_read_is_304_with_no_body_and_the_same_headers(owner_client, owner, path):
    # given a read and its ETag
    task = TaskFactory(owner=owner)
    path = detail(task) if path == "task" else path
    first = owner_client.get(path)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache" and "Authorization" in first["Vary"]
    tag = first["ETag"]
    assert re.fullmatch(r'"(\d+-)?[0-9a-f]{16}"', tag)
    # when it is read again with that ETag, then it is 304
    again = revalidate(owner_client, path, tag)
    assert_not_modified(again, tag)
    # a length, if any, is the 200's (RFC 9110): never the 0 of the empty 304
    assert again["Content-Length"] == first["Content-Length"] == str(len(first.content))


def test_a_304_costs_no_more_queries_than_a_200(owner_client, owner, assert_queries):
    task = TaskFactory(owner=owner)
    task.labels.add(LabelFactory(owner=owner))
    # the task and its details; the list's projects, page and details (tasks/tests/test_queries.py)
    for path, queries in ((detail(task), 2), (LIST, 3)):
        with assert_queries(queries):
            tag = owner_client.get(path)["ETag"]
        with assert_queries(queries):
            assert revalidate(owner_client, path, tag).status_code == 304


@pytest.mark.parametrize(
    "header",
    ["*", "W/{tag}", '"other", {tag}', '{tag},"other"', 'W/"x", W/{tag}'],
    ids=["any", "weak", "list", "list-first", "weak-list"],
)
def test_if_none_match_is_compared_weakly_and_may_list_tags_or_be_a_star(owner_client, owner, header):
    task = TaskFactory(owner=owner)
    tag = owner_client.get(detail(task))["ETag"]
    assert_not_modified(revalidate(owner_client, detail(task), header.format(tag=tag)), tag)


@pytest.mark.parametrize("header", ["garbage", '"nope"', '"1"', "W/", '""', ","])
def test_a_tag_that_is_not_the_current_one_gets_the_body(owner_client, owner, header):
    # '"1"' is the task's version alone: a version is no validator of what the task shows
    task = TaskFactory(owner=owner)
    response = revalidate(owner_client, detail(task), header)
    assert response.status_code == 200
    assert response.json()["id"] == task.pk


def test_head_answers_as_get_does(owner_client, owner):
    task = TaskFactory(owner=owner)
    tag = owner_client.get(detail(task))["ETag"]
    head = owner_client.head(detail(task))
    assert (head.status_code, head["ETag"], head.content) == (200, tag, b"")
    assert owner_client.head(detail(task), HTTP_IF_NONE_MATCH=tag).status_code == 304


def test_a_write_answers_with_the_etag_a_read_then_gives(owner_client, owner):
    # the answer of an edit is the task as a read shows it: its ETag revalidates the next read
    task = TaskFactory(owner=owner)
    changed = owner_client.patch(detail(task), {"title": "new"}, format="json")
    assert changed["ETag"].startswith('"2-')
    assert_not_modified(revalidate(owner_client, detail(task), changed["ETag"]), changed["ETag"])
    created = owner_client.post(LIST, {"title": "another"}, format="json")
    assert created.status_code == 201
    path = f"/api/tasks/{created.json()['id']}/"
    assert_not_modified(revalidate(owner_client, path, created["ETag"]), created["ETag"])


def test_errors_carry_no_etag(owner_client):
    refused = owner_client.get(f"{LIST}?status=nope", HTTP_IF_NONE_MATCH="*")
    assert refused.status_code == 400 and "ETag" not in refused
    missing = owner_client.get("/api/tasks/999999/", HTTP_IF_NONE_MATCH="*")
    assert missing.status_code == 404 and "ETag" not in missing


# -- what makes a new ETag --------------------------------------------------------------------------


def test_an_edit_of_the_task_is_a_new_etag_for_it_and_the_list(owner_client, owner):
    task = TaskFactory(owner=owner)
    tags = {path: owner_client.get(path)["ETag"] for path in (detail(task), LIST)}
    owner_client.patch(detail(task), {"priority": "high"}, format="json")
    for path, tag in tags.items():
        again = revalidate(owner_client, path, tag)
        assert again.status_code == 200 and again["ETag"] != tag, path


# Changes the task's version does not count, each shown in its body: what is set up before the
# reads, then (after the yield) the change.


def add_sub_task(client, task, owner):
    yield
    assert client.post(LIST, {"title": "step", "parent": task.pk}, format="json").status_code == 201


def complete_sub_task(client, task, owner):
    step = TaskFactory(owner=owner, parent=task)
    yield
    assert client.post(f"/api/tasks/{step.pk}/complete/").status_code == 200


def rename_label(client, task, owner):
    label = LabelFactory(owner=owner, name="errand")
    task.labels.add(label)
    yield
    assert client.patch(f"/api/tasks/labels/{label.pk}/", {"name": "chore"}, format="json").status_code == 200


def send_reminder(client, task, owner):
    reminders = [{"before_minutes": 30}]
    client.patch(detail(task), {"due_date": "2031-01-01", "reminders": reminders}, format="json")
    yield
    # delivery clears a sent reminder's next moment
    assert Reminder.objects.filter(task=task).update(fire_at=None) == 1


def rename_assignee(client, task, owner):
    client.patch(detail(task), {"assignees": [owner.pk]}, format="json")
    yield
    owner.display_name = "Ada L."
    owner.save(update_fields=["display_name"])


@pytest.mark.parametrize(
    "change", [add_sub_task, complete_sub_task, rename_label, send_reminder, rename_assignee]
)
def test_a_change_shown_beside_the_task_is_a_new_etag_though_its_version_stays(owner_client, owner, change):
    # given the task and the list as read
    task = TaskFactory(owner=owner, title="errands")
    steps = change(owner_client, task, owner)
    next(steps)
    tags = {path: owner_client.get(path)["ETag"] for path in (detail(task), LIST)}
    version = Task.objects.get(pk=task.pk).version
    # when something shown beside the task changes
    next(steps, None)
    assert Task.objects.get(pk=task.pk).version == version
    # then both reads have a new ETag
    for path, tag in tags.items():
        again = revalidate(owner_client, path, tag)
        assert again.status_code == 200 and again["ETag"] != tag, path


def test_the_list_etag_follows_its_query_and_page(owner_client, owner):
    TaskFactory.create_batch(3, owner=owner)
    first = owner_client.get(f"{LIST}?page_size=2")
    second = owner_client.get(first.json()["next"])
    everything = owner_client.get(LIST)
    assert len({first["ETag"], second["ETag"], everything["ETag"]}) == 3
    assert revalidate(owner_client, first.json()["next"], second["ETag"]).status_code == 304
    assert revalidate(owner_client, first.json()["next"], first["ETag"]).status_code == 200


# -- other people -----------------------------------------------------------------------------------


def test_another_members_change_is_a_new_etag(team):
    task = project_task(team.project, title="shared")
    owner = team.client("owner")
    tags = {path: owner.get(path)["ETag"] for path in (detail(task), LIST)}
    team.client("editor").post(LIST, {"title": "step", "parent": task.pk}, format="json")
    for path, tag in tags.items():
        assert revalidate(owner, path, tag).status_code == 200, path
    tags = {path: owner.get(path)["ETag"] for path in (detail(task), LIST)}
    team.client("editor").patch(detail(task), {"title": "renamed"}, format="json")
    for path, tag in tags.items():
        assert revalidate(owner, path, tag).status_code == 200, path


def test_each_reader_has_their_own_etag_and_nobody_elses_matches(team):
    # given a shared task read by the owner, with the owner's own label on it (the editor does not see it)
    task = project_task(team.project, title="shared")
    task.labels.add(LabelFactory(owner=team.owner, name="mine"))
    owners = team.client("owner").get(detail(task))
    editors = team.client("editor").get(detail(task))
    assert owners.json()["labels"] != editors.json()["labels"]
    assert owners["ETag"] != editors["ETag"]
    # the same bytes read by two people are two tags too: a tag is never good for another account
    viewers = team.client("viewer").get(detail(task))
    assert viewers.content == editors.content and viewers["ETag"] != editors["ETag"]
    assert revalidate(team.client("viewer"), detail(task), editors["ETag"]).status_code == 200
    assert revalidate(team.client("editor"), detail(task), editors["ETag"]).status_code == 304


@pytest.mark.parametrize("header", ["{tag}", "*"])
def test_a_stranger_with_a_members_etag_still_gets_404(team, header):
    task = project_task(team.project, title="shared")
    tag = team.client("owner").get(detail(task))["ETag"]
    response = revalidate(team.client("stranger"), detail(task), header.format(tag=tag))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found" and "ETag" not in response
    listed = revalidate(team.client("stranger"), LIST, team.client("owner").get(LIST)["ETag"])
    assert listed.status_code == 200 and listed.json()["results"] == []


# -- the schema -------------------------------------------------------------------------------------


def test_the_schema_documents_if_none_match_and_304_on_the_reads_that_answer_it():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in ("/api/tasks/", "/api/tasks/{task_id}/", "/api/tasks/stats/"):
        read = paths[path]["get"]
        assert "If-None-Match" in [parameter["name"] for parameter in read["parameters"]], path
        assert "304" in read["responses"] and "ETag" in read["responses"]["200"]["headers"], path
    # an export is streamed: nothing to hash, no 304; a write takes If-Match, not If-None-Match
    assert "304" not in paths["/api/tasks/export/"]["get"]["responses"]
    assert "304" not in paths["/api/tasks/{task_id}/"]["patch"]["responses"]
