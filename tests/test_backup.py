"""`make backup` / `make restore` (scripts/backup.py): a TMS database full of real data survives a
dump, a dropped database and a restore, every row of every table; restore refuses a database that
is not empty; only the newest dumps are kept.

The round trip needs a MySQL/MariaDB server (TMS_TEST_DATABASE_URL's); it makes a scratch database
and a user with a password of its own, so it does not depend on the run's DATABASE_URL: it is
marked ``server`` (it starts gunicorn and the script's processes) and runs once, in the first half
of `make test`.
"""

import gzip
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.scratch_user import scratch_with_user
from tests.support.scratch_user import snapshot as scratch_snapshot
from tests.support.server import ROOT, GunicornServer, api, base_env, manage, register_and_login

SCRATCH = "tms_backup_test"
PASSPHRASE = "a long enough passphrase"


def load_script():
    spec = importlib.util.spec_from_file_location("tms_backup_script", ROOT / "scripts/backup.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


script = load_script()


def run_script(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TMS_", "DATABASE_URL", "MYSQL_PWD"))}
    return subprocess.run(
        [sys.executable, "scripts/backup.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# Reading the configuration and building commands: no server needed.


def test_the_database_comes_from_database_url_with_its_password_unquoted():
    database = script.database_from_environment(
        {"DATABASE_URL": "mysql://tms:p%40ss%2Fw%3Ard@db.example:3307/tms_prod"}
    )
    assert database == script.Database(
        name="tms_prod", host="db.example", port=3307, user="tms", password="p@ss/w:rd"
    )
    assert "p@ss" not in repr(database) and "p@ss" not in database.describe()


def test_the_database_comes_from_the_kubernetes_style_variables():
    environ = {
        "TMS_DB_HOST": "mysql-service",
        "TMS_DB_NAME": "tms",
        "TMS_DB_USER": "tms",
        "TMS_DB_PASSWORD": "x y'z",
    }
    database = script.database_from_environment(environ)
    assert (database.host, database.port, database.name, database.user) == (
        "mysql-service",
        3306,
        "tms",
        "tms",
    )
    assert database.password == "x y'z"


def test_without_configuration_it_is_make_stacks_database():
    assert script.database_from_environment({}) == script.Database(name="tms_stack", user="root")


def test_it_refuses_sqlite():
    with pytest.raises(script.BackupError, match="MySQL/MariaDB"):
        script.database_from_environment({"DATABASE_URL": "sqlite:///db.sqlite3"})


@pytest.mark.parametrize("mariadb", [True, False])
def test_the_password_goes_in_the_environment_never_on_the_command_line(mariadb):
    database = script.Database(name="tms", user="tms", password="s3cret")
    command = script.dump_command("mysqldump", database, mariadb=mariadb)
    assert all("s3cret" not in argument for argument in command)
    assert {"--single-transaction", "--routines", "--triggers", "--hex-blob"} <= set(command)
    assert command[-1] == "tms" and ("--set-gtid-purged=OFF" in command) is not mariadb
    assert all("s3cret" not in argument for argument in script.load_command("mysql", database))
    env = database.client_environment({"PATH": "/bin", "MYSQL_PWD": "inherited"})
    assert env == {"PATH": "/bin", "MYSQL_PWD": "s3cret"}
    assert "MYSQL_PWD" not in script.Database(name="tms").client_environment({"MYSQL_PWD": "inherited"})


def test_retention_keeps_the_newest_dumps_and_nothing_else_is_touched(tmp_path):
    names = [f"tms-2026112{day}T020700Z.sql.gz" for day in range(1, 6)]
    for name in [*names, "notes.txt", "tms-latest.sql.gz"]:
        (tmp_path / name).write_text("x")
    removed = script.prune(tmp_path, 2)
    assert [p.name for p in removed] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*names[3:], "notes.txt", "tms-latest.sql.gz"]
    )


# Against the server: the round trip, refusal, retention and failures.


@pytest.fixture
def scratch():
    """A scratch database and a user with a password that may use only it; dropped afterwards."""
    with scratch_with_user(SCRATCH, "tms_backup_test") as made:
        yield made


def snapshot(cursor) -> dict[str, tuple]:
    return scratch_snapshot(cursor, SCRATCH)


def fill_with_real_data(admin_url: str, tmp_path: Path) -> None:
    """Migrate, then create users, sessions, labels, tasks and their history through the API."""
    env = base_env(DATABASE_URL=admin_url, TMS_RATELIMIT_ENABLE="false")
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr
    superuser = ["createsuperuser", "--noinput", "--username", "root-admin", "--email", "admin@example.com"]
    staff = manage(*superuser, env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSPHRASE})
    assert staff.returncode == 0, staff.stderr
    with GunicornServer(env, log_path=tmp_path / "server.log") as server:
        base = server.url
        ada = register_and_login(base, "ada", PASSPHRASE)
        token = ada["access"]
        # a second session, rotated (its row names the new refresh token), then signed out
        status, _, other = api("POST", f"{base}/api/auth/login/", {"username": "ada", "password": PASSPHRASE})
        assert status == 200
        status, _, rotated = api("POST", f"{base}/api/auth/refresh/", {"refresh": other["refresh"]})
        assert status == 200
        assert api("POST", f"{base}/api/auth/logout/", {"refresh": rotated["refresh"]})[0] == 204
        profile = {"display_name": "Ada Lovelace ✨", "time_zone": "Europe/London"}
        assert api("PATCH", f"{base}/api/auth/me/", profile, token=token)[0] == 200
        labels = []
        for name, colour in (("home", "#22aa44"), ("wörk 🛠", "#3366ff")):
            status, _, label = api(
                "POST", f"{base}/api/tasks/labels/", {"name": name, "colour": colour}, token=token
            )
            assert status == 201, label
            labels.append(label["id"])
        created = []
        for body, headers in (
            (
                {
                    "title": "Renew passport 🛂",
                    "description": "Photos, form — fee: 'cash' \\ \"quotes\"\nsecond line\ttab",
                    "priority": "high",
                    "due_date": "2026-12-09",
                    "labels": labels,
                },
                {},
            ),
            ({"title": "Write report", "status": "todo"}, {"Idempotency-Key": "backup-test-key-1"}),
            ({"title": "Old thing", "priority": "low"}, {}),
        ):
            status, _, task = api("POST", f"{base}/api/tasks/", body, token=token, headers=headers)
            assert status == 201, task
            created.append(task["id"])
        first, second, third = created
        changed = {"title": "Write the quarterly report", "labels": labels[1:]}
        assert api("PATCH", f"{base}/api/tasks/{second}/", changed, token=token)[0] == 200
        assert api("POST", f"{base}/api/tasks/{first}/complete/", token=token)[0] == 200
        assert (
            api("POST", f"{base}/api/tasks/{second}/move/", {"status": "in_progress"}, token=token)[0] == 200
        )
        assert api("DELETE", f"{base}/api/tasks/{third}/", token=token)[0] == 204
        bob = register_and_login(base, "bob", PASSPHRASE)
        assert api("POST", f"{base}/api/tasks/", {"title": "Bob's task"}, token=bob["access"])[0] == 201


@pytest.mark.server
def test_a_backup_restores_every_row_of_every_table(scratch, tmp_path):
    # given a migrated TMS database with users, sessions, labels, tasks and history
    fill_with_real_data(scratch["admin_url"], tmp_path)
    before = snapshot(scratch["cursor"])
    rows = {name: len(table[2]) for name, table in before.items()}
    assert rows["users"] == 3 and rows["tasks"] == 4 and rows["labels"] == 2
    assert rows["auth_sessions"] >= 3 and rows["task_events"] >= 7 and rows["idempotency_keys"] == 1
    assert rows["django_migrations"] > 20
    _, columns, sessions = before["auth_sessions"]  # the signed-out one is kept, revoked, until the flush
    assert any(row[columns.index("revoked_at")] is not None for row in sessions)
    directory = tmp_path / "backups"

    # when it is backed up (as a user with a password), the database dropped, and the dump restored
    made = run_script("backup", "--dir", str(directory), env={"DATABASE_URL": scratch["url"]})
    assert made.returncode == 0, made.stderr
    [dump] = directory.iterdir()
    assert script.DUMP_NAME.fullmatch(dump.name) and dump.stat().st_mode & 0o077 == 0
    scratch["cursor"].execute(f"DROP DATABASE {SCRATCH}")
    restored = run_script("restore", str(dump), env=scratch["variables"])

    # then every table holds exactly what it held, and no password was ever printed
    assert restored.returncode == 0, restored.stderr
    after = snapshot(scratch["cursor"])
    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], name
    for result in (made, restored):
        assert scratch["password"] not in result.stdout + result.stderr
    assert f"({len(before)} tables)" in restored.stdout

    # and TMS runs on it: no migration missing, the users sign in and see their tasks
    env = base_env(DATABASE_URL=scratch["admin_url"], TMS_RATELIMIT_ENABLE="false")
    assert manage("migrate", "--check", env=env).returncode == 0
    with GunicornServer(env, log_path=tmp_path / "after.log") as server:
        status, _, tokens = api(
            "POST", f"{server.url}/api/auth/login/", {"username": "ada", "password": PASSPHRASE}
        )
        assert status == 200
        status, _, page = api("GET", f"{server.url}/api/tasks/", token=tokens["access"])
        titles = {task["title"] for task in page["results"]}
        assert titles == {"Renew passport 🛂", "Write the quarterly report"}


