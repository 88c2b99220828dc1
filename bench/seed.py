"""Fast bulk seeding for the benchmark: `python -m bench.seed --users N --tasks-per-user M --first K`.

Adds users bench-K … bench-(K+N-1), each with M tasks (a realistic mix of
statuses, priorities, due dates and descriptions), three labels and one label
on a third of the tasks, by multi-row INSERTs in large batches. All bench
users share one password hash (computed once): the hash is the expensive part,
and the login benchmark checks it on every request anyway. Seeded tasks carry
no history rows.
"""

import argparse
import os
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

PASSWORD = "bench-passphrase-2026"  # noqa: S105 - a throwaway benchmark account
BATCH = 5_000
STATUSES = ["todo"] * 5 + ["in_progress"] * 2 + ["done"] * 3
WORDS = [
    "plan",
    "review",
    "call",
    "write",
    "fix",
    "book",
    "pay",
    "send",
    "check",
    "order",
    "clean",
    "draft",
    "renew",
    "update",
    "meet",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tms_project.settings")
    import django

    django.setup()


def insert(
    cursor: "CursorWrapper", table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    # table and column names are this module's constants
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    for start in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[start : start + BATCH])


def seed(users: int, tasks_per_user: int, first: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.usernames import username_key

    rng = random.Random(first)  # noqa: S311 - data, not secrets
    now = datetime.now(UTC).replace(tzinfo=None)
    today = datetime.now(UTC).date()
    password_hash = make_password(PASSWORD)
    names = [f"bench-{index:06d}" for index in range(first, first + users)]
    with connection.cursor() as cursor:  # autocommit: each batch commits, no giant undo log
        cursor.execute("SET SESSION unique_checks = 0, SESSION foreign_key_checks = 0")
        insert(
            cursor,
            "users",
            (
                "username",
                "email",
                "password",
                "is_superuser",
                "is_staff",
                "is_active",
                "date_joined",
                "display_name",
                "time_zone",
                "username_key",
            ),
            [
                (
                    name,
                    f"{name}@bench.invalid",
                    password_hash,
                    False,
                    False,
                    True,
                    now,
                    "",
                    "UTC",
                    username_key(name),
                )
                for name in names
            ],
        )
        cursor.execute("SELECT id FROM users WHERE username IN %s ORDER BY id", [names])
        owners = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM tasks")
        next_task = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM labels")
        next_label = cursor.fetchone()[0] + 1
        tasks, labels, task_labels = [], [], []
        for owner in owners:
            owner_labels = list(range(next_label, next_label + 3))
            labels += [
                (lid, owner, name, "#2563eb", now)
                for lid, name in zip(owner_labels, ("home", "work", "later"), strict=True)
            ]
            next_label += 3
            for index in range(tasks_per_user):
                status = rng.choice(STATUSES)
                created = now - timedelta(minutes=rng.randrange(1, 500_000))
                due = today + timedelta(days=rng.randrange(-60, 120)) if rng.random() < 0.6 else None
                description = " ".join(rng.choices(WORDS, k=rng.randrange(0, 40)))
                tasks.append(
                    (
                        next_task,
                        owner,
                        f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} #{index}",
                        description,
                        status,
                        rng.randrange(0, 5),
                        due,
                        created if status == "done" else None,
                        (1_700_000_000_000 + index * 1000) << 20,
                        1,
                        None,
                        created,
                        created,
                    )
                )
                if index % 3 == 0:
                    task_labels.append((next_task, rng.choice(owner_labels)))
                next_task += 1
            if len(tasks) >= 50_000:
                flush(cursor, tasks, labels, task_labels)
        flush(cursor, tasks, labels, task_labels)


def flush(
    cursor: "CursorWrapper",
    tasks: list[tuple[Any, ...]],
    labels: list[tuple[Any, ...]],
    task_labels: list[tuple[Any, ...]],
) -> None:
    insert(cursor, "labels", ("id", "owner_id", "name", "colour", "created_at"), labels)
    insert(
        cursor,
        "tasks",
        (
            "id",
            "owner_id",
            "title",
            "description",
            "status",
            "priority",
            "due_date",
            "completed_at",
            "position",
            "version",
            "trashed_at",
            "created_at",
            "updated_at",
        ),
        tasks,
    )
    insert(cursor, "tasks_labels", ("task_id", "label_id"), task_labels)
    for rows in (tasks, labels, task_labels):
        rows.clear()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--tasks-per-user", type=int, required=True)
    parser.add_argument("--first", type=int, default=0)
    arguments = parser.parse_args()
    setup_django()
    seed(arguments.users, arguments.tasks_per_user, arguments.first)
