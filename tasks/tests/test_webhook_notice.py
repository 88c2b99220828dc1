"""Whenever a person's task events start going to a new host, they are told — in the app and by
e-mail whatever their settings — because an access token alone can add a webhook."""

import socket

import pytest

from accounts.tests.factories import UserFactory
from tasks.notifications.models import Delivery, Notification
from tasks.tests.test_webhooks_api import DNS, RECEIVER, URL, register, resolving
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def dns(monkeypatch, settings) -> dict[str, list[str]]:
    """Names resolve as this table says (no network in tests); private addresses are refused."""
    settings.TMS_WEBHOOK_ALLOW_PRIVATE = False
    table = {name: list(addresses) for name, addresses in DNS.items()}
    monkeypatch.setattr(socket, "getaddrinfo", resolving(table))
    return table


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


def notices(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=Notification.Kind.WEBHOOK_ADDED).order_by("id"))


def test_a_new_webhook_tells_its_owner_in_the_app_and_by_mail(ada, dns):
    # given: ada chose no activity mails (the default)
    client = client_for(ada)
    # when
    created = register(client)
    # then: one notice naming the host, with an e-mail delivery despite the settings
    assert created.status_code == 201
    [notice] = notices(ada)
    assert notice.payload["host"] == "hooks.example.net"
    assert notice.payload["webhook"] == created.json()["id"]
    assert list(Delivery.objects.filter(notification=notice).values_list("channel", flat=True)) == ["email"]
    listed = client.get("/api/tasks/notifications/").json()["results"]
    assert listed[0]["kind"] == "webhook_added"
    assert "hooks.example.net" in listed[0]["text"] and "Settings → Webhooks" in listed[0]["text"]
    # and the secret is in no notice
    assert created.json()["secret"] not in str(notice.payload)


def test_a_new_url_tells_again_on_any_host_other_changes_do_not(ada, dns):
    client = client_for(ada)
    dns["elsewhere.example.net"] = ["93.184.216.34"]
    hook = register(client).json()["id"]
    # when: the description and events change
    unmoved = {"description": "ci", "events": ["task.updated"]}
    assert client.patch(f"{URL}{hook}/", unmoved, format="json").status_code == 200
    # then: no new notice
    assert len(notices(ada)) == 1
    # when: the URL changes on the same host (one receiver host may serve many people), then to another
    for url in (RECEIVER + "/someone-else", "https://elsewhere.example.net/in"):
        assert client.patch(f"{URL}{hook}/", {"url": url}, format="json").status_code == 200
    # then: told each time
    assert [n.payload["host"] for n in notices(ada)] == [
        "hooks.example.net",
        "hooks.example.net",
        "elsewhere.example.net",
    ]


def test_a_refused_registration_tells_nobody(ada, dns):
    refused = register(client_for(ada), url="https://127.0.0.1/in")
    assert refused.status_code == 400
    assert notices(ada) == []
