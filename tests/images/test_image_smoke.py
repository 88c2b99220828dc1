"""The built images, run as their pods run them, answer a real user through the ingress routes.

`make images` builds tms-backend and tms-frontend; here the backend image's own entrypoint runs
twice (TMS_SERVICE=auth and tasks) and the frontend image's nginx once, each as uid 1000 with a
read-only root filesystem and only /tmp writable, with the settings of the cluster's ConfigMap,
against this machine's MariaDB and Redis. The schema comes from the image's migrate command (the
migration Job's). An nginx made from the cluster's Ingress object routes to them. What runs in the
cluster is what is tested here.
"""

import datetime
import json
import re
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from tests.support.base_manifests import base_deployment
from tests.support.containers import Container, built_image
from tests.support.server import api, free_port, http, register_and_login, wait_for
from tests.support.services import require
from tests.support.tools import ROOT, require_tool
from tms_project.jwt_keys import write_key_pair

pytestmark = pytest.mark.images

MARIADB = "mysql://root@127.0.0.1:3306"
REDIS = "redis://127.0.0.1:6379/12"
DATABASE = "tms_image_smoke"
FRONTEND_PORT = 8080  # the frontend image's nginx listens here (frontend/nginx/default.conf)
BUDGETS = {"tms-backend": 300 * 1000**2, "tms-frontend": 60 * 1000**2}  # bytes, unpacked


def cluster_settings() -> dict[str, str]:
    """The backend pods' ConfigMap (k8s/base/common/config.yaml)."""
    documents = yaml.safe_load_all((ROOT / "k8s" / "base" / "common" / "config.yaml").read_text())
    config = next(doc for doc in documents if doc and doc["kind"] == "ConfigMap")
    return dict(config["data"])


def machine_settings(database_url: str, secret_key: str) -> dict[str, str]:
    """What differs on this machine: its addresses, plain HTTP, no mail server."""
    return {
        "TMS_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "TMS_PUBLIC_URL": "http://localhost",
        "TMS_CSRF_TRUSTED_ORIGINS": "http://localhost",
        "TMS_SECURE_SSL_REDIRECT": "false",
        "TMS_SECURE_COOKIES": "false",
        "TMS_REFRESH_COOKIE_SECURE": "false",
        "TMS_HSTS_SECONDS": "0",
        "TMS_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "TMS_ALLOW_CONSOLE_EMAIL": "true",
        "REDIS_URL": REDIS,
        "DATABASE_URL": database_url,
        "TMS_SECRET_KEY": secret_key,
    }


def pod_container(deployment: str) -> dict:
    """The first container of a Deployment in k8s/base, rendered (its env, lifecycle, probes)."""
    return dict(base_deployment(deployment)["spec"]["template"]["spec"]["containers"][0])


def pod_env(deployment: str) -> dict[str, str]:
    """The literal `env` values the Deployment gives its container (the ConfigMap comes separately)."""
    return {
        item["name"]: item["value"] for item in pod_container(deployment).get("env", []) if "value" in item
    }


def ingress_conf(state: Path, upstreams: dict[str, str], port: int) -> str:
    """An nginx configuration with the routes and limits of the cluster's Ingress object."""
    ingress = yaml.safe_load((ROOT / "k8s" / "base" / "common" / "ingress.yaml").read_text())
    annotations = ingress["metadata"]["annotations"]
    locations = []
    for rule in ingress["spec"]["rules"]:
        for route in rule["http"]["paths"]:
            service = route["backend"]["service"]["name"]
            locations.append(f"    location {route['path']} {{ proxy_pass http://{upstreams[service]}; }}")
    return f"""worker_processes 1;
pid {state}/nginx.pid;
error_log {state}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log {state}/nginx-access.log;
  client_body_temp_path {state}/body; proxy_temp_path {state}/proxy;
  fastcgi_temp_path {state}/fcgi; uwsgi_temp_path {state}/uwsgi; scgi_temp_path {state}/scgi;
  client_max_body_size {annotations["nginx.ingress.kubernetes.io/proxy-body-size"]};
  proxy_read_timeout {annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]}s;
  server {{
    listen 127.0.0.1:{port};
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header Host $host;
{chr(10).join(locations)}
  }}
}}
"""