@pytest.mark.server
def test_restore_refuses_a_database_that_has_tables_unless_forced(scratch, tmp_path):
    # given a dump of a small database, and then a change to it
    cursor = scratch["cursor"]
    cursor.execute(f"CREATE TABLE {SCRATCH}.notes (id INT PRIMARY KEY, body VARCHAR(50)) CHARSET utf8mb4")
    cursor.execute("INSERT INTO tms_backup_test.notes VALUES (1, 'kept'), (2, 'ünïcode ✓')")
    made = run_script("backup", "--dir", str(tmp_path), env={"DATABASE_URL": scratch["url"]})
    assert made.returncode == 0, made.stderr
    [dump] = tmp_path.glob("tms-*.sql.gz")
    before = snapshot(cursor)
    cursor.execute("INSERT INTO tms_backup_test.notes VALUES (3, 'written after the backup')")
    cursor.execute(f"CREATE TABLE {SCRATCH}.extra (id INT PRIMARY KEY)")
    changed = snapshot(cursor)

    # when restoring over it without --force, then nothing changes
    refused = run_script("restore", str(dump), env={"DATABASE_URL": scratch["url"]})
    assert refused.returncode == 1
    assert "refusing to restore" in refused.stderr and "it has 2 tables" in refused.stderr
    assert snapshot(cursor) == changed

    # with --force the database becomes exactly the dump again
    forced = run_script("restore", "--force", str(dump), env={"DATABASE_URL": scratch["url"]})
    assert forced.returncode == 0, forced.stderr
    assert snapshot(cursor) == before


