"""Web Push: the public key browsers subscribe with, saving and removing a browser's subscription,
and the address rule every endpoint passes (at sign-up and before each send): https, and no
address inside the server's own network (SSRF)."""

import contextlib
import ipaddress
import socket
import threading

import pytest
import requests

from accounts.tests.factories import UserFactory
from tasks.management.commands.generate_vapid_keys import new_key_pair
from tasks.notifications.inbox import MAX_SUBSCRIPTIONS
from tasks.notifications.models import PushSubscription
from tasks.notifications.outbound import UnsafeURL, check_url, safe_session
from tasks.notifications.push_services import host_is_push_service
from tasks.tests.test_deliver import AUTH, P256DH, browser_keys
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

URL = "/api/tasks/push/"
SUBSCRIPTIONS = f"{URL}subscriptions/"
PUBLIC = "93.184.216.34"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Names resolve as this table says (no network in tests); literal addresses as themselves."""
    table = {
        "push.example.net": [PUBLIC],
        "fcm.googleapis.com": [PUBLIC, "2607:f8b0:4005:80a::200a"],
        "localhost.example.net": ["127.0.0.1"],
        "mixed.example.net": [PUBLIC, "10.1.2.3"],
    }

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
            table[host] = [host]
        except ValueError:
            pass
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def ada_client(ada):
    return client_for(ada)


def subscription(endpoint="https://push.example.net/send/abc", p256dh=P256DH, auth=AUTH) -> dict:
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/push",
        "https://10.0.0.8/push",
        "https://172.16.5.4/push",
        "https://192.168.1.1/push",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push",
        "https://[fd00:ec2::254]/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://[64:ff9b::a00:1]/push",
        "https://100.64.0.1/push",
        "https://224.0.0.1/push",
        "https://0.0.0.0/push",
        "https://localhost.example.net/push",
        "https://mixed.example.net/push",
    ],
)
def test_addresses_inside_are_refused(url, settings):
    settings.TMS_PUSH_ALLOW_PRIVATE = False
    with pytest.raises(UnsafeURL, match="not on the public internet"):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://push.example.net/x", "https://"),
        ("ftp://push.example.net/x", "https://"),
        ("https://user:secret@push.example.net/x", "user name or password"),
        ("https://nowhere.invalid/x", "does not resolve"),
        ("https:///x", "no host"),
        ("https://push.example.net:99999/x", "valid URL"),
    ],
)
def test_other_unusable_urls_are_refused(url, why):
    with pytest.raises(UnsafeURL, match=why):
        check_url(url)


def test_public_endpoints_pass():
    assert check_url("https://push.example.net/send/1") == "https://push.example.net/send/1"
    assert check_url("https://fcm.googleapis.com/fcm/send/x")
    assert check_url(f"https://{PUBLIC}:8443/x")


def test_private_addresses_pass_only_when_allowed(settings):
    settings.TMS_PUSH_ALLOW_PRIVATE = True
    assert check_url("https://127.0.0.1:8721/push")
    with pytest.raises(UnsafeURL):  # https stays required
        check_url("http://127.0.0.1:8721/push")


def test_push_is_off_without_keys(ada_client, settings):
    settings.TMS_VAPID_PUBLIC_KEY = settings.TMS_VAPID_PRIVATE_KEY = ""
    assert ada_client.get(URL).json() == {"enabled": False, "public_key": None}


def test_the_task_service_offers_push_with_the_public_key_alone(ada_client, settings):
    # In the cluster only the worker, which signs, holds the private key.
    public, _private = new_key_pair()
    settings.TMS_VAPID_PUBLIC_KEY, settings.TMS_VAPID_PRIVATE_KEY = public, ""
    assert ada_client.get(URL).json() == {"enabled": True, "public_key": public}


def test_push_gives_the_public_key_never_the_private_one(ada_client, settings):
    settings.TMS_VAPID_PUBLIC_KEY, settings.TMS_VAPID_PRIVATE_KEY = new_key_pair()
    response = ada_client.get(URL)
    assert response.json() == {"enabled": True, "public_key": settings.TMS_VAPID_PUBLIC_KEY}
    assert settings.TMS_VAPID_PRIVATE_KEY not in response.content.decode()


def test_a_browser_subscribes_and_unsubscribes(ada, ada_client):
    response = ada_client.post(SUBSCRIPTIONS, subscription(), format="json", HTTP_USER_AGENT="Firefox/140")
    assert response.status_code == 201, response.content
    assert response.json() == {"endpoint": "https://push.example.net/send/abc"}
    saved = PushSubscription.objects.get()
    assert (saved.user_id, saved.endpoint, saved.p256dh, saved.auth, saved.user_agent) == (
        ada.pk,
        "https://push.example.net/send/abc",
        P256DH,
        AUTH,
        "Firefox/140",
    )
    # subscribing again (new keys) updates the one row
    _, new_p256dh, new_auth = browser_keys()
    assert (
        ada_client.post(
            SUBSCRIPTIONS, subscription(p256dh=new_p256dh, auth=new_auth), format="json"
        ).status_code
        == 201
    )
    assert list(PushSubscription.objects.values_list("p256dh", "auth")) == [(new_p256dh, new_auth)]
    response = ada_client.delete(
        SUBSCRIPTIONS, {"endpoint": "https://push.example.net/send/abc"}, format="json"
    )
    assert response.status_code == 204
    assert not PushSubscription.objects.exists()
    response = ada_client.delete(
        SUBSCRIPTIONS, {"endpoint": "https://push.example.net/send/abc"}, format="json"
    )
    assert response.status_code == 404


def test_another_persons_subscription_cannot_be_removed(ada, ada_client):
    bob = UserFactory(username="bob")
    client_for(bob).post(SUBSCRIPTIONS, subscription(), format="json")
    response = ada_client.delete(
        SUBSCRIPTIONS, {"endpoint": "https://push.example.net/send/abc"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert PushSubscription.objects.get().user_id == bob.pk


def test_a_browser_that_signs_into_another_account_moves_there(ada, ada_client):
    bob = UserFactory(username="bob")
    client_for(bob).post(SUBSCRIPTIONS, subscription(), format="json")
    assert ada_client.post(SUBSCRIPTIONS, subscription(), format="json").status_code == 201
    assert PushSubscription.objects.get().user_id == ada.pk


def test_at_most_ten_browsers(ada, ada_client):
    for n in range(MAX_SUBSCRIPTIONS):
        endpoint = f"https://push.example.net/send/{n}"
        assert ada_client.post(SUBSCRIPTIONS, subscription(endpoint), format="json").status_code == 201
    before = database_snapshot()
    response = ada_client.post(
        SUBSCRIPTIONS, subscription("https://push.example.net/send/new"), format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert database_snapshot() == before
    # an existing browser renewing its keys is no new one
    assert (
        ada_client.post(
            SUBSCRIPTIONS, subscription("https://push.example.net/send/3"), format="json"
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (subscription("https://127.0.0.1/push"), "endpoint"),
        (subscription("https://169.254.169.254/latest"), "endpoint"),
        (subscription("https://[::1]/push"), "endpoint"),
        (subscription("https://localhost.example.net/push"), "endpoint"),
        (subscription("http://push.example.net/x"), "endpoint"),
        (subscription("not a url"), "endpoint"),
        (subscription("https://push.example.net/" + "x" * 500), "endpoint"),
        (subscription(p256dh="not base64!"), "keys"),
        (subscription(p256dh=AUTH), "keys"),  # 16 bytes, not a public key
        (subscription(p256dh="A" + P256DH[1:]), "keys"),  # not an uncompressed point (0x04 ...)
        (subscription(auth=P256DH), "keys"),
        (subscription(auth=""), "keys"),
        ({"endpoint": "https://push.example.net/x"}, "keys"),
        ({**subscription(), "extra": 1}, "extra"),
        ({"endpoint": 5, "keys": {"p256dh": P256DH, "auth": AUTH}}, "endpoint"),
    ],
)
def test_bad_subscriptions_are_400_and_save_nothing(ada_client, body, field):
    response = ada_client.post(SUBSCRIPTIONS, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]
    assert not PushSubscription.objects.exists()


def test_a_refusal_does_not_echo_secrets(ada_client):
    body = subscription("https://user:hunter2@push.example.net/x")
    response = ada_client.post(SUBSCRIPTIONS, body, format="json")
    assert response.status_code == 400
    assert "hunter2" not in response.content.decode()


def test_without_a_token_401(client):
    assert client.get(URL).status_code == 401
    assert client.post(SUBSCRIPTIONS, subscription(), content_type="application/json").status_code == 401


class Listener:
    """A TCP listener on 127.0.0.1 that records the bytes its first connection sends."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(5)
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.sock.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(2)
            with contextlib.suppress(OSError):
                self.received = connection.recv(4096)

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.mark.parametrize("allowed", [False, True])
def test_a_connection_that_reaches_a_private_address_sends_nothing(settings, allowed):
    """DNS rebinding: even when a name passed the check, the address the connection reached is checked
    before TLS starts; only TMS_PUSH_ALLOW_PRIVATE lets it through."""
    settings.TMS_PUSH_ALLOW_PRIVATE = allowed
    listener = Listener()
    try:
        with safe_session() as session, pytest.raises(requests.exceptions.ConnectionError) as refused:
            session.post(f"https://127.0.0.1:{listener.port}/push", data=b"secret payload", timeout=3)
    finally:
        listener.close()
    if allowed:
        assert listener.received.startswith(b"\x16\x03")  # a TLS ClientHello
        assert isinstance(refused.value, requests.exceptions.SSLError)
    else:
        assert listener.received == b""
        assert "not on the public internet" in str(refused.value)


