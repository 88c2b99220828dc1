"""Logical backups of a TMS MySQL/MariaDB database: `make backup` and `make restore FILE=...`.

backup   mariadb-dump (or mysqldump) --single-transaction --routines --triggers, gzip-compressed,
         into backups/tms-<UTC time>.sql.gz: written under a temporary name and renamed only once
         the dump is complete, then only the newest N dumps are kept (--keep, TMS_BACKUP_KEEP, 14).
restore  loads one dump with mariadb (or mysql) into the configured database, creating it when
         it does not exist; a database that has tables is refused unless --force, which drops
         them first.

Off-site copies (tms_project/offsite_backup.py, the code the cluster's backup runs; settings in
TMS_BACKUP_S3_* and AWS_* as there): `backup --offsite` also encrypts the new dump with age and
uploads it to the bucket (make backup OFFSITE=1); `restore --from-bucket [NAME|latest] --age-key
FILE` downloads a copy and decrypts it completely, checking it on the way, before it touches the
database: a wrong key changes nothing (make restore FROM_BUCKET=1 AGE_KEY_FILE=...).

The database is the one TMS itself would use: DATABASE_URL, or TMS_DB_HOST with TMS_DB_PORT,
TMS_DB_NAME, TMS_DB_USER and TMS_DB_PASSWORD (tms_project/settings.py); with neither, the one
`make stack` serves, mysql://root@127.0.0.1:3306/tms_stack. The password reaches the client
programs in MYSQL_PWD, never on a command line, and is never printed.
"""
# ruff: noqa: S603 - the dump and client programs are found on PATH by name and given argument lists

import argparse
import contextlib
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # MySQLdb is imported where it is needed: `backup` of a dump file works without it
    from MySQLdb.cursors import Cursor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tms_project import offsite_backup  # noqa: E402 - importable once the project root is on the path

DEFAULT_URL = "mysql://root@127.0.0.1:3306/tms_stack"
DEFAULT_DIRECTORY = ROOT / "backups"
DEFAULT_KEEP = 14
DUMP_NAME = re.compile(r"tms-\d{8}T\d{6}Z\.sql\.gz")
COMPLETE = b"-- Dump completed"
STALE_PARTIAL_SECONDS = 24 * 3600
CHUNK = 1 << 20


class BackupError(Exception):
    """Something the person running the command must act on; printed without a traceback."""


@dataclass(frozen=True)
class Database:
    name: str
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = field(default="", repr=False)

    def describe(self) -> str:
        return f"{self.name} on {self.user}@{self.host}:{self.port}"

    def url_without_password(self) -> str:
        return f"mysql://{self.user}@{self.host}:{self.port}/{self.name}"

    def client_arguments(self) -> list[str]:
        return [
            f"--host={self.host}",
            f"--port={self.port}",
            f"--user={self.user}",
            "--default-character-set=utf8mb4",
        ]

    def client_environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in (os.environ if base is None else base).items() if k != "MYSQL_PWD"}
        if self.password:
            env["MYSQL_PWD"] = self.password
        return env


def database_from_environment(environ: Mapping[str, str]) -> Database:
    """The database the settings would use (DATABASE_URL, then TMS_DB_*), else `make stack`'s."""
    import dj_database_url

    url = environ.get("DATABASE_URL", "").strip()
    if not url and environ.get("TMS_DB_HOST", "").strip():
        return Database(
            name=environ.get("TMS_DB_NAME", "").strip() or "tms",
            host=environ["TMS_DB_HOST"].strip(),
            port=int(environ.get("TMS_DB_PORT", "").strip() or 3306),
            user=environ.get("TMS_DB_USER", "").strip() or "tms",
            password=environ.get("TMS_DB_PASSWORD", ""),
        )
    config = dj_database_url.parse(url or DEFAULT_URL)
    if config["ENGINE"] != "django.db.backends.mysql":
        raise BackupError(
            "backups need a MySQL/MariaDB database (DATABASE_URL=mysql://...); "
            "for the embedded SQLite database, copy db.sqlite3 while TMS is stopped"
        )
    if not config["NAME"]:
        raise BackupError("DATABASE_URL names no database")
    return Database(
        name=config["NAME"],
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 3306),
        user=config["USER"] or "root",
        password=config["PASSWORD"] or "",
    )