def prepare_database(server: str) -> None:
    import MySQLdb

    address = urlparse(server)
    connection = MySQLdb.connect(
        host=address.hostname, port=address.port or 3306, user=address.username or "root"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
        cursor.execute(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()


def wait_ready(url: str, container: Container, log: Path) -> None:
    def ready() -> bool:
        try:
            return http("GET", url, timeout=2)[0] == 200
        except OSError:
            return False

    if not wait_for(lambda: ready() or not container.running(), timeout=90) or not ready():
        pytest.fail(f"{url} did not become ready; the container's log:\n{log.read_text()[-3000:]}")


class Cluster:
    """The running containers and the ingress in front of them."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.containers: dict[str, Container] = {}
        self.ports: dict[str, int] = {}
        self.migrate: tuple[int, str] = (-1, "")
        self.ingress = ""

    def log(self, name: str) -> str:
        return (self.state / f"{name}.log").read_text()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    backend, frontend = built_image("tms-backend"), built_image("tms-frontend")
    nginx = require_tool("nginx", "Debian: apt-get install nginx")
    require(MARIADB, "MariaDB")
    require(REDIS, "Redis")
    if not _port_free(FRONTEND_PORT):
        pytest.fail(f"port {FRONTEND_PORT} is taken (make stack-stop?): the frontend image listens there")
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    prepare_database(MARIADB)
    state = tmp_path_factory.mktemp("images")
    keys = state / "jwt"
    write_key_pair(keys)
    keys.chmod(0o755)  # a mounted Secret: readable by the pod's uid 1000 (defaultMode 0440, fsGroup 1000)
    for key in keys.iterdir():
        key.chmod(0o644)
    cluster = Cluster(state)
    common = {**cluster_settings(), **machine_settings(f"{MARIADB}/{DATABASE}", secrets.token_urlsafe(50))}
    secret = {"/etc/tms/jwt": str(keys)}
    private = {"TMS_JWT_PRIVATE_KEY_FILE": "/etc/tms/jwt/jwt-private.pem"}
    # The migration Job's command, in the backend image.
    cluster.migrate = Container(
        backend,
        env={**common, **private, "TMS_SERVICE": "auth"},
        command=["python", "manage.py", "migrate", "--noinput"],
        binds=secret,
    ).run(timeout=300)
    cluster.ports = {"auth": free_port(), "tasks": free_port(), "ingress": free_port()}
    roles = {
        "auth": {**pod_env("auth"), **private},
        "tasks": pod_env("task"),  # only the public key, from the ConfigMap
    }
    try:
        for role, extra in roles.items():
            env = {**common, **extra, "GUNICORN_BIND": f"127.0.0.1:{cluster.ports[role]}"}
            cluster.containers[role] = Container(
                backend, env=env, binds=secret, log=state / f"{role}.log"
            ).start()
        # The notifications worker: the backend image with its Deployment's command and env.
        worker = pod_container("notifications-worker")
        cluster.ports["worker"] = free_port()
        cluster.containers["worker"] = Container(
            backend,
            env={
                **common,
                **pod_env("notifications-worker"),
                "TMS_WORKER_METRICS_PORT": str(cluster.ports["worker"]),
            },
            command=[*worker["command"][:-1], "1"],  # rounds every second instead of every 5
            binds=secret,
            log=state / "worker.log",
        ).start()
        cluster.containers["frontend"] = Container(frontend, log=state / "frontend.log").start()
        for role in ("auth", "tasks"):
            wait_ready(
                f"http://127.0.0.1:{cluster.ports[role]}/readyz",
                cluster.containers[role],
                state / f"{role}.log",
            )
        wait_ready(
            f"http://127.0.0.1:{cluster.ports['worker']}/healthz",
            cluster.containers["worker"],
            state / "worker.log",
        )
        wait_ready(
            f"http://127.0.0.1:{FRONTEND_PORT}/healthz",
            cluster.containers["frontend"],
            state / "frontend.log",
        )
        upstreams = {
            "auth-service": f"127.0.0.1:{cluster.ports['auth']}",
            "task-service": f"127.0.0.1:{cluster.ports['tasks']}",
            "frontend-service": f"127.0.0.1:{FRONTEND_PORT}",
        }
        for folder in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
            (state / folder).mkdir()
        (state / "ingress.conf").write_text(ingress_conf(state, upstreams, cluster.ports["ingress"]))
        subprocess.run([nginx, "-c", str(state / "ingress.conf")], check=True, capture_output=True)
        cluster.ingress = f"http://127.0.0.1:{cluster.ports['ingress']}"
        yield cluster
    finally:
        subprocess.run(
            [nginx, "-c", str(state / "ingress.conf"), "-s", "quit"], check=False, capture_output=True
        )
        for container in cluster.containers.values():
            container.stop()


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def unpacked_bytes(image: str) -> int:
    container = subprocess.run(
        ["buildah", "from", "--quiet", "--pull-never", image], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        root = subprocess.run(["buildah", "mount", container], capture_output=True, text=True, check=True)
        du = subprocess.run(
            ["du", "-sb", "--one-file-system", root.stdout.strip()],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(du.stdout.split()[0])
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_each_image_stays_within_its_size_budget(name):
    size = unpacked_bytes(built_image(name))
    assert size <= BUDGETS[name], (
        f"{name} is {size / 1000**2:.1f} MB unpacked, over {BUDGETS[name] / 1000**2:.0f} MB"
    )


def test_the_runtime_image_has_no_compiler_or_headers():
    code = (
        "import shutil, sysconfig, pathlib, sys; "
        "found = [t for t in ('gcc', 'cc', 'make', 'pkg-config', 'pip') if shutil.which(t)]; "
        "found += [p for p in ('/usr/include/mariadb', '/usr/include/mysql') if pathlib.Path(p).exists()]; "
        "print(found)"
    )
    status, output = Container(built_image("tms-backend"), command=["python", "-c", code]).run(timeout=60)
    assert (status, output.strip()) == (0, "[]")


def test_the_backend_runs_as_uid_1000_and_writes_only_tmp():
    code = (
        "import os; print(os.getuid(), os.getgid()); open('/tmp/ok', 'w').write('x'); "
        "[print(p, end=' ') for p in ('/app', '/opt/tms', '/etc') if not os.access(p, os.W_OK)]; "
        "open('/app/x', 'w')"
    )
    status, output = Container(built_image("tms-backend"), command=["python", "-c", code]).run(timeout=60)
    assert status == 1
    assert output.startswith("1000 1000\n/app /opt/tms /etc ")
    assert "Read-only file system: '/app/x'" in output


def test_the_backend_image_runs_the_backups_off_site_step():
    """The mysql-backup CronJob's offsite container: its command, with the copy turned off."""
    cronjob = yaml.safe_load((ROOT / "k8s/base/backup/cronjob.yaml").read_text())
    [offsite] = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    command = [*offsite["command"][:-1], "/tmp"]  # pyrage imports; nothing is uploaded
    status, output = Container(
        built_image("tms-backend"), command=command, env={"TMS_BACKUP_OFFSITE": "off"}
    ).run(timeout=60)
    assert (status, output.strip()) == (
        0,
        "offsite: TMS_BACKUP_OFFSITE=off: no off-site copy; the dumps stay on this cluster's volume only",
    )


def test_the_images_migrate_command_applies_every_migration(cluster):
    status, output = cluster.migrate
    assert status == 0, output
    import MySQLdb

    connection = MySQLdb.connect(host="127.0.0.1", user="root", database=DATABASE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations WHERE app IN ('accounts', 'tasks')")
        applied = set(cursor.fetchall())
    connection.close()
    on_disk = {
        (app, path.stem)
        for app in ("accounts", "tasks")
        for path in (ROOT / app / "migrations").glob("0*.py")
    }
    assert on_disk and on_disk <= applied


def test_a_user_signs_up_signs_in_and_keeps_a_task_through_the_ingress(cluster):
    tokens = register_and_login(cluster.ingress, "smoke", "a long enough passphrase")
    status, _, created = api(
        "POST", f"{cluster.ingress}/api/tasks/", {"title": "shipped in an image"}, token=tokens["access"]
    )
    assert status == 201, created
    status, _, page = api("GET", f"{cluster.ingress}/api/tasks/", token=tokens["access"])
    assert status == 200
    assert [(task["id"], task["title"]) for task in page["results"]] == [
        (created["id"], "shipped in an image")
    ]
    # the tasks container verified the auth container's token; each answered its own route only
    assert '"path": "/api/tasks/"' in cluster.log("tasks") and '"path": "/api/tasks/"' not in cluster.log(
        "auth"
    )


def app_page(body: bytes) -> bytes:
    """A page of the web app without its per-response style nonce, to compare two of them."""
    return re.sub(rb'name="csp-nonce" content="[^"]*"', b'name="csp-nonce"', body)


def test_the_worker_image_reminds_a_user_and_reports_it_in_its_metrics(cluster):
    tokens = register_and_login(cluster.ingress, "reminded", "a long enough passphrase")
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)
    tomorrow = (soon + datetime.timedelta(days=1)).date().isoformat()
    task = {"title": "Renew the parking permit", "due_date": tomorrow, "due_time": "12:00"}
    status, _, created = api(
        "POST",
        f"{cluster.ingress}/api/tasks/",
        {**task, "reminders": [{"at": soon.isoformat()}]},
        token=tokens["access"],
    )
    assert status == 201, created

    def reminded() -> list[dict]:
        time.sleep(0.5)  # a person's look at the bell, not a flood
        _, _, page = api("GET", f"{cluster.ingress}/api/tasks/notifications/", token=tokens["access"])
        return [item for item in page["results"] if item["kind"] == "reminder"]

    assert wait_for(lambda: bool(reminded()), timeout=60), cluster.log("worker")[-3000:]
    assert reminded()[0]["task"] == created["id"]
    assert wait_for(lambda: "Reminder: Renew the parking permit" in cluster.log("worker"), timeout=30)
    status, _, body = http("GET", f"http://127.0.0.1:{cluster.ports['worker']}/metrics", timeout=5)
    assert status == 200
    sent = re.search(r'^tms_notifications_sent_total\{channel="email"\} (\S+)$', body.decode(), re.M)
    assert sent and float(sent.group(1)) >= 1, body.decode()[-2000:]


def test_the_web_app_and_its_hashed_assets_are_served_with_the_security_headers(cluster):
    status, headers, body = http("GET", f"{cluster.ingress}/")
    assert status == 200 and b'<div id="root">' in body
    assert headers["Cache-Control"] == "no-cache"
    policy = headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    )
    # the image's nginx gives each page a fresh style nonce, the same in its policy and its meta tag
    nonce = re.search(rb'name="csp-nonce" content="([0-9a-f]{32})"', body)
    assert nonce, body[:500]
    assert f"style-src 'self' 'nonce-{nonce.group(1).decode()}';" in policy
    assert nonce.group(1) not in http("GET", f"{cluster.ingress}/")[2]
    assert (headers["X-Content-Type-Options"], headers["X-Frame-Options"]) == ("nosniff", "DENY")
    assets = re.findall(rb'(?:src|href)="(/assets/[^"]+-[A-Za-z0-9_-]{8}\.(?:js|css))"', body)
    assert assets, body[:500]
    for asset in assets:
        status, headers, _ = http("GET", f"{cluster.ingress}{asset.decode()}")
        assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # a page of the app that is not a file is the app
    assert app_page(http("GET", f"{cluster.ingress}/tasks/board")[2]) == app_page(body)


def test_the_admin_static_files_come_from_the_auth_image(cluster):
    status, headers, body = http("GET", f"{cluster.ingress}/static/admin/css/base.css")
    assert status == 200 and b"body" in body and headers["Content-Type"].startswith("text/css")


@pytest.mark.parametrize("role", ["auth", "tasks"])
def test_prometheus_scrapes_each_backend_but_not_through_the_ingress(cluster, role):
    http("GET", f"http://127.0.0.1:{cluster.ports[role]}/healthz")
    status, _, body = http("GET", f"http://127.0.0.1:{cluster.ports[role]}/metrics")
    assert status == 200 and b"django_http_requests_total_by_method_total" in body
    assert app_page(http("GET", f"{cluster.ingress}/metrics")[2]) == app_page(
        http("GET", f"{cluster.ingress}/")[2]
    )  # the app's page


def test_the_prestop_hook_turns_readiness_off_while_requests_still_succeed(cluster):
    tasks, ready = cluster.containers["tasks"], f"http://127.0.0.1:{cluster.ports['tasks']}/readyz"
    assert http("GET", ready)[0] == 200
    # the kubelet runs the Deployment's preStop command in the container before its SIGTERM
    hook = pod_container("task")["lifecycle"]["preStop"]["exec"]["command"]
    env = {**pod_env("task"), "PATH": "/opt/tms/bin:/usr/local/bin:/usr/bin:/bin"}
    running_hook = tasks.exec(hook, env)
    try:
        assert wait_for(lambda: http("GET", ready)[0] == 503, timeout=10), "readiness stayed 200"
        assert json.loads(http("GET", ready)[2]) == {"status": "draining"}
        # still serving what the endpoints send it until they drop it
        assert http("GET", f"http://127.0.0.1:{cluster.ports['tasks']}/healthz")[0] == 200
        assert running_hook.poll() is None, running_hook.stdout.read() if running_hook.stdout else ""
    finally:
        running_hook.kill()
        running_hook.wait()


def test_sigterm_stops_every_container_cleanly(cluster):
    for name, container in cluster.containers.items():
        assert container.stop(signal.SIGTERM) == 0, f"{name}:\n{cluster.log(name)[-2000:]}"
    errors = [
        line
        for name in ("auth", "tasks", "worker")
        for line in cluster.log(name).splitlines()
        if line.startswith("{") and json.loads(line).get("level") in ("ERROR", "CRITICAL")
    ]
    assert errors == []
