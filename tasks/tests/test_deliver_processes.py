"""Two notification workers, separate processes on one MariaDB database, send every due reminder
exactly once: by e-mail (written to files, one per message) and by Web Push to a real HTTPS push
service on 127.0.0.1, which decrypts each message with the browser's key and checks the VAPID
signature. The long-running worker serves /metrics and /healthz and stops cleanly on SIGTERM."""

import base64
import datetime
import email
import json
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece  # type: ignore[import-untyped]
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

from tasks.management.commands.generate_vapid_keys import new_key_pair
from tasks.tests.test_deliver import browser_keys
from tests.support.scratch_database import query, scratch_database, url
from tests.support.server import ROOT, base_env, free_port, manage

pytestmark = pytest.mark.server

# Free ports of the moment, so that two runs of the suite at once do not collide.
PUSH_PORT, METRICS_PORTS = free_port(), (free_port(), free_port())
SUBJECT = "mailto:ops@example.com"
REMINDERS = 30


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- a database of the module's own --------------------------------------------------------------


@pytest.fixture(scope="module")
def database():
    with scratch_database("tms_test_deliver") as name:
        yield name


# -- a push service on 127.0.0.1, over TLS -------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "push.crt", directory / "push.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class PushService:
    """Answers 201 on /push/..., 410 (gone) on /gone/...; records every request."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    service.requests.append(
                        (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                time.sleep(0.01)  # a real service takes a moment: the workers overlap
                self.send_response(410 if self.path.startswith("/gone/") else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", PUSH_PORT), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "PushService":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def keys():
    return new_key_pair()


@pytest.fixture(scope="module")
def push_service(tmp_path_factory):
    directory = tmp_path_factory.mktemp("push")
    cert, key = self_signed(directory)
    with PushService(cert, key) as service:
        service.cert = cert
        yield service


@pytest.fixture(scope="module")
def env(database, push_service, keys, tmp_path_factory):
    mails = tmp_path_factory.mktemp("mails")
    env = base_env(
        DATABASE_URL=url(database),
        TMS_EMAIL_BACKEND="tasks.tests.mail_to_directory.EmailBackend",
        TMS_TEST_MAIL_DIR=str(mails),
        TMS_PUBLIC_URL="https://tms.example.com",
        TMS_VAPID_PUBLIC_KEY=keys[0],
        TMS_VAPID_PRIVATE_KEY=keys[1],
        TMS_VAPID_SUBJECT=SUBJECT,
        TMS_PUSH_ALLOW_PRIVATE="true",
        TMS_PUSH_SERVICES="127.0.0.1",  # the push service of this test
        REQUESTS_CA_BUNDLE=str(push_service.cert),
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    migrated = manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    env["MAILS"] = str(mails)
    return env


SEED = """
import datetime, json, os
from zoneinfo import ZoneInfo
from django.utils import timezone
from accounts.models import User
from tasks.models import Task
from tasks.notifications.models import NotificationSettings, PushSubscription, Reminder
spec = json.loads(os.environ["SEED"])
user = User.objects.create_user(
    username=spec["username"], email=spec["username"] + "@example.com", time_zone="Europe/Berlin"
)
NotificationSettings.objects.create(user=user, email_reminders=True, push_reminders=True)
for endpoint in spec["endpoints"]:
    PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=spec["p256dh"], auth=spec["auth"])
now = timezone.now()
for n in range(spec["count"]):
    due = now + datetime.timedelta(minutes=30 + n)
    local = due.astimezone(ZoneInfo("Europe/Berlin"))
    task = Task.objects.create(
        owner=user, title=f"{spec['username']} task {n}", due_date=local.date(), due_time=local.time(),
        due_at=due, position=(n + 1) * 1024,
    )
    Reminder.objects.create(task=task, before_minutes=60, fire_at=due - datetime.timedelta(minutes=60))