def find_program(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise BackupError(f"none of {', '.join(names)} is installed (Debian: apt-get install mariadb-client)")


def is_mariadb(program: str) -> bool:
    result = subprocess.run([program, "--version"], capture_output=True, text=True, check=False)
    return "mariadb" in (result.stdout + result.stderr).lower()


def dump_command(program: str, database: Database, *, mariadb: bool) -> list[str]:
    command = [
        program,
        *database.client_arguments(),
        "--single-transaction",
        "--routines",
        "--triggers",
        "--no-tablespaces",
        "--hex-blob",
    ]
    if not mariadb:
        # MySQL's mysqldump: no GTID statements (they need extra privileges to load), and no
        # column statistics queries, which a MariaDB server does not know.
        command += ["--set-gtid-purged=OFF", "--column-statistics=0"]
    return [*command, database.name]


def load_command(program: str, database: Database) -> list[str]:
    return [program, *database.client_arguments(), "--binary-mode", database.name]


def dump_name(moment: datetime) -> str:
    return f"tms-{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}.sql.gz"


def dumps_in(directory: Path) -> list[Path]:
    """The dumps in ``directory``, oldest first (their names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if DUMP_NAME.fullmatch(p.name) and p.is_file())


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` dumps; return the deleted ones."""
    dumps = dumps_in(directory)
    removed = dumps[: max(len(dumps) - keep, 0)]
    for path in removed:
        path.unlink()
    return removed


def remove_stale_partials(directory: Path) -> None:
    """A run killed half-way leaves its partial file behind; one a day old belongs to no running backup."""
    for path in directory.glob(".tms-*.partial"):
        if time.time() - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
            path.unlink(missing_ok=True)


def backup(
    database: Database, directory: Path, keep: int, *, now: datetime | None = None
) -> tuple[Path, list[Path]]:
    """Dump ``database`` into ``directory``; return the new dump and the old ones deleted."""
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    program = find_program("mariadb-dump", "mysqldump")
    command = dump_command(program, database, mariadb=is_mariadb(program))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    remove_stale_partials(directory)
    final = directory / dump_name(now or datetime.now(UTC))
    if final.exists():
        raise BackupError(f"{final} already exists; try again in a second")
    partial = directory / f".{final.name}.partial"
    try:
        with tempfile.TemporaryFile() as errors:
            if not _dump_into(command, database, partial, final.name.removesuffix(".gz"), errors):
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip() or "the dump ended early"
                raise BackupError(f"backup of {database.describe()} failed: {message}")
        os.rename(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final, prune(directory, keep)


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """A pipe of a process started with ``subprocess.PIPE`` on that stream (never None then)."""
    if stream is None:
        raise RuntimeError("the process was started without this pipe")
    return stream


def _dump_into(
    command: list[str], database: Database, partial: Path, inner_name: str, errors: IO[bytes]
) -> bool:
    """Run the dump program into a new gzip file; whether it produced a complete dump."""
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    tail = b""
    with open(descriptor, "wb") as raw:
        with gzip.GzipFile(filename=inner_name, mode="wb", fileobj=raw) as out:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=errors, env=database.client_environment()
            )
            dump = _pipe(process.stdout)
            try:
                with dump:
                    while chunk := dump.read(CHUNK):
                        out.write(chunk)
                        tail = (tail + chunk)[-4096:]
            except BaseException:  # a full disk, Ctrl-C: stop the dump too
                process.kill()
                process.wait()
                raise
            if process.wait() != 0:
                return False
        raw.flush()
        os.fsync(raw.fileno())
    return ends_complete(tail)


def ends_complete(tail: bytes) -> bool:
    """mysqldump and mariadb-dump end a complete dump with a "-- Dump completed" line."""
    lines = tail.rstrip().splitlines()
    return bool(lines) and lines[-1].startswith(COMPLETE)


def check_complete(path: Path) -> None:
    """Read the whole dump (gzip checks its CRC) and look for mysqldump's closing line."""
    tail = b""
    try:
        with gzip.open(path, "rb") as dump:
            while chunk := dump.read(CHUNK):
                tail = (tail + chunk)[-4096:]
    except (OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a readable gzip file ({exc})") from exc
    if not ends_complete(tail):
        raise BackupError(f"{path} is incomplete: it lacks the dump's closing line")


def restore(database: Database, path: Path, *, force: bool = False) -> int:
    """Load the dump at ``path`` into ``database``; return the number of tables afterwards."""
    import MySQLdb

    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    check_complete(path)
    program = find_program("mariadb", "mysql")
    try:
        connection = MySQLdb.connect(
            host=database.host,
            port=database.port,
            user=database.user,
            password=database.password,
            charset="utf8mb4",
            connect_timeout=5,
        )
    except MySQLdb.Error as exc:
        raise BackupError(f"cannot connect to {database.describe()}: {exc.args[-1]}") from exc
    try:
        cursor = connection.cursor()
        schema = quote_name(database.name)
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS {schema} CHARACTER SET utf8mb4")
        tables = _tables(cursor, database.name)
        if tables and not force:
            raise BackupError(
                f"refusing to restore into {database.describe()}: it has {len(tables)} tables. "
                "Restore into an empty database, or pass --force (make restore FORCE=1) to drop them first"
            )
        if tables:
            cursor.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
            for name, kind in tables:
                cursor.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {schema}.{quote_name(name)}")
            cursor.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
        _load(load_command(program, database), database, path)
        return len(_tables(cursor, database.name))
    except MySQLdb.Error as exc:
        raise BackupError(f"restore into {database.describe()} failed: {exc.args[-1]}") from exc
    finally:
        connection.close()


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _tables(cursor: "Cursor", schema: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
        [schema],
    )
    return [(name, kind) for name, kind in cursor.fetchall()]


def _load(command: list[str], database: Database, path: Path) -> None:
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stderr=errors, env=database.client_environment()
        )
        stdin = _pipe(process.stdin)
        try:
            with gzip.open(path, "rb") as dump:
                while chunk := dump.read(CHUNK):
                    stdin.write(chunk)
            stdin.close()
        except BrokenPipeError:  # the client stopped reading: its exit status and message say why
            with contextlib.suppress(BrokenPipeError):
                stdin.close()
        except BaseException:  # Ctrl-C: stop the client before it sees the end of its input
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupError(f"restore into {database.describe()} failed: {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/backup.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="dump the database into a new compressed file")
    make.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("TMS_BACKUP_DIR") or DEFAULT_DIRECTORY),
        help="where dumps go (TMS_BACKUP_DIR; default backups/)",
    )
    make.add_argument(
        "--keep",
        type=int,
        default=int(os.environ.get("TMS_BACKUP_KEEP") or DEFAULT_KEEP),
        help=f"how many dumps to keep, newest first (TMS_BACKUP_KEEP; default {DEFAULT_KEEP})",
    )
    make.add_argument(
        "--offsite",
        action="store_true",
        help="also encrypt the new dump with age and copy it to the bucket (TMS_BACKUP_S3_*)",
    )
    load = commands.add_parser("restore", help="load a dump into the (empty) database")
    load.add_argument("file", type=Path, nargs="?", help="a dump, e.g. backups/tms-20261127T020000Z.sql.gz")
    load.add_argument(
        "--from-bucket",
        metavar="NAME",
        nargs="?",
        const="latest",
        help="a copy in the bucket instead: its name (tms-...sql.gz.age) or latest (the default)",
    )
    load.add_argument("--age-key", type=Path, help="with --from-bucket: the age private key file")
    load.add_argument("--force", action="store_true", help="drop the database's tables first")
    arguments = parser.parse_args(argv)
    if arguments.command == "restore" and (arguments.file is None) == (arguments.from_bucket is None):
        parser.error("restore takes a dump file or --from-bucket, one of them")
    if arguments.command == "restore" and arguments.from_bucket is not None and arguments.age_key is None:
        parser.error("--from-bucket needs --age-key FILE, the private key the copies are encrypted to")
    try:
        database = database_from_environment(os.environ)
        if arguments.command == "backup":
            run_backup(database, arguments)
        elif arguments.from_bucket is not None:
            run_restore_from_bucket(database, arguments)
        else:
            run_restore(database, arguments.file, force=arguments.force)
    except (BackupError, offsite_backup.OffsiteError) as exc:
        print(f"{arguments.command}: {exc}", file=sys.stderr)
        return 1
    return 0


