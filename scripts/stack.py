"""The cluster's topology on one machine: `make stack` / `make stack-stop`.

MariaDB and Redis (reused when running, started when not), migrations, the auth
service (gunicorn :8001, TMS_SERVICE=auth) and the task service (gunicorn :8002,
TMS_SERVICE=tasks) with production settings, JSON logs and multiprocess metrics,
one notifications worker (manage.py deliver_notifications, /metrics and /healthz
on :9100; its mails are printed into its log), and nginx as the ingress on :8080
with TMS's ingress routes, serving the built web app at / and setting
X-Forwarded-For (the services trust one hop).
State lives in .stack/ (keys, logs, pids); the database is `tms_stack`.

The parts (prepare, migrate, start_instance, write_ingress, reload_ingress) also
serve `make upgrade-test` (bench/upgrade.py), which runs several instances of
each service, from two checkouts, behind the same ingress.
"""
# ruff: noqa: S603, S607 - this script starts the machine's own services by name

import argparse
import grp
import json
import os
import pwd
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.server import http  # noqa: E402
from tms_project.jwt_keys import write_key_pair  # noqa: E402

PYTHON = sys.executable
NGINX_TEMPLATE = """{user}worker_processes 2;
pid {state}/nginx.pid;
error_log {state}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  # A calendar feed's path is its credential: logged as TMS logs it (tms_project/redaction.py).
  map $request_uri $tms_logged_uri {{
    ~^(?<feed>/api/tasks/calendar/)[^?]* "${{feed}}[redacted]";
    default $request_uri;
  }}
  log_format tms '$remote_addr - $remote_user [$time_local] '
                 '"$request_method $tms_logged_uri $server_protocol" '
                 '$status $body_bytes_sent "$http_referer" "$http_user_agent"';
  access_log {state}/logs/nginx-access.log tms;
  client_body_temp_path {state}/nginx/body; proxy_temp_path {state}/nginx/proxy;
  fastcgi_temp_path {state}/nginx/fcgi; uwsgi_temp_path {state}/nginx/uwsgi;
  scgi_temp_path {state}/nginx/scgi;
  client_max_body_size 10m;
  upstream auth {{ {auth_servers}keepalive 32; }}
  upstream tasks {{ {tasks_servers}keepalive 32; }}
  server {{
    listen 127.0.0.1:{ingress_port};
    # Like ingress-nginx: the client address replaces whatever the client sent.
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Request-ID $request_id;
    proxy_set_header Host $host;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location /api/auth {{ proxy_pass http://auth; }}
    location /admin {{ proxy_pass http://auth; }}
    location /static {{ proxy_pass http://auth; }}
    location /api/tasks {{ proxy_pass http://tasks; }}
{extra_routes}    location /assets/ {{
      root {dist}; add_header Cache-Control "public, max-age=31536000, immutable";
    }}
    location / {{ root {dist}; try_files $uri /index.html; add_header Cache-Control "no-cache"; }}
  }}
}}
"""


def settings() -> dict[str, str]:
    return {
        "state": os.environ.get("TMS_STACK_DIR", str(ROOT / ".stack")),
        "database": os.environ.get("TMS_STACK_DATABASE", "tms_stack"),
        "mysql": os.environ.get("TMS_STACK_MYSQL", "mysql://root@127.0.0.1:3306"),
        "redis": os.environ.get("TMS_STACK_REDIS", "redis://127.0.0.1:6379/3"),
        "ingress_port": os.environ.get("TMS_STACK_INGRESS_PORT", "8080"),
        "auth_port": os.environ.get("TMS_STACK_AUTH_PORT", "8001"),
        "tasks_port": os.environ.get("TMS_STACK_TASKS_PORT", "8002"),
        "worker_port": os.environ.get("TMS_STACK_WORKER_PORT", "9100"),
        # Two workers stand for two pods; each has the pods' four threads (k8s/base/common/config.yaml).
        "workers": os.environ.get("TMS_STACK_WORKERS", "2"),
        "threads": os.environ.get("TMS_STACK_THREADS", "4"),
        "ready_seconds": os.environ.get("TMS_STACK_READY_SECONDS", "60"),
    }


