"""Reminders and notifications from a thread of the serving process, for TMS in one process.

``make run`` serves every route from one process; this thread gives it what
``manage.py deliver_notifications`` gives the cluster, so a reminder set there arrives
without a second command. Rounds are the worker's (tasks.notifications.deliver), so
a thread and a worker on one database never send one row twice.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from tasks.notifications.deliver import run_once
from tasks.notifications.retention import purge_old

logger = logging.getLogger("tms.notifications")

_thread: threading.Thread | None = None
_stop = threading.Event()
PURGE_EVERY_ROUNDS = 720  # an hour at the default 5 seconds


def _rounds(stop: threading.Event, interval: float) -> None:
    rounds = 0
    while not stop.wait(interval):
        try:
            if rounds % PURGE_EVERY_ROUNDS == 0:
                purge_old()
            run_once()
        except Exception:  # a database hiccup must not end the thread
            logger.exception("notification round failed")
        finally:
            close_old_connections()
        rounds += 1


def notification_thread_start(interval: float | None = None) -> None:
    global _thread
    if _thread is not None or not settings.TMS_NOTIFICATION_THREAD:
        return
    seconds = interval if interval is not None else settings.TMS_NOTIFICATION_THREAD_SECONDS
    _thread = threading.Thread(target=_rounds, args=(_stop, seconds), name="tms-notifications", daemon=True)
    _thread.start()