def test_redirects_are_not_followed(settings, monkeypatch):
    calls = []

    def send(self, request, **kwargs):
        calls.append(request.url)
        response = requests.Response()
        response.status_code, response.url, response.request = 307, request.url, request
        response.headers["Location"] = "https://169.254.169.254/latest/meta-data/"
        response._content = b""
        return response

    monkeypatch.setattr("requests.adapters.HTTPAdapter.send", send)
    with safe_session() as session, pytest.raises(requests.exceptions.TooManyRedirects):
        session.post("https://push.example.net/x", data=b"x", timeout=3)
    assert calls == ["https://push.example.net/x"]


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("fcm.googleapis.com", True),
        ("FCM.googleapis.com.", True),
        ("updates.push.services.mozilla.com", True),
        ("wns2-db5p.notify.windows.com", True),
        ("web.push.apple.com", True),
        ("evilnotify.windows.com", False),
        ("fcm.googleapis.com.evil.example", False),
        ("googleapis.com", False),
        ("127.0.0.1", False),
    ],
)
def test_only_the_browsers_push_services_are_endpoints(host, allowed, settings):
    settings.TMS_PUSH_SERVICES = [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        ".notify.windows.com",
        ".push.apple.com",
    ]
    assert host_is_push_service(host) is allowed