def run_backup(database: Database, arguments: argparse.Namespace) -> None:
    # The bucket's settings are read before the dump: a missing one is reported before minutes of work.
    offsite = (
        (
            offsite_backup.bucket_from_environment(os.environ),
            offsite_backup.recipients_from_environment(os.environ),
            offsite_backup.keep_from_environment(os.environ),
        )
        if arguments.offsite
        else None
    )
    path, removed = backup(database, arguments.dir, arguments.keep)
    print(f"backup: {database.describe()} -> {path} ({path.stat().st_size:,} bytes)")
    for old in removed:
        print(f"backup: removed {old.name} (keeping the newest {arguments.keep})")
    if offsite is not None:
        bucket, recipients, keep = offsite
        copy, pruned = offsite_backup.upload(bucket, path, recipients, keep)
        print(f"backup: {path.name} -> {bucket.describe(copy.name)} ({copy.size:,} bytes, age-encrypted)")
        for name in pruned:
            print(f"backup: removed {name} from the bucket (keeping the newest {keep})")


def run_restore_from_bucket(database: Database, arguments: argparse.Namespace) -> None:
    """Fetch, verify and decrypt the copy completely first: only a whole dump reaches the database."""
    identities = offsite_backup.identities_from_file(arguments.age_key)
    bucket = offsite_backup.bucket_from_environment(os.environ)
    with tempfile.TemporaryDirectory(prefix="tms-restore-") as work:
        path = offsite_backup.fetch(bucket, arguments.from_bucket, identities, Path(work))
        print(f"restore: fetched and decrypted {path.name} from {bucket.describe()}")
        run_restore(database, path, force=arguments.force, label=path.name)


def run_restore(database: Database, path: Path, *, force: bool, label: str = "") -> None:
    tables = restore(database, path, force=force)
    print(f"restore: {label or path} -> {database.describe()} ({tables} tables)")
    print(
        "restore: next, apply any migration newer than the dump to the same database: "
        f"DATABASE_URL={database.url_without_password()} make migrate "
        "(with the password in the URL if it has one)"
    )


if __name__ == "__main__":
    sys.exit(main())
