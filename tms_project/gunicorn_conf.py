"""gunicorn configuration: ``gunicorn -c tms_project/gunicorn_conf.py tms_project.wsgi``.

Every knob comes from the environment (README "Configuration").
Prometheus metrics run in multiprocess mode: each worker writes its samples to
PROMETHEUS_MULTIPROC_DIR, /metrics adds them up, the directory is emptied when
the server starts and a dead worker's live gauges are dropped when it exits.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tms_project import gunicorn_errors

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the proxy keeps idle upstream connections (nginx and ingress-nginx: 60 s), so the
# proxy never sends a request on a connection gunicorn is closing (a 502; docs/reliability.md).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# Worker heartbeat files: /tmp is the writable emptyDir of a read-only pod.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/tmp")  # noqa: S108
# Workers import the application themselves, after the fork, so each gets its
# own metrics files and database connections.
preload_app = False
# No runtime control socket: pods are managed by Kubernetes, the root filesystem
# is read-only, and several servers on one machine would fight over one path.
control_socket_disable = True

logger_class = "tms_project.gunicorn_logging.JsonLogger"
errorlog = "-"
# The application writes one JSON line per request with the user id
# (tms.request); gunicorn's access log is JSON too when switched on.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Errors gunicorn answers itself (request line or headers too large) are JSON like the rest.
gunicorn_errors.install()

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tms-metrics-")


def on_starting(server: Any) -> None:
    """Start every server with an empty metrics directory (old samples are stale) and not draining."""
    clear_drain_flag()
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if directory.exists():
        for entry in directory.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    directory.mkdir(parents=True, exist_ok=True)


def clear_drain_flag() -> None:
    """Remove the preStop hook's drain flag (TMS_DRAIN_FILE) that a stopped server left behind.

    The kubelet runs the preStop hook before it kills a container for failing its liveness
    probe too; the restarted container finds the pod's /tmp as it was, and the old flag would
    keep it unready for good.
    """
    path = os.environ.get("TMS_DRAIN_FILE")
    if path:
        Path(path).unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