@pytest.mark.server
def test_backups_keep_the_newest_and_a_failed_one_changes_nothing(scratch, tmp_path):
    # given older dumps, a file that is not a dump, and a database to back up
    older = [f"tms-2000010{day}T020700Z.sql.gz" for day in range(1, 5)]
    for name in older:
        (tmp_path / name).write_bytes(gzip.compress(b"-- Dump completed\n"))
    (tmp_path / "README").write_text("not a dump")
    scratch["cursor"].execute(f"CREATE TABLE {SCRATCH}.notes (id INT PRIMARY KEY)")

    # when a dump of a database that does not exist fails
    missing = scratch["url"].replace(f"/{SCRATCH}", "/tms_backup_test_missing")
    failed = run_script("backup", "--dir", str(tmp_path), "--keep", "3", env={"DATABASE_URL": missing})
    # then it says why, leaves no file and removes none
    assert failed.returncode == 1 and "failed" in failed.stderr
    assert sorted(os.listdir(tmp_path)) == sorted([*older, "README"])

    # when a good one runs with TMS_BACKUP_KEEP=3, the new dump and the two newest old ones remain
    made = run_script(
        "backup", "--dir", str(tmp_path), env={"DATABASE_URL": scratch["url"], "TMS_BACKUP_KEEP": "3"}
    )
    assert made.returncode == 0, made.stderr
    kept = sorted(p.name for p in tmp_path.glob("tms-*.sql.gz"))
    assert kept[:2] == older[-2:] and len(kept) == 3 and kept[2].startswith("tms-20")
    assert (tmp_path / "README").exists()
    assert (
        "removed tms-20000101T020700Z.sql.gz" in made.stdout
        and "removed tms-20000102T020700Z.sql.gz" in made.stdout
    )
    script.check_complete(tmp_path / kept[2])