def run(command: list[str], **kwargs: Any) -> str:
    """Run a command to its end; its output, or exit with it when the command failed."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        sys.exit(f"stack: {' '.join(command[:3])} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def ensure_services(conf: dict[str, str]) -> None:
    import MySQLdb
    import redis

    mysql = urllib.parse.urlparse(conf["mysql"])
    try:
        MySQLdb.connect(
            host=mysql.hostname,
            port=mysql.port or 3306,
            user=mysql.username or "root",
            password=mysql.password or "",
            connect_timeout=2,
        ).close()
    except MySQLdb.Error:
        print("stack: starting MariaDB")
        run(["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"])
        time.sleep(5)
    try:
        redis.Redis.from_url(conf["redis"], socket_connect_timeout=2).ping()
    except redis.RedisError:
        print("stack: starting Redis")
        run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
        )
    connection = MySQLdb.connect(
        host=mysql.hostname,
        port=mysql.port or 3306,
        user=mysql.username or "root",
        password=mysql.password or "",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE DATABASE IF NOT EXISTS `{conf['database']}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    connection.close()


def service_env(
    conf: dict[str, str],
    role: str,
    state: Path,
    extra: dict | None = None,
    name: str | None = None,
    port: str | None = None,
) -> dict[str, str]:
    """The environment of one instance of `role`: `name` (default: the role) names its metrics
    directory and drain flag, `port` (default: the role's port in `conf`) is where it listens."""
    name = name or role
    port = port or conf["auth_port" if role == "auth" else "tasks_port"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMS_", "DATABASE_URL", "REDIS_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the services load the real settings
    env.update(
        TMS_ENV="production",
        TMS_SERVICE=role,
        TMS_SECRET_KEY=(state / "secret-key").read_text().strip(),
        TMS_ALLOWED_HOSTS="localhost,127.0.0.1",
        TMS_SECURE_SSL_REDIRECT="false",  # plain HTTP on this machine
        TMS_SECURE_COOKIES="false",
        TMS_REFRESH_COOKIE_SECURE="false",
        TMS_HSTS_SECONDS="0",
        TMS_TRUSTED_PROXIES="1",
        # Links TMS hands out (reset mails, calendar feeds) point at the ingress.
        TMS_PUBLIC_URL=f"http://127.0.0.1:{conf['ingress_port']}",
        TMS_ALLOW_CONSOLE_EMAIL="true",  # no mail server here: reset mails are printed into the auth log
        DATABASE_URL=f"{conf['mysql']}/{conf['database']}",
        PROMETHEUS_MULTIPROC_DIR=str(state / f"metrics-{name}"),
        GUNICORN_WORKERS=conf["workers"],
        GUNICORN_THREADS=conf["threads"],
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKER_TMP_DIR=str(state),
        # What the pod's preStop hook creates in its /tmp (k8s/base/*/deployment.yaml).
        TMS_DRAIN_FILE=str(state / f"{name}.draining"),
    )
    env.update(REDIS_URL=conf["redis"])  # both roles count rate limits in the shared cache
    if role == "auth":
        env.update(TMS_JWT_PRIVATE_KEY_FILE=str(state / "keys" / "jwt-private.pem"))
    else:
        env.update(TMS_JWT_PUBLIC_KEY_FILE=str(state / "keys" / "jwt-public.pem"))
    env.update((extra or {}).get(role, {}))
    return env


def nginx_user(dist: Path) -> str:
    """The `user` line for nginx: its workers run as the owner of the web app's files.

    Started as root, nginx hands its workers to `nobody`, who cannot enter a private
    checkout (a 0700 home folder such as /root): every page would be a 500. The owner
    of the checkout can read it; when that is root, the workers stay root, which a
    stack bound to 127.0.0.1 on a developer's machine can afford (docs/decisions.md).
    """
    if os.geteuid() != 0:
        return ""  # nginx cannot switch users; its workers run as whoever started it
    owner = dist.stat()
    return f"user {pwd.getpwuid(owner.st_uid).pw_name} {grp.getgrgid(owner.st_gid).gr_name};\n"


_EXPLAINS = re.compile(r"error|denied|refused|cannot|failed|exception|emerg|crit", re.IGNORECASE)


def _readable(line: str) -> str:
    """A JSON log line as its message and the last line of its traceback; other lines as they are."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    if not isinstance(entry, dict):
        return line
    cause = str(entry.get("exc_info", "")).strip().splitlines()[-1:]
    return ": ".join([str(entry.get("message", "")), *cause])


def explaining_lines(path: Path, count: int = 8, width: int = 300) -> str:
    """The last lines of a log that say what went wrong (else its last lines), each cut to `width`."""
    try:
        lines = [_readable(line) for line in path.read_text(errors="replace").splitlines()[-200:]]
    except OSError:
        return f"  ({path} could not be read)"
    # One line per kind of message: numbers (times, pids, connections) do not make a new one.
    kinds = {re.sub(r"\d+", "", line): line for line in lines if _EXPLAINS.search(line)}
    chosen = list(kinds.values()) or lines
    return "\n".join(f"  {line[:width]}" for line in chosen[-count:]) or f"  ({path} is empty)"


_children: dict[str, subprocess.Popen] = {}  # the services this process started


def exited(state: Path) -> list[str]:
    """The started processes of this stack that are no longer running."""
    gone = [name for name, process in _children.items() if process.poll() is not None]
    try:
        os.kill(int((state / "nginx.pid").read_text()), 0)  # nginx runs on as a daemon
    except (OSError, ValueError):
        gone.append("nginx")
    return gone


def wait_ready(url: str, state: Path, logs: list[str]) -> None:
    """Wait for `url` to answer 200; otherwise stop and say why, with the logs that explain it."""
    timeout = float(settings()["ready_seconds"])
    deadline = time.monotonic() + timeout
    seen = "no answer"
    reason = f"did not become ready in {timeout:.0f}s"
    while time.monotonic() < deadline:
        try:
            status, _, body = http("GET", url, headers={"Host": "localhost"})
            if status == 200:
                return
            seen = f"HTTP {status}: {' '.join(body[:300].decode(errors='replace').split())}"
        except OSError as error:
            seen = f"no answer ({error})"
        gone = exited(state)
        if gone:
            reason = f"stopped waiting: {', '.join(gone)} exited"
            break
        time.sleep(0.3)
    explanation = "\n".join(
        f"{state / 'logs' / name} (last lines):\n{explaining_lines(state / 'logs' / name)}" for name in logs
    )
    sys.exit(f"stack: {url} {reason}; last seen: {seen}\n{explanation}\n(logs in {state / 'logs'})")


def port_free(port: str) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", int(port)))
        except OSError:
            return False
    return True


def prepare(conf: dict[str, str], ports: list[str]) -> tuple[Path, Path]:
    """State folders, MariaDB and Redis, keys and secret: what every instance needs; (state, web app)."""
    state = Path(conf["state"])
    for sub in ("logs", "nginx", "keys"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    if (state / "auth.pid").exists():
        sys.exit("stack: already running (make stack-stop first)")
    dist = ROOT / "frontend" / "dist"
    if not (dist / "index.html").exists():
        sys.exit("stack: the web app is not built (make frontend)")
    busy = [p for p in ports if not port_free(p)]
    if busy:
        sys.exit(f"stack: port(s) {', '.join(busy)} already in use (TMS_STACK_*_PORT choose others)")
    ensure_services(conf)
    if not (state / "keys" / "jwt-private.pem").exists():
        write_key_pair(state / "keys")
    if not (state / "secret-key").exists():
        (state / "secret-key").write_text(secrets.token_urlsafe(50))
    if not (state / "keys" / "vapid.json").exists():
        from tasks.management.commands.generate_vapid_keys import new_key_pair

        public, private = new_key_pair()
        (state / "keys" / "vapid.json").write_text(json.dumps({"public": public, "private": private}))
        (state / "keys" / "vapid.json").chmod(0o600)
    return state, dist


def vapid_env(state: Path, role: str) -> dict[str, str]:
    """Web Push keys as in the cluster (the Secret vapid-keys): the worker signs with the private
    key, the task service gets only the public one."""
    keys = json.loads((state / "keys" / "vapid.json").read_text())
    if role == "worker":
        return {"TMS_VAPID_PUBLIC_KEY": keys["public"], "TMS_VAPID_PRIVATE_KEY": keys["private"]}
    return {"TMS_VAPID_PUBLIC_KEY": keys["public"]}


def migrate(conf: dict[str, str], state: Path, checkout: Path = ROOT, python: str = PYTHON) -> list[str]:
    """`manage.py migrate` with `checkout`'s code (another checkout: its own migrations); those applied."""
    env = service_env(conf, "auth", state)
    output = run([python, "manage.py", "migrate", "--noinput"], cwd=checkout, env=env)
    return re.findall(r"Applying (\S+)\.\.\. OK", output)


def start(extra: dict | None = None, extra_routes: str = "") -> None:
    """Start the stack; `extra` adds environment per role, `extra_routes` nginx locations (bench)."""
    conf = settings()
    ports = [conf["ingress_port"], conf["auth_port"], conf["tasks_port"], conf["worker_port"]]
    state, dist = prepare(conf, ports)
    migrate(conf, state)
    try:
        launch(conf, state, dist, extra, extra_routes)
    except BaseException:
        stop()  # never leave half a stack running
        raise


def start_instance(
    conf: dict[str, str],
    role: str,
    name: str,
    port: str,
    extra: dict | None = None,
    checkout: Path = ROOT,
    python: str = PYTHON,
) -> subprocess.Popen:
    """One gunicorn server of `role` on `port` with `checkout`'s code; log and pid file named `name`."""
    state = Path(conf["state"])
    with open(state / "logs" / f"{name}.log", "a") as log:  # the child keeps its own copy
        process = subprocess.Popen(
            [python, "-m", "gunicorn", "-c", "tms_project/gunicorn_conf.py", "tms_project.wsgi"],
            cwd=checkout,
            env=service_env(conf, role, state, extra, name=name, port=port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (state / f"{name}.pid").write_text(str(process.pid))
    _children[name] = process
    return process


def start_worker(conf: dict[str, str], extra: dict | None = None, name: str = "notifications") -> None:
    """One notifications worker with the task service's settings (k8s/base/notifications-worker/),
    its metrics and health check on the worker port; log and pid file named `name`."""
    state = Path(conf["state"])
    env = service_env(conf, "tasks", state, name=name)
    env.update(vapid_env(state, "worker"), TMS_WORKER_METRICS_PORT=conf["worker_port"])
    env.update((extra or {}).get("worker", {}))
    with open(state / "logs" / f"{name}.log", "a") as log:
        process = subprocess.Popen(
            [PYTHON, "manage.py", "deliver_notifications", "--interval", "5"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (state / f"{name}.pid").write_text(str(process.pid))
    _children[name] = process


def write_ingress(
    conf: dict[str, str],
    dist: Path,
    upstreams: dict[str, list[str]],
    extra_routes: str = "",
    server_options: str = "",
) -> None:
    """nginx.conf, each role's upstream listing the ports `upstreams` gives (none: its requests get 502);
    `server_options` go on every server line (e.g. max_fails=0)."""
    state = Path(conf["state"])
    options = f" {server_options}" if server_options else ""
    servers = {
        # nginx needs a server in every upstream; one marked down answers 502, as a Service without
        # ready endpoints does
        f"{role}_servers": "".join(f"server 127.0.0.1:{port}{options}; " for port in ports)
        or "server 127.0.0.1:9 down; "
        for role, ports in upstreams.items()
    }
    (state / "nginx.conf").write_text(
        NGINX_TEMPLATE.format(
            user=nginx_user(dist),
            state=state,
            dist=dist,
            extra_routes=extra_routes,
            ingress_port=conf["ingress_port"],
            **servers,
        )
    )


def start_ingress(conf: dict[str, str]) -> None:
    run(["nginx", "-c", str(Path(conf["state"]) / "nginx.conf")])


def reload_ingress(conf: dict[str, str]) -> None:
    """nginx re-reads nginx.conf: new workers take new connections, old ones finish theirs and exit."""
    run(["nginx", "-c", str(Path(conf["state"]) / "nginx.conf"), "-s", "reload"])


def launch(conf: dict[str, str], state: Path, dist: Path, extra: dict | None, extra_routes: str) -> None:
    tasks_extra = {**(extra or {}), "tasks": {**vapid_env(state, "tasks"), **(extra or {}).get("tasks", {})}}
    for role in ("auth", "tasks"):
        start_instance(conf, role, role, conf["auth_port" if role == "auth" else "tasks_port"], tasks_extra)
    start_worker(conf, extra)
    write_ingress(conf, dist, {"auth": [conf["auth_port"]], "tasks": [conf["tasks_port"]]}, extra_routes)
    start_ingress(conf)
    wait_ready(f"http://127.0.0.1:{conf['auth_port']}/readyz", state, ["auth.log"])
    wait_ready(f"http://127.0.0.1:{conf['tasks_port']}/readyz", state, ["tasks.log"])
    wait_ready(f"http://127.0.0.1:{conf['worker_port']}/healthz", state, ["notifications.log"])
    wait_ready(f"http://127.0.0.1:{conf['ingress_port']}/", state, ["nginx-error.log"])
    print(
        f"stack: TMS is up on http://127.0.0.1:{conf['ingress_port']}/ "
        f"(auth :{conf['auth_port']}, tasks :{conf['tasks_port']}, "
        f"notifications worker :{conf['worker_port']}, logs in {state}/logs)"
    )


def stop() -> None:
    state = Path(settings()["state"])
    nginx_pid = state / "nginx.pid"
    if nginx_pid.exists():
        subprocess.run(
            ["nginx", "-c", str(state / "nginx.conf"), "-s", "quit"], check=False, capture_output=True
        )
    # The two services, then the notifications worker and any further instance (bench/upgrade.py)
    # that left its pid file.
    names = ["auth", "tasks"]
    names += sorted(path.stem for path in state.glob("*.pid") if path.stem not in (*names, "nginx"))
    for name in names:
        pid_file = state / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
            if name in _children:  # started by this process: reap it
                _children.pop(name).wait(timeout=10)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        pid_file.unlink()
    print("stack: stopped")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    actions: dict[str, Callable[[], None]] = {"start": start, "stop": stop}
    actions[parser.parse_args().action]()
