"""Sending webhooks to a real HTTP receiver on 127.0.0.1 (TMS_WEBHOOK_ALLOW_PRIVATE, as in
development): signed so that the Standard Webhooks library's receiver side verifies it, retried on
a schedule until it succeeds exactly once per event, never following a redirect, giving up on a
slow receiver, checking the address again at each attempt (DNS rebinding), and turning an endpoint
off (and telling its owner) when it keeps failing."""

import contextlib
import datetime
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from accounts.tests.factories import UserFactory
from tasks.notifications.deliver import run_once
from tasks.notifications.models import Delivery, Notification, NotificationSettings
from tasks.notifications.retention import purge_old
from tasks.notifications.texts import sentence
from tasks.tests.test_webhooks_api import DNS, PUBLIC, resolving
from tasks.webhooks import deliver
from tasks.webhooks.deliver import MAX_ATTEMPTS, RETRY_DELAYS, deliver_due
from tasks.webhooks.events import EVENTS, ping
from tasks.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

TASKS = "/api/tasks/"
HOOKS = "/api/tasks/webhooks/"


class Receiver:
    """An HTTP receiver on 127.0.0.1 that records every request. ``answer(headers, count)`` gives the
    status for the ``count``-th request with that webhook-id (1 for the first)."""

    def __init__(self, answer=lambda headers, count: 200, delay: float = 0.0, body: bytes = b"ok") -> None:
        self.requests: list[tuple[str, dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {key.lower(): value for key, value in self.headers.items()}
                with receiver.lock:
                    count = 1 + sum(
                        1 for _, h, _, _ in receiver.requests if h["webhook-id"] == headers["webhook-id"]
                    )
                    status = answer(headers, count)
                    receiver.requests.append((self.path, headers, data, status))
                time.sleep(delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the sender stopped reading
                    self.wfile.write(body)

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statuses(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for _, headers, _, status in self.requests:
            found.setdefault(headers["webhook-id"], []).append(status)
        return found


@pytest.fixture(autouse=True)
def dns(monkeypatch, settings):
    settings.TMS_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1, over http
    table = {name: list(addresses) for name, addresses in DNS.items()}
    real = socket.getaddrinfo
    fake = resolving(table)

    def getaddrinfo(host, *args, **kwargs):  # the receiver's address really connects
        return real(host, *args, **kwargs) if host == "127.0.0.1" else fake(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(**kwargs) -> Receiver:
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def ada_client(ada):
    return client_for(ada)


def register(client, url: str, names=EVENTS) -> dict:
    response = client.post(HOOKS, {"url": url, "events": list(names)}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def attempts_counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("tms_webhook_attempts_total", {"outcome": outcome}) or 0.0


def run_schedule(rounds: int = 20) -> None:
    """Send what is due, then bring the next retries forward, as if their time had come."""
    for _ in range(rounds):
        deliver_due()
        pending = WebhookDelivery.objects.filter(state="pending")
        if not pending.exists():
            return
        pending.update(next_attempt_at=timezone.now())
    raise AssertionError("deliveries still pending")


def test_a_delivery_verifies_with_the_standard_webhooks_receiver(ada_client, receivers):
    # given
    receiver = receivers()
    hook = register(ada_client, receiver.url)
    task_id = ada_client.post(TASKS, {"title": "Signed"}, format="json").json()["id"]
    # when
    assert deliver_due() == 1
    # then
    [(path, headers, body, _)] = receiver.requests
    assert path == "/hook"
    delivery = WebhookDelivery.objects.get()
    assert StandardWebhook(hook["secret"]).verify(body, headers) == delivery.payload
    assert headers["webhook-id"] == delivery.message_id
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "TMS-Webhooks/1"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert json.loads(body)["data"]["id"] == task_id
    with pytest.raises(WebhookVerificationError):
        StandardWebhook("whsec_" + "B" * 44).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(hook["secret"]).verify(body.replace(b"Signed", b"Forged"), headers)
    assert delivery.state == "succeeded" and delivery.attempts == 1 and delivery.finished_at is not None
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code == 200 and attempt.error == ""
    # the secret travels only as the signature's key
    assert hook["secret"] not in json.dumps(headers) and hook["secret"].encode() not in body


def test_a_deactivated_owners_queued_deliveries_are_not_sent(ada, ada_client, receivers):
    # given: an event queued for ada's webhook
    receiver = receivers()
    register(ada_client, receiver.url)
    ada_client.post(TASKS, {"title": "Queued"}, format="json")
    # when ada's account is deactivated before the worker comes
    type(ada).objects.filter(pk=ada.pk).update(is_active=False)
    deliver_due()
    # then nothing reaches the receiver and the delivery ends, saying why
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert WebhookAttempt.objects.get().error == "account deactivated"


def test_a_receiver_that_fails_twice_gets_exactly_one_success_per_event(ada_client, receivers):
    receiver = receivers(answer=lambda headers, count: 500 if count <= 2 else 200)
    register(ada_client, receiver.url)
    task_id = ada_client.post(TASKS, {"title": "Flaky"}, format="json").json()["id"]
    ada_client.patch(f"{TASKS}{task_id}/", {"title": "Flakier"}, format="json")
    ada_client.post(f"{TASKS}{task_id}/complete/")
    counted = {outcome: attempts_counted(outcome) for outcome in ("succeeded", "http_error")}
    # when
    run_schedule()
    # then: each event's message three times, the last one answered 200
    rows = list(WebhookDelivery.objects.order_by("pk"))
    assert receiver.statuses() == {row.message_id: [500, 500, 200] for row in rows}
    assert Counter(status for *_, status in receiver.requests)[200] == 3
    assert {(row.state, row.attempts) for row in rows} == {("succeeded", 3)}
    for row in rows:
        attempts = list(row.attempt_log.order_by("pk"))
        assert [attempt.status_code for attempt in attempts] == [500, 500, 200]
        assert attempts[0].error == "HTTP 500: ok"
    assert Webhook.objects.get().consecutive_failures == 0
    # /metrics counts each attempt by outcome
    assert attempts_counted("succeeded") - counted["succeeded"] == 3
    assert attempts_counted("http_error") - counted["http_error"] == 6


def test_retries_follow_the_schedule(ada, receivers):
    receiver = receivers(answer=lambda headers, count: 503)
    hook = Webhook.objects.create(
        owner=ada, url=receiver.url, events=list(EVENTS), secret="whsec_" + "A" * 44
    )
    delivery = ping(hook)
    delays = []
    for _ in range(MAX_ATTEMPTS - 1):
        before = timezone.now()
        deliver_due()
        delivery.refresh_from_db()
        delays.append(delivery.next_attempt_at - before)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    for delay, planned in zip(delays, RETRY_DELAYS, strict=True):
        assert planned <= delay < planned + datetime.timedelta(seconds=5)
    assert sum(RETRY_DELAYS, datetime.timedelta()) > datetime.timedelta(hours=24)
    assert delivery.state == "pending" and delivery.attempts == MAX_ATTEMPTS - 1
    deliver_due()
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == MAX_ATTEMPTS
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_redirects_are_not_followed(ada_client, receivers):
    receiver = receivers(answer=lambda headers, count: 307)
    register(ada_client, receiver.url, names=["task.created"])
    ada_client.post(TASKS, {"title": "Moved"}, format="json")
    deliver_due()
    assert [path for path, *_ in receiver.requests] == ["/hook"]  # never /elsewhere
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.attempt_log.get().error == "HTTP 307: redirects are not followed"


def test_a_slow_receiver_times_out(ada_client, receivers, monkeypatch):
    monkeypatch.setattr(deliver, "TIMEOUT", 0.3)
    receiver = receivers(delay=3)
    register(ada_client, receiver.url, names=["task.created"])
    ada_client.post(TASKS, {"title": "Slow"}, format="json")
    started = time.monotonic()
    deliver_due()
    assert time.monotonic() - started < 2
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error == "timed out"
    assert attempt.duration_ms < 2000
    assert WebhookDelivery.objects.get().state == "pending"


def test_a_large_answer_is_read_only_up_to_the_cap_and_kept_as_a_short_excerpt(ada_client, receivers):
    receiver = receivers(answer=lambda headers, count: 500, body=b"x" * (2 * 1024 * 1024))
    register(ada_client, receiver.url, names=["task.created"])
    ada_client.post(TASKS, {"title": "Chatty"}, format="json")
    deliver_due()
    error = WebhookAttempt.objects.get().error
    assert error.startswith("HTTP 500: xxx") and len(error) <= 100


def test_the_address_is_checked_again_at_each_attempt(ada_client, settings, dns, receivers):
    """DNS rebinding: the name was public at registration and points at loopback by the time of sending."""
    settings.TMS_WEBHOOK_ALLOW_PRIVATE = False
    register(ada_client, "https://hooks.example.net/tms", names=["task.created"])
    ada_client.post(TASKS, {"title": "Rebound"}, format="json")
    dns["hooks.example.net"] = ["127.0.0.1"]
    # when
    deliver_due()
    # then: no request was made; the attempt failed and counts
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error == "address not allowed"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()


def test_a_connection_that_reaches_loopback_after_a_public_answer_sends_nothing(
    ada, settings, receivers, monkeypatch
):
    """The peer address of the connection itself is checked, after whatever the name resolved to."""
    settings.TMS_WEBHOOK_ALLOW_PRIVATE = False
    receiver = receivers()
    hook = Webhook.objects.create(
        owner=ada,
        url=f"https://hooks.example.net:{receiver.port}/hook",
        events=list(EVENTS),
        secret="whsec_" + "A" * 44,
    )
    ping(hook)
    calls = []
    real = socket.getaddrinfo

    def first_public_then_loopback(host, port, *args, **kwargs):
        calls.append(host)
        if len(calls) == 1:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port))]
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", first_public_then_loopback)
    deliver_due()
    assert receiver.requests == []
    assert WebhookAttempt.objects.get().error == "address not allowed"


def _always_failing(ada, receiver, **fields) -> Webhook:
    return Webhook.objects.create(
        owner=ada, url=receiver.url, events=list(EVENTS), secret="whsec_" + "A" * 44, **fields
    )


def test_a_webhook_failing_for_a_day_is_turned_off_and_its_owner_told(ada, ada_client, receivers):
    NotificationSettings.objects.create(user=ada, email_activity=True)
    receiver = receivers(answer=lambda headers, count: 500)
    hook = _always_failing(ada, receiver, description="CI")
    delivery = ping(hook)
    # when every retry fails
    run_schedule()
    # then
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == MAX_ATTEMPTS
    hook.refresh_from_db()
    assert hook.is_active is False and hook.disabled_at is not None
    assert hook.disabled_reason == "Every delivery attempt failed for 24 hours."
    assert hook.consecutive_failures == 1
    note = Notification.objects.get(user=ada)
    assert note.kind == "webhook_disabled"
    assert sentence(note, "UTC") == (
        "Your webhook to 127.0.0.1 was turned off: Every delivery attempt failed for 24 hours."
        " Turn it on again once its receiver answers."
    )
    assert list(Delivery.objects.filter(notification=note).values_list("channel", flat=True)) == ["email"]
    shown = ada_client.get(f"{HOOKS}{hook.pk}/").json()
    assert shown["is_active"] is False and shown["disabled_reason"] == hook.disabled_reason
    listed = ada_client.get("/api/tasks/notifications/").json()["results"]
    assert [row["kind"] for row in listed] == ["webhook_disabled"]
    # nothing more is written or sent to it
    ada_client.post(TASKS, {"title": "after"}, format="json")
    assert WebhookDelivery.objects.count() == 1


def test_five_deliveries_in_a_row_that_run_out_turn_it_off_and_a_success_resets_the_count(ada, receivers):
    failing = {"on": True}
    receiver = receivers(answer=lambda headers, count: 500 if failing["on"] else 200)
    hook = _always_failing(ada, receiver)
    # a success within the day: the day rule does not apply, the count does
    WebhookAttempt.objects.create(delivery=ping(hook), started_at=timezone.now(), status_code=204)
    WebhookDelivery.objects.update(state="succeeded")

    def run_out_one() -> None:
        delivery = ping(hook)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
        deliver_due()

    for _ in range(3):
        run_out_one()
    hook.refresh_from_db()
    assert hook.consecutive_failures == 3 and hook.is_active
    failing["on"] = False
    ping(hook)
    deliver_due()
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0
    failing["on"] = True
    for _ in range(4):
        run_out_one()
    hook.refresh_from_db()
    assert hook.is_active and hook.consecutive_failures == 4
    run_out_one()
    hook.refresh_from_db()
    assert not hook.is_active
    assert hook.disabled_reason == "5 deliveries in a row failed every retry."
    assert Notification.objects.filter(user=ada, kind="webhook_disabled").count() == 1


def test_pending_deliveries_of_a_turned_off_webhook_are_not_sent(ada, receivers):
    receiver = receivers()
    hook = _always_failing(ada, receiver)
    delivery = ping(hook)
    Webhook.objects.filter(pk=hook.pk).update(is_active=False)
    deliver_due()
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.state == "failed" and delivery.attempts == 0
    assert delivery.attempt_log.get().error == "endpoint disabled"


def test_redelivery_sends_the_same_message_again(ada, ada_client, receivers):
    receiver = receivers()
    hook = _always_failing(ada, receiver)
    delivery = ping(hook)
    deliver_due()
    assert ada_client.post(f"{HOOKS}{hook.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 202
    deliver_due()
    assert [headers["webhook-id"] for _, headers, _, _ in receiver.requests] == [delivery.message_id] * 2
    delivery.refresh_from_db()
    assert delivery.state == "succeeded"


def test_the_worker_round_sends_webhooks_too(ada, receivers):
    receiver = receivers()
    ping(_always_failing(ada, receiver))
    assert run_once() == (0, 1)
    assert len(receiver.requests) == 1


def test_finished_deliveries_go_after_30_days(ada):
    hook = Webhook.objects.create(
        owner=ada, url="https://hooks.example.net/", events=["task.created"], secret="s"
    )
    old, recent, waiting = ping(hook), ping(hook), ping(hook)
    WebhookAttempt.objects.create(delivery=old, started_at=timezone.now(), status_code=200)
    long_ago = timezone.now() - datetime.timedelta(days=31)
    WebhookDelivery.objects.filter(pk=old.pk).update(state="succeeded", finished_at=long_ago)
    WebhookDelivery.objects.filter(pk=recent.pk).update(state="failed", finished_at=timezone.now())
    WebhookDelivery.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    assert purge_old() == (0, 1)
    assert sorted(WebhookDelivery.objects.values_list("pk", flat=True)) == sorted([recent.pk, waiting.pk])
    assert not WebhookAttempt.objects.exists()
