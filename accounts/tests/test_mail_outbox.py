"""The outbox: mails leave after their change commits, out of band, each exactly once, with retries."""

import itertools
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import OutgoingMail
from accounts.services import mail as outbox
from accounts.services.mail import MAX_ATTEMPTS, mail_deliver_due, mail_enqueue
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_that_fails() -> None:
    with transaction.atomic():
        mail_enqueue(kind="email_in_use", email="a@example.com")
        raise RuntimeError("the change failed")


def test_a_mail_of_a_rolled_back_change_is_never_sent():
    with pytest.raises(RuntimeError, match="the change failed"):
        change_that_fails()
    assert mail_deliver_due() == 0 and mail.outbox == []


def test_a_failing_mail_server_is_retried_with_backoff_then_given_up(monkeypatch):
    row = mail_enqueue(kind="email_in_use", email="a@example.com")
    monkeypatch.setattr(
        "django.core.mail.EmailMessage.send",
        lambda self: (_ for _ in ()).throw(ConnectionRefusedError("smtp down")),
    )
    # when the first attempt fails
    assert mail_deliver_due() == 1
    row.refresh_from_db()
    # then it waits before the next one, and says why
    assert row.state == "pending" and row.attempts == 1 and "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert mail_deliver_due() == 0  # not due yet
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        row.refresh_from_db()
        waits.append(row.next_attempt_at - timezone.now())
        OutgoingMail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        mail_deliver_due()
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == MAX_ATTEMPTS and row.finished_at
    assert all(later > earlier for earlier, later in itertools.pairwise(waits))  # backoff grows


def test_a_mail_server_that_recovers_gets_the_mail_once(monkeypatch):
    mail_enqueue(kind="email_in_use", email="a@example.com")
    real_send = outbox.EmailMessage.send
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("timeout")
        return real_send(self)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky)
    mail_deliver_due()
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    mail_deliver_due()
    mail_deliver_due()
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    assert OutgoingMail.objects.get().state == "sent"


def test_the_payload_holds_no_secret(anonymous_client):
    user = UserFactory()
    anonymous_client.post("/api/auth/password/reset/", {"email": user.email}, format="json")
    row = OutgoingMail.objects.get()
    assert row.payload == {"email": user.email}  # the reset link is signed when the mail is sent


def test_unknown_kinds_are_refused_when_queued():
    with pytest.raises(ValueError, match="no mail of kind"):
        mail_enqueue(kind="nonsense")


@pytest.mark.django_db(transaction=True)
def test_two_deliverers_send_each_mail_exactly_once():
    if connection.vendor != "mysql":
        pytest.skip("SKIP LOCKED needs MySQL/MariaDB; SQLite has one writer (make test runs this on MariaDB)")
    for n in range(40):
        mail_enqueue(kind="email_in_use", email=f"user{n}@example.com")
    barrier = threading.Barrier(2)

    def deliver():
        try:
            barrier.wait(timeout=10)
            mail_deliver_due(limit=100)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == sorted(f"user{n}@example.com" for n in range(40))  # every one, none twice
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {"sent"}


def test_the_delivery_thread_sends_without_anyone_asking(settings, transactional_db):
    settings.TMS_MAIL_DELIVERY_THREAD = True
    mail_enqueue(kind="email_in_use", email="thread@example.com")
    outbox._thread, outbox._stop = None, threading.Event()
    try:
        outbox.mail_delivery_start(interval=0.05)
        deadline = timezone.now() + timedelta(seconds=10)
        while not mail.outbox and timezone.now() < deadline:
            threading.Event().wait(0.05)
    finally:
        outbox._stop.set()
        outbox._thread.join(timeout=5)
        outbox._thread = None
    assert [m.to for m in mail.outbox] == [["thread@example.com"]]
