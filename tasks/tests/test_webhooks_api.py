"""/api/tasks/webhooks/: registering, listing, changing and deleting a person's webhooks, the secret
shown once, the address rule at registration (SSRF), the quota, a test event, the deliveries in
pages and redelivery. Another person's webhook or delivery is 404 in every one."""

import ipaddress
import socket

import pytest

from accounts.tests.factories import UserFactory
from tasks.webhooks import events
from tasks.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

URL = "/api/tasks/webhooks/"
PUBLIC = "93.184.216.34"
RECEIVER = "https://hooks.example.net/tms"


def resolving(table: dict[str, list[str]]):
    """A socket.getaddrinfo that resolves names as ``table`` says (literal addresses as themselves)."""

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            if host not in table:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            addresses = table[host]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return getaddrinfo


DNS = {
    "hooks.example.net": [PUBLIC],
    "localhost.example.net": ["127.0.0.1"],
    "mixed.example.net": [PUBLIC, "10.1.2.3"],
}


@pytest.fixture(autouse=True)
def public_dns(monkeypatch, settings):
    """Names resolve as DNS says (no network in tests); private addresses are refused."""
    settings.TMS_WEBHOOK_ALLOW_PRIVATE = False
    table = {name: list(addresses) for name, addresses in DNS.items()}
    monkeypatch.setattr(socket, "getaddrinfo", resolving(table))
    return table


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def ada_client(ada):
    return client_for(ada)


def register(client, url=RECEIVER, events_=("task.created",), **extra):
    return client.post(URL, {"url": url, "events": list(events_), **extra}, format="json")


def hook_of(user, url=RECEIVER, names=("task.created",), **fields) -> Webhook:
    return Webhook.objects.create(
        owner=user, url=url, events=list(names), secret="whsec_" + "A" * 44, **fields
    )


# -- register, list, change, delete ---------------------------------------------------------------


def test_a_webhook_is_registered_and_its_secret_shown_once(ada_client, ada):
    # when
    response = register(ada_client, events_=("task.created", "task.completed"), description="CI")
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) == 50
    assert {key: body[key] for key in ("url", "events", "description", "is_active")} == {
        "url": RECEIVER,
        "events": ["task.created", "task.completed"],
        "description": "CI",
        "is_active": True,
    }
    assert body["consecutive_failures"] == 0 and body["disabled_at"] is None
    assert Webhook.objects.get(pk=body["id"]).secret == body["secret"]
    # the secret is never shown again
    listed = ada_client.get(URL).json()
    assert [row["id"] for row in listed] == [body["id"]]
    assert "secret" not in listed[0]
    detail = ada_client.get(f"{URL}{body['id']}/")
    assert "secret" not in detail.json()
    assert body["secret"] not in detail.content.decode()


def test_each_secret_is_new(ada_client):
    secrets = {register(ada_client).json()["secret"] for _ in range(3)}
    assert len(secrets) == 3


