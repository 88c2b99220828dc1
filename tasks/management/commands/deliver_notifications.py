"""The notification worker: fire due reminders and send pending deliveries (e-mail, Web Push and
webhooks), round after round.

Any number of these may run against one database (they claim rows with SKIP LOCKED). Each
serves Prometheus metrics and a health check on TMS_WORKER_METRICS_PORT (``/metrics``,
``/healthz``: 200 while rounds keep finishing) and stops after the round in progress on
SIGTERM or SIGINT.
"""

import logging
import signal
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from prometheus_client import REGISTRY, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from tasks.notifications.deliver import run_once
from tasks.notifications.retention import purge_old
from tms_project.env import env_bool

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger("tms.notifications")


CONSOLE_REFUSED = (
    "TMS_EMAIL_BACKEND is the console backend, which would write every notification mail (addresses,"
    " task titles) into the logs. Production needs a mail server (docs/operations.md, Mail);"
    " TMS_ALLOW_CONSOLE_EMAIL=true keeps the console backend where that is intended."
)


def console_mail_refused() -> bool:
    """In production the worker mails through a server, as the auth service must (tms_project.settings)."""
    console = settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    return settings.IS_PRODUCTION and console and not env_bool("TMS_ALLOW_CONSOLE_EMAIL", default=False)


PURGE_EVERY_SECONDS = 3600  # tasks.notifications.retention: what is past keeping goes once an hour


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Scrapes and probes every few seconds are not worth a log line each."""


class Health:
    """When the worker last made progress (a round finished, a delivery was handled); healthy while
    that is recent, so a long round of slow mail servers is not taken for a stall."""

    def __init__(self, interval: float) -> None:
        self.allowed = max(60.0, interval * 6)
        self.last_round = time.monotonic()

    def beat(self) -> None:
        self.last_round = time.monotonic()

    def ok(self) -> bool:
        return time.monotonic() - self.last_round <= self.allowed


def metrics_app(health: Health) -> "WSGIApplication":
    metrics = make_wsgi_app(REGISTRY)

    def app(environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            status = "200 OK" if health.ok() else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n" if health.ok() else b"stalled\n"]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found\n"]

    return app


class Command(BaseCommand):
    help = (
        "Fire due reminders and deliver notifications (e-mail, Web Push) and webhooks every --interval"
        " seconds; with --once, one round and exit. Serves /metrics and /healthz on TMS_WORKER_METRICS_PORT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one round and exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds (default 5)")
        parser.add_argument(
            "--limit", type=int, default=100, help="rows of each kind per round (default 100)"
        )

    def handle(self, *args: Any, once: bool, interval: float, limit: int, **options: Any) -> None:
        if interval <= 0 or limit <= 0:
            self.stderr.write("--interval and --limit must be more than 0")
            raise SystemExit(2)
        if console_mail_refused():
            self.stderr.write(CONSOLE_REFUSED)
            raise SystemExit(2)
        if once:
            fired, sent = run_once(limit)
            logger.info("notification round", extra={"reminders": fired, "deliveries": sent})
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        health = Health(interval)
        server = make_server(
            "0.0.0.0",  # noqa: S104 - Prometheus and the kubelet reach the pod's address
            settings.TMS_WORKER_METRICS_PORT,
            metrics_app(health),
            server_class=ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        threading.Thread(target=server.serve_forever, name="tms-worker-metrics", daemon=True).start()
        logger.info(
            "notification worker started",
            extra={"interval": interval, "metrics_port": settings.TMS_WORKER_METRICS_PORT},
        )
        try:
            self.rounds(stop, health, interval, limit)
        finally:
            server.shutdown()
            server.server_close()
            logger.info("notification worker stopped")

    def rounds(self, stop: threading.Event, health: Health, interval: float, limit: int) -> None:
        """Rounds until ``stop``; what is past keeping is purged once an hour."""
        next_purge = time.monotonic()
        while not stop.is_set():
            fired = sent = 0
            try:
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                    notes, deliveries = purge_old()
                    if notes or deliveries:
                        logger.info(
                            "old notifications purged",
                            extra={"notifications": notes, "deliveries": deliveries},
                        )
                fired, sent = run_once(limit, progress=health.beat)
                health.beat()
                if fired or sent:
                    logger.info("notification round", extra={"reminders": fired, "deliveries": sent})
            except Exception:  # a database hiccup must not end the worker; /healthz shows a stall
                logger.exception("notification round failed")
            finally:
                close_old_connections()
            # A full round may have left more due rows: go again at once.
            if not (fired >= limit or sent >= limit):
                stop.wait(interval)