print(user.pk)
"""


def seed(env: dict, username: str, count: int, p256dh: str, auth: str) -> int:
    endpoints = [
        f"https://127.0.0.1:{PUSH_PORT}/gone/{username}",
        f"https://127.0.0.1:{PUSH_PORT}/push/{username}",
    ]
    spec = {"username": username, "count": count, "endpoints": endpoints, "p256dh": p256dh, "auth": auth}
    done = manage("shell", "-c", SEED, env={**env, "SEED": json.dumps(spec)})
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1])


def worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_notifications", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def mails_to(env: dict, address: str) -> list[email.message.Message]:
    found = [email.message_from_bytes(path.read_bytes()) for path in Path(env["MAILS"]).glob("*.eml")]
    return [message for message in found if message["To"] == address]


def check_vapid(headers: dict[str, str], public_key: str) -> None:
    """The Authorization header is ``vapid t=<ES256 JWT>, k=<our public key>``, signed by our key."""
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    head, claims, signature = fields["t"].split(".")
    assert json.loads(b64decode(claims))["aud"] == f"https://127.0.0.1:{PUSH_PORT}"
    assert json.loads(b64decode(claims))["sub"] == SUBJECT
    raw = b64decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(public_key))
    point.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged


def decrypted(body: bytes, private: ec.EllipticCurvePrivateKey, auth: str) -> dict:
    return json.loads(
        http_ece.decrypt(body, private_key=private, auth_secret=b64decode(auth), version="aes128gcm")
    )


def test_two_workers_send_each_reminder_exactly_once(env, database, push_service, keys):
    private, p256dh, auth = browser_keys()
    user_id = seed(env, "ada", REMINDERS, p256dh, auth)

    workers = [worker(env, "--once"), worker(env, "--once")]
    outputs = [process.communicate(timeout=120) for process in workers]

    assert [process.returncode for process in workers] == [0, 0], outputs
    rounds = [json.loads(line) for out, _ in outputs for line in out.splitlines() if line.startswith("{")]
    rounds = [line for line in rounds if line["message"] == "notification round"]
    assert sum(line["reminders"] for line in rounds) == REMINDERS
    assert sum(line["deliveries"] for line in rounds) == 2 * REMINDERS
    # every reminder fired once: one notification each, both channels sent
    states = query(
        database,
        "SELECT d.channel, d.state, COUNT(*) FROM notification_deliveries d"
        " JOIN notifications n ON n.id = d.notification_id WHERE n.user_id = %s GROUP BY d.channel, d.state",
        user_id,
    )
    assert sorted(states) == [("email", "sent", REMINDERS), ("push", "sent", REMINDERS)]
    assert query(database, "SELECT COUNT(*) FROM task_reminders WHERE fire_at IS NOT NULL") == [(0,)]
    # e-mail: each task's reminder once
    mails = mails_to(env, "ada@example.com")
    assert Counter(message["Subject"] for message in mails) == {
        f"Reminder: ada task {n}": 1 for n in range(REMINDERS)
    }
    # push: each task's reminder once at the live endpoint, decrypted with the browser's key
    live = [(headers, body) for path, headers, body in push_service.requests if path == "/push/ada"]
    assert len(live) == REMINDERS
    messages = [decrypted(body, private, auth) for _, body in live]
    assert Counter(message["title"] for message in messages) == {
        f"Reminder: ada task {n}": 1 for n in range(REMINDERS)
    }
    assert all(message["url"].startswith("https://tms.example.com/tasks/") for message in messages)
    assert all("(Europe/Berlin)" in message["body"] for message in messages)
    for headers, _ in live:
        check_vapid(headers, keys[0])
        assert headers["content-encoding"] == "aes128gcm"
        assert headers["ttl"] == "86400"
    # the gone subscription was tried, then deleted (each worker may have tried it once)
    gone = [path for path, _, _ in push_service.requests if path == "/gone/ada"]
    assert 1 <= len(gone) <= 2
    assert query(database, "SELECT endpoint FROM push_subscriptions WHERE user_id = %s", user_id) == [
        (f"https://127.0.0.1:{PUSH_PORT}/push/ada",)
    ]


def scrape(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):  # not listening (yet)
        return 0, ""


def sample(metrics: str, name: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not exported")


def test_running_workers_serve_metrics_and_health_and_stop_on_sigterm(env, database, push_service):
    _, p256dh, auth = browser_keys()
    workers = [
        worker({**env, "TMS_WORKER_METRICS_PORT": str(port)}, "--interval", "0.2") for port in METRICS_PORTS
    ]
    try:
        deadline = time.monotonic() + 30
        while not all(scrape(port, "/healthz")[0] == 200 for port in METRICS_PORTS):
            assert time.monotonic() < deadline, "the workers did not answer /healthz"
            assert all(process.poll() is None for process in workers)
            time.sleep(0.2)
        count = 10
        user_id = seed(env, "bob", count, p256dh, auth)
        deadline = time.monotonic() + 60
        while query(
            database,
            "SELECT COUNT(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id"
            " WHERE n.user_id = %s AND d.state = 'sent'",
            user_id,
        ) != [(2 * count,)]:
            assert time.monotonic() < deadline, "the workers did not send everything"
            time.sleep(0.2)
        time.sleep(0.6)  # a round after the last send sets the lag
        pages = [scrape(port, "/metrics") for port in METRICS_PORTS]
        assert all(status == 200 for status, _ in pages)
        for channel in ("email", "push"):
            name = f'tms_notifications_sent_total{{channel="{channel}"}}'
            assert sum(sample(text, name) for _, text in pages) == count
            assert (
                sum(
                    sample(text, f'tms_notifications_failed_total{{channel="{channel}"}}')
                    for _, text in pages
                )
                == 0
            )
        assert all(sample(text, "tms_notification_lag_seconds") == 0 for _, text in pages)
        assert scrape(METRICS_PORTS[0], "/nothing")[0] == 404
        assert len(mails_to(env, "bob@example.com")) == count
    finally:
        for process in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=20) for process in workers]
    assert [process.returncode for process in workers] == [0, 0], outputs
    for out, _ in outputs:
        messages = [json.loads(line)["message"] for line in out.splitlines() if line.startswith("{")]
        assert messages[0] == "notification worker started" and messages[-1] == "notification worker stopped"
        assert env["TMS_VAPID_PRIVATE_KEY"] not in out
