"""How fast `manage.py deliver_notifications` turns due reminders into sent e-mails, with one and with
two workers on one MariaDB database, and that each reminder is sent exactly once.

Usage: .venv/bin/python bench/reminders.py [--count 2000] [--mysql mysql://root@127.0.0.1:3306]

It makes a database of its own (`tms_bench_reminders`, dropped at the end), seeds COUNT due reminders
for each run, starts the workers at once with `--once --limit COUNT`, and counts what they wrote. Mail
goes to Django's dummy backend: the numbers are the worker's own cost (claiming, writing notifications
and deliveries, rendering the message), without a mail server's. Writes build/bench/reminders.md.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import MySQLdb  # noqa: E402

from tests.support.server import base_env, manage  # noqa: E402

DATABASE = "tms_bench_reminders"

SEED = """
import datetime, json, os
from django.utils import timezone
from accounts.models import User
from tasks.models import Task
from tasks.notifications.models import NotificationSettings, Reminder
spec = json.loads(os.environ["SEED"])
user = User.objects.create_user(username=spec["username"], email=spec["username"] + "@example.com")
NotificationSettings.objects.create(user=user, email_reminders=True, push_reminders=False)
now = timezone.now()
tasks = Task.objects.bulk_create(
    Task(
        owner=user, title=f"task {n}", due_date=(now + datetime.timedelta(minutes=30)).date(),
        due_time=(now + datetime.timedelta(minutes=30)).time().replace(microsecond=0),
        due_at=(now + datetime.timedelta(minutes=30)).replace(microsecond=0), position=(n + 1) * 1024,
    )
    for n in range(spec["count"])
)
Reminder.objects.bulk_create(
    Reminder(task=task, before_minutes=60, fire_at=task.due_at - datetime.timedelta(minutes=60))
    for task in tasks
)
"""

COUNT_SQL = """
SELECT
  (SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = %s),
  (SELECT COUNT(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
     JOIN users u ON u.id = n.user_id WHERE u.username = %s AND d.state = 'sent'),
  (SELECT COUNT(*) FROM (SELECT n.task_id FROM notifications n JOIN users u ON u.id = n.user_id
     WHERE u.username = %s GROUP BY n.task_id HAVING COUNT(*) > 1) twice)
"""


def connect(server: str, database: str | None = None) -> MySQLdb.Connection:
    address = urlparse(server)
    kwargs = {"db": database} if database else {}
    return MySQLdb.connect(
        host=address.hostname, port=address.port or 3306, user=address.username or "root",
        passwd=address.password or "", autocommit=True, **kwargs,
    )  # fmt: skip


def run(env: dict, username: str, count: int, workers: int) -> dict:
    seeded = manage(
        "shell", "-c", SEED, env={**env, "SEED": json.dumps({"username": username, "count": count})}
    )
    if seeded.returncode != 0:
        sys.exit(seeded.stderr)
    started = time.monotonic()
    processes = [
        subprocess.Popen(  # noqa: S603 - this interpreter and manage.py
            [sys.executable, "manage.py", "deliver_notifications", "--once", "--limit", str(count)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=1800)
        if process.returncode != 0:
            sys.exit(errors)
    seconds = time.monotonic() - started
    with connect(env["BENCH_MYSQL"], DATABASE).cursor() as cursor:
        cursor.execute(COUNT_SQL, [username] * 3)
        notified, sent, twice = cursor.fetchone()
    return {
        "workers": workers,
        "count": count,
        "seconds": seconds,
        "notified": notified,
        "sent": sent,
        "twice": twice,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="due reminders per run (default 2000)")
    parser.add_argument("--mysql", default="mysql://root@127.0.0.1:3306", help="the MariaDB/MySQL server")
    args = parser.parse_args()
    with connect(args.mysql).cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
    env = base_env(
        DATABASE_URL=f"{args.mysql}/{DATABASE}",
        TMS_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        BENCH_MYSQL=args.mysql,
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    try:
        migrated = manage("migrate", "--noinput", env=env, timeout=600)
        if migrated.returncode != 0:
            sys.exit(migrated.stderr)
        results = [run(env, f"bench{workers}", args.count, workers) for workers in (1, 2)]
    finally:
        with connect(args.mysql).cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    lines = [
        "| workers | due reminders | seconds | reminders/s | notifications | e-mails sent | sent twice |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        rate = r["count"] / r["seconds"]
        cells = [
            r["workers"],
            r["count"],
            f"{r['seconds']:.1f}",
            f"{rate:.0f}",
            r["notified"],
            r["sent"],
            r["twice"],
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    report = "\n".join(lines) + "\n"
    out = ROOT / "build" / "bench" / "reminders.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report, end="")
    if any(r["notified"] != r["count"] or r["sent"] != r["count"] or r["twice"] for r in results):
        sys.exit("bench: a reminder was lost or sent twice")


if __name__ == "__main__":
    main()