def test_a_webhook_is_changed_and_deleted(ada_client, ada):
    hook_id = register(ada_client).json()["id"]
    changed = ada_client.patch(
        f"{URL}{hook_id}/",
        {"events": ["comment.created"], "description": "chat", "url": "https://hooks.example.net/v2"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["comment.created"]
    assert changed.json()["url"] == "https://hooks.example.net/v2"
    off = ada_client.patch(f"{URL}{hook_id}/", {"is_active": False}, format="json").json()
    assert off["is_active"] is False and off["disabled_reason"] == "Turned off by its owner."
    assert ada_client.delete(f"{URL}{hook_id}/").status_code == 204
    assert not Webhook.objects.exists()
    assert ada_client.get(f"{URL}{hook_id}/").status_code == 404


def test_turning_a_disabled_webhook_on_clears_its_failures(ada_client, ada):
    hook = hook_of(ada, is_active=False, consecutive_failures=5, disabled_reason="5 deliveries failed.")
    body = ada_client.patch(f"{URL}{hook.pk}/", {"is_active": True}, format="json").json()
    assert body["is_active"] is True
    assert body["consecutive_failures"] == 0
    assert body["disabled_at"] is None and body["disabled_reason"] == ""


def test_another_persons_webhook_and_deliveries_are_not_found(ada, ada_client):
    bob = UserFactory(username="bob")
    hook = hook_of(bob)
    delivery = events.ping(hook)
    before = database_snapshot(), list(Webhook.objects.values()), list(WebhookDelivery.objects.values())
    for method, path in [
        ("get", f"{URL}{hook.pk}/"),
        ("patch", f"{URL}{hook.pk}/"),
        ("delete", f"{URL}{hook.pk}/"),
        ("post", f"{URL}{hook.pk}/ping/"),
        ("get", f"{URL}{hook.pk}/deliveries/"),
        ("post", f"{URL}{hook.pk}/deliveries/{delivery.pk}/redeliver/"),
    ]:
        response = getattr(ada_client, method)(path, {"description": "mine"}, format="json")
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "not_found"
    assert ada_client.get(URL).json() == []
    after = database_snapshot(), list(Webhook.objects.values()), list(WebhookDelivery.objects.values())
    assert after == before


def test_a_delivery_of_another_of_ones_webhooks_is_not_found_under_this_one(ada, ada_client):
    first, second = hook_of(ada), hook_of(ada)
    delivery = events.ping(second)
    response = ada_client.post(f"{URL}{first.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": RECEIVER}, "events"),
        ({"url": RECEIVER, "events": []}, "events"),
        ({"url": RECEIVER, "events": ["*"]}, "events"),
        ({"url": RECEIVER, "events": ["task.exploded"]}, "events"),
        ({"url": RECEIVER, "events": ["task.created", "task.created"]}, "events"),
        ({"url": RECEIVER, "events": "task.created"}, "events"),
        ({"events": ["task.created"]}, "url"),
        ({"url": 5, "events": ["task.created"]}, "url"),
        ({"url": RECEIVER, "events": ["task.created"], "secret": "whsec_mine"}, "secret"),
        ({"url": RECEIVER, "events": ["task.created"], "description": "x" * 201}, "description"),
        ({"url": "https://" + "a" * 2000 + ".net/", "events": ["task.created"]}, "url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(ada_client, body, field):
    response = ada_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Webhook.objects.exists()


# -- the address rule (SSRF) at registration ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://224.0.0.1/hook",
        "https://0.0.0.0/hook",
        "https://localhost.example.net/hook",
        "https://mixed.example.net/hook",
    ],
)
def test_addresses_inside_the_network_are_refused_at_registration(ada_client, ada, url):
    response = register(ada_client, url=url)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["url"] == [
        "The URL points to an address that is not on the public internet."
    ]
    assert not Webhook.objects.exists()
    # and when changed to one
    hook = hook_of(ada)
    assert ada_client.patch(f"{URL}{hook.pk}/", {"url": url}, format="json").status_code == 400
    assert Webhook.objects.get(pk=hook.pk).url == RECEIVER


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.net/x", "https://"),
        ("ftp://hooks.example.net/x", "https://"),
        ("https://user:pw@hooks.example.net/x", "user name or password"),
        ("https://nowhere.invalid/x", "does not resolve"),
        ("https:///x", "no host"),
        ("not a url", "https://"),
    ],
)
def test_other_unusable_urls_are_refused(ada_client, url, why):
    response = register(ada_client, url=url)
    assert response.status_code == 400
    assert why in response.json()["error"]["fields"]["url"][0]


def test_loopback_and_http_are_allowed_only_with_the_development_setting(ada_client, settings):
    settings.TMS_WEBHOOK_ALLOW_PRIVATE = True
    assert register(ada_client, url="http://127.0.0.1:8080/hook").status_code == 201
    assert register(ada_client, url="http://localhost.example.net/hook").status_code == 201


def test_the_push_setting_does_not_allow_private_webhooks(ada_client, settings):
    settings.TMS_PUSH_ALLOW_PRIVATE = True
    assert register(ada_client, url="https://127.0.0.1/hook").status_code == 400


# -- limits ---------------------------------------------------------------------------------------


