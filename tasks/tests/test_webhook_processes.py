"""A notification worker killed in the middle of sending a webhook loses no event: on a MariaDB
database of this module's own, a worker process (manage.py deliver_notifications) posts the event
to a receiver that holds the request; the worker is killed (SIGKILL), its transaction rolls back,
and a second worker sends the same message (the same webhook-id: delivery is at least once, and
receivers drop duplicates by that id) until the delivery ends succeeded."""

import json
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook as StandardWebhook

from tests.support.scratch_database import query, scratch_database, url
from tests.support.server import ROOT, base_env, free_port, manage

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def database():
    with scratch_database("tms_hooks_workers") as name:
        yield name


class HoldingReceiver:
    """Holds the first request (answers nothing until released); answers 200 to every later one."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if len(receiver.requests) == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the worker that sent it is gone
                    pass

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = HoldingReceiver()
    yield made
    made.close()


@pytest.fixture(scope="module")
def env(database):
    env = base_env(
        DATABASE_URL=url(database),
        TMS_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TMS_WEBHOOK_ALLOW_PRIVATE="true",  # the receiver is on 127.0.0.1, over http
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    migrated = manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    return env


SEED = """
import json, os
from accounts.models import User
from tasks.services.tasks import task_create
from tasks.webhooks.models import Webhook
from tasks.webhooks.signing import new_secret
user = User.objects.create_user(username="ada", email="ada@example.com")
hook = Webhook.objects.create(
    owner=user, url=os.environ["RECEIVER"], events=["task.created"], secret=new_secret()
)
task = task_create(user_id=user.pk, actor_id=user.pk, title="Survives a crash")
print(json.dumps({"secret": hook.secret, "task": task.pk}))
"""


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_notifications", "--interval", "0.2"],
        cwd=ROOT,
        env={**env, "TMS_WORKER_METRICS_PORT": str(free_port())},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_delivery_loses_no_event(env, database, receiver):
    # given: a task created through the service, its delivery in the outbox
    seeded = manage("shell", "-c", SEED, env={**env, "RECEIVER": receiver.url})
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    [(message_id, state)] = query(database, "SELECT message_id, state FROM webhook_deliveries")
    assert state == "pending"
    # when: the first worker is killed while the receiver holds its request
    first = worker(env)
    try:
        assert receiver.first_arrived.wait(60), "the first worker sent nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    # then: nothing of that attempt was committed
    assert query(database, "SELECT state, attempts FROM webhook_deliveries") == [("pending", 0)]
    assert query(database, "SELECT COUNT(*) FROM webhook_attempts") == [(0,)]
    # when: another worker runs
    second = worker(env)
    try:
        deadline = time.monotonic() + 60
        while query(database, "SELECT state FROM webhook_deliveries") != [("succeeded",)]:
            assert time.monotonic() < deadline, "the second worker did not deliver"
            assert second.poll() is None, second.communicate()
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        out, err = second.communicate(timeout=20)
    assert second.returncode == 0, err
    # then: the receiver got the event twice, as the same message, signed both times
    assert [headers["webhook-id"] for headers, _ in receiver.requests] == [message_id, message_id]
    for headers, body in receiver.requests:
        event = StandardWebhook(seed["secret"]).verify(body, headers)
        assert event["type"] == "task.created" and event["data"]["id"] == seed["task"]
    assert query(database, "SELECT attempts FROM webhook_deliveries") == [(1,)]
    assert query(database, "SELECT status_code FROM webhook_attempts") == [(200,)]
    assert seed["secret"] not in out + err