def test_an_endpoint_elsewhere_is_refused_without_looking_its_name_up(ada, ada_client, monkeypatch):
    looked_up = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: looked_up.append(host))
    before = database_snapshot()
    body = {"endpoint": "https://collector.attacker.example/hook", "keys": {"p256dh": P256DH, "auth": AUTH}}

    response = ada_client.post(SUBSCRIPTIONS, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["endpoint"] == [
        "The endpoint is not on a known browser push service (TMS_PUSH_SERVICES)."
    ]
    assert looked_up == []
    assert database_snapshot() == before


@pytest.mark.parametrize("address", ["64:ff9b:1::7f00:1", "64:ff9b:1::5db8:d822"])
def test_the_local_use_nat64_prefix_is_refused(address):
    # RFC 8215: a translator on the local network maps these to any IPv4 address, private ones too
    from tasks.notifications.outbound import address_is_public

    assert not address_is_public(ipaddress.ip_address(address))


def test_outgoing_requests_take_no_proxy_from_the_environment(monkeypatch):
    # Through a proxy, the check on the address a connection reaches would not apply.
    from tasks.notifications.outbound import safe_session

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    session = safe_session()
    assert session.trust_env is False and session.verify is True
    # a CA bundle the operator names still counts (a private CA in front of a receiver)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/private-ca.pem")
    assert safe_session().verify == "/etc/ssl/private-ca.pem"