def test_at_most_ten_webhooks_and_the_quota_comes_before_the_lookup(ada, ada_client, monkeypatch):
    for _ in range(Webhook.MAX_PER_USER):
        hook_of(ada)
    looked_up = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kw: looked_up.append(args) or [])
    response = register(ada_client, url="https://anything.example.org/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert looked_up == []
    assert Webhook.objects.count() == Webhook.MAX_PER_USER


def test_writes_spend_the_webhook_budget(ada_client, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "webhooks_write": "2/h"}
    assert register(ada_client).status_code == 201
    hook_id = ada_client.get(URL).json()[0]["id"]
    assert ada_client.post(f"{URL}{hook_id}/ping/").status_code == 202
    refused = ada_client.patch(f"{URL}{hook_id}/", {"description": "x"}, format="json")
    assert refused.status_code == 429
    assert ada_client.get(URL).status_code == 200  # reading spends nothing
    assert Webhook.objects.get().description == ""


def test_the_views_need_the_webhooks_scope():
    from tasks.webhooks import views

    for view in (
        views.WebhookListView,
        views.WebhookDetailView,
        views.WebhookPingView,
        views.DeliveryListView,
        views.RedeliverView,
    ):
        assert view.required_scope == "webhooks:manage"


# -- ping, deliveries, redelivery -----------------------------------------------------------------


def test_a_ping_queues_a_test_event(ada, ada_client):
    hook = hook_of(ada)
    response = ada_client.post(f"{URL}{hook.pk}/ping/")
    assert response.status_code == 202
    body = response.json()
    assert body["event"] == "webhook.ping" and body["state"] == "pending"
    assert body["message_id"].startswith("msg_") and len(body["message_id"]) == 30
    assert body["payload"]["type"] == "webhook.ping"
    assert body["payload"]["data"] == {"webhook": hook.pk}
    assert body["payload"]["timestamp"].endswith("Z")


def test_a_turned_off_webhook_is_not_pinged(ada, ada_client):
    hook = hook_of(ada, is_active=False)
    response = ada_client.post(f"{URL}{hook.pk}/ping/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "webhook_disabled"
    assert not WebhookDelivery.objects.exists()


def test_deliveries_come_newest_first_in_pages(ada, ada_client, assert_queries):
    hook = hook_of(ada)
    made = [events.ping(hook) for _ in range(5)]
    WebhookAttempt.objects.create(
        delivery=made[-1], started_at=made[-1].created_at, status_code=500, error="HTTP 500: oops"
    )
    with assert_queries(2):  # the webhook, then the page with each one's last attempt
        first = ada_client.get(f"{URL}{hook.pk}/deliveries/?page_size=3")
    assert first.status_code == 200
    page = first.json()
    assert [row["id"] for row in page["results"]] == [d.pk for d in reversed(made)][:3]
    newest = page["results"][0]
    assert newest["last_status_code"] == 500 and newest["last_error"] == "HTTP 500: oops"
    assert page["results"][1]["last_status_code"] is None
    rest = ada_client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [made[1].pk, made[0].pk]
    assert rest["next"] is None
    assert ada_client.get(f"{URL}{hook.pk}/deliveries/?cursor=nonsense").status_code == 400


def test_redelivery_makes_a_delivery_pending_now_with_the_same_message_id(ada, ada_client):
    hook = hook_of(ada)
    delivery = events.ping(hook)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="failed", attempts=8)
    response = ada_client.post(f"{URL}{hook.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "pending" and body["attempts"] == 0 and body["finished_at"] is None
    assert body["message_id"] == delivery.message_id
    again = WebhookDelivery.objects.get(pk=delivery.pk)
    assert again.state == "pending" and again.next_attempt_at >= delivery.next_attempt_at


def test_list_and_detail_cost_one_query(ada, ada_client, assert_queries):
    hooks = [hook_of(ada) for _ in range(3)]
    with assert_queries(1):
        assert len(ada_client.get(URL).json()) == 3
    with assert_queries(1):
        assert ada_client.get(f"{URL}{hooks[0].pk}/").status_code == 200
