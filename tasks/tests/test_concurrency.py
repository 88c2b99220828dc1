"""ETags and If-Match; Idempotency-Key. Races run in real threads with their own connections."""

import re
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from tasks.models import IdempotencyRecord, Task, TaskEvent
from tasks.tests.factories import TaskFactory
from tests.support.clients import client_for


def race(count: int, action) -> list:
    """Run ``action`` in ``count`` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# -- ETag / If-Match --------------------------------------------------------------


@pytest.mark.django_db
def test_responses_carry_the_version_in_front_of_the_etag(owner_client, owner):
    task = TaskFactory(owner=owner)
    assert re.fullmatch(r'"1-[0-9a-f]{16}"', owner_client.get(f"/api/tasks/{task.pk}/")["ETag"])
    changed = owner_client.patch(f"/api/tasks/{task.pk}/", {"title": "v2"}, format="json")
    assert changed["ETag"].startswith('"2-') and changed.json()["version"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize("header", ['"1"', 'W/"1"', '"7", "1"', "*", '"1-0123456789abcdef"'])
def test_a_matching_if_match_lets_the_write_through(owner_client, owner, header):
    task = TaskFactory(owner=owner)
    response = owner_client.patch(
        f"/api/tasks/{task.pk}/", {"title": "ok"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_etag_read_goes_back_as_if_match_even_after_a_sub_task_changed_the_body(owner_client, owner):
    # given a task read with its ETag, and then a sub-task added (the body's count changes, not the task)
    task = TaskFactory(owner=owner)
    read = owner_client.get(f"/api/tasks/{task.pk}/")["ETag"]
    owner_client.post("/api/tasks/", {"title": "step", "parent": task.pk}, format="json")
    assert owner_client.get(f"/api/tasks/{task.pk}/")["ETag"] != read
    # when the ETag read is sent back with an edit of the task
    response = owner_client.patch(
        f"/api/tasks/{task.pk}/", {"title": "ok"}, format="json", HTTP_IF_MATCH=read
    )
    # then the edit goes through: only the version is compared; and that ETag is now stale
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = owner_client.patch(f"/api/tasks/{task.pk}/", {"title": "late"}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "put", "delete"])
@pytest.mark.parametrize("header", ['"0"', '"2"', "garbage", '"2-0123456789abcdef"', '"1-not-hex"'])
def test_a_stale_if_match_is_412_and_changes_nothing(owner_client, owner, method, header):
    task = TaskFactory(owner=owner, title="original")
    response = getattr(owner_client, method)(
        f"/api/tasks/{task.pk}/", {"title": "lost update"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    task.refresh_from_db()
    assert (task.title, task.version, task.trashed_at) == ("original", 1, None)
    assert not TaskEvent.objects.exists()


@pytest.mark.django_db
def test_without_if_match_the_last_write_wins(owner_client, owner):
    task = TaskFactory(owner=owner)
    owner_client.patch(f"/api/tasks/{task.pk}/", {"title": "first"}, format="json")
    owner_client.patch(f"/api/tasks/{task.pk}/", {"title": "second"}, format="json")
    task.refresh_from_db()
    assert task.title == "second" and task.version == 3


@pytest.mark.django_db(transaction=True)
def test_two_writers_racing_with_the_same_etag_exactly_one_wins(owner):
    task = TaskFactory(owner=owner)
    writers = [client_for(owner), client_for(owner)]

    def write(index):
        return (
            writers[index]
            .patch(f"/api/tasks/{task.pk}/", {"title": f"writer {index}"}, format="json", HTTP_IF_MATCH='"1"')
            .status_code
        )

    counter = iter(range(2))
    statuses = race(2, lambda: write(next(counter)))
    assert sorted(statuses) == [200, 412]
    task.refresh_from_db()
    assert task.version == 2
    assert TaskEvent.objects.filter(task=task).count() == 1


# -- Idempotency-Key --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_original_task(owner_client):
    first = owner_client.post("/api/tasks/", {"title": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    retry = owner_client.post("/api/tasks/", {"title": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Task.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(owner_client):
    owner_client.post("/api/tasks/", {"title": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    response = owner_client.post(
        "/api/tasks/", {"title": "different"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Task.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_user(owner, stranger):
    client_for(owner).post("/api/tasks/", {"title": "mine"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = client_for(stranger).post(
        "/api/tasks/", {"title": "mine"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Task.objects.filter(owner=stranger).count() == 1


@pytest.mark.django_db
def test_keys_expire_after_24_hours(owner_client, owner):
    first = owner_client.post(
        "/api/tasks/", {"title": "daily"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    ).json()
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    second = owner_client.post(
        "/api/tasks/", {"title": "daily"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    ).json()
    assert second["id"] != first["id"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "has space", "é", "x" * 256])
def test_malformed_keys_are_400(owner_client, key):
    response = owner_client.post("/api/tasks/", {"title": "t"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_an_invalid_body_stores_no_key(owner_client):
    assert owner_client.post("/api/tasks/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert (
        owner_client.post(
            "/api/tasks/", {"title": "fixed"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
        ).status_code
        == 201
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_exactly_one_task(owner):
    clients = [client_for(owner) for _ in range(4)]
    counter = iter(range(4))

    def create():
        response = clients[next(counter)].post(
            "/api/tasks/", {"title": "exactly once"}, format="json", HTTP_IDEMPOTENCY_KEY="race"
        )
        return response.status_code, response.json().get("id")

    results = race(4, create)
    assert Counter(status for status, _ in results) == {201: 4}
    assert len({task_id for _, task_id in results}) == 1
    assert Task.objects.count() == 1
    assert TaskEvent.objects.count() == 1
