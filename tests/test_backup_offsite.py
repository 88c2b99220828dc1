"""Off-site backups (tms_project/offsite_backup.py) against a real S3 server and MariaDB.

moto's S3 server (moto_server from .venv-tools) runs on 127.0.0.1 on a free port for this module;
every test gets a bucket of its own. The upload runs exactly the command of the mysql-backup
CronJob's offsite container, with the environment of its ConfigMap and Secret, so what passes
here is what the cluster runs; the restore is `make restore FROM_BUCKET=1`'s scripts/backup.py.
A database of its own (tms_backup_offsite_test) makes the round trip: dump, encrypt, upload,
download, decrypt, restore, row for row. Marked ``server``: it starts processes, and runs once.
"""

import gzip
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pyrage
import pytest
import yaml

from tests.support.scratch_user import scratch_with_user
from tests.support.scratch_user import snapshot as scratch_snapshot
from tests.support.tools import ROOT, require_tool
from tms_project import offsite_backup
from tms_project.s3_client import S3Client

pytestmark = pytest.mark.server

SCRATCH = "tms_backup_offsite_test"
ACCESS_KEY, SECRET_KEY = "tms-test-access-key", "tms-test-secret-key-0123456789"
COMPLETE = b"-- Dump completed on 2026-11-27  2:07:01\n"


def manifest(path: str, kind: str, name: str) -> dict:
    [doc] = [
        doc
        for doc in yaml.safe_load_all((ROOT / path).read_text())
        if doc and doc["kind"] == kind and doc["metadata"]["name"] == name
    ]
    return doc


def cronjob_command(name: str, container: str) -> list[str]:
    path = "cronjob.yaml" if name == "mysql-backup" else "offsite-check-cronjob.yaml"
    cronjob = manifest(f"k8s/base/backup/{path}", "CronJob", name)
    [found] = [
        c
        for c in cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
        if c["name"] == container
    ]
    return found["command"]


def fetch_command() -> list[str]:
    """The restore-from-bucket Job's fetch step, its $(BACKUP_KEY) left to the caller."""
    job = manifest("k8s/restore/restore-from-bucket-job.yaml", "Job", "tms-restore-from-bucket")
    [fetch] = job["spec"]["template"]["spec"]["initContainers"]
    return [*fetch["command"], *fetch["args"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server on 127.0.0.1, stopped after the module."""
    server = require_tool("moto_server", "make test installs it into .venv-tools (requirements-tools.txt)")
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [server, "-H", "127.0.0.1", "-p", str(port)], stdout=output, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()  # noqa: S310 - local
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def keys(tmp_path):
    """An age key pair, the private half in a file as age-keygen writes it."""
    identity = pyrage.x25519.Identity.generate()
    path = tmp_path / "tms-backup.agekey"
    path.write_text(f"# created: 2026-11-27T02:00:00Z\n# public key: {identity.to_public()}\n{identity}\n")
    path.chmod(0o600)
    return {"public": str(identity.to_public()), "file": path, "identity": identity}


def s3(method: str, url: str, body: bytes | None = None) -> bytes:
    """A plain request to moto's server, which needs no signature: the tests' own view of the bucket."""
    headers = {"Content-Type": "application/octet-stream"}  # not urllib's default, a form
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - local
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read()


@pytest.fixture
def bucket(s3_endpoint, keys):
    """A new bucket, and the environment the backup pods get from the ConfigMap and the Secret."""
    name = f"tms-offsite-{secrets.token_hex(4)}"
    s3("PUT", f"{s3_endpoint}/{name}")
    config = manifest("k8s/base/backup/offsite-config.yaml", "ConfigMap", "backup-offsite-config")["data"]
    env = {
        **config,
        "TMS_BACKUP_S3_ENDPOINT": s3_endpoint,
        "TMS_BACKUP_S3_REGION": "eu-central-1",
        "TMS_BACKUP_S3_BUCKET": name,
        "TMS_BACKUP_AGE_RECIPIENTS": keys["public"],
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    return {
        "name": name,
        "url": f"{s3_endpoint}/{name}",
        "env": env,
        "prefix": config["TMS_BACKUP_S3_PREFIX"],
    }


def objects(bucket) -> dict[str, bytes]:
    listing = ElementTree.fromstring(s3("GET", f"{bucket['url']}?list-type=2"))  # noqa: S314 - moto's
    keys = [element.text for element in listing.iter("{http://s3.amazonaws.com/doc/2006-03-01/}Key")]
    # moto answers an anonymous listing, but lets only the owner read what it uploaded
    client = S3Client(
        bucket["env"]["TMS_BACKUP_S3_ENDPOINT"], bucket["name"], "eu-central-1", ACCESS_KEY, SECRET_KEY
    )
    found = {}
    for key in keys:
        with tempfile.TemporaryDirectory() as work:
            client.download(key, Path(work) / "object")
            found[key] = (Path(work) / "object").read_bytes()
    return found


def put(bucket, key: str, body: bytes) -> None:
    s3("PUT", f"{bucket['url']}/{key}", body)


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """A command as the cluster runs it: in the project root (the image's /app), this environment only."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("TMS_", "DATABASE_URL", "MYSQL_PWD", "AWS_"))
    }
    if command[0] == "python":
        command = [sys.executable, *command[1:]]
    return subprocess.run(
        command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def dump_file(directory: Path, name: str = "tms-20261127T020700Z.sql.gz", body: bytes = b"") -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_bytes(gzip.compress(b"-- MySQL dump\nCREATE TABLE `notes` (`id` int);\n" + body + COMPLETE))
    return path


# The database: a scratch schema with a user of its own, dropped afterwards.


@pytest.fixture
def scratch():
    with scratch_with_user(SCRATCH, "tms_backup_offsite") as made:
        yield made


def fill(cursor) -> None:
    """Tables like TMS's: keys, a foreign key, text in every script, NULLs, binary, dates, JSON."""
    cursor.execute(
        f"CREATE TABLE {SCRATCH}.users (id BIGINT PRIMARY KEY AUTO_INCREMENT, username VARCHAR(150) UNIQUE,"
        " display_name VARCHAR(100) NULL, joined DATETIME(6) NOT NULL) CHARSET utf8mb4"
    )
    cursor.execute(
        f"CREATE TABLE {SCRATCH}.tasks (id BIGINT PRIMARY KEY AUTO_INCREMENT, owner_id BIGINT NOT NULL,"
        " title VARCHAR(200) NOT NULL, description LONGTEXT, due DATE NULL, attrs JSON, digest VARBINARY(32),"
        f" FOREIGN KEY (owner_id) REFERENCES {SCRATCH}.users (id)) CHARSET utf8mb4"
    )
    people = [("ada", "Ada Lovelace ✨"), ("bob", None), ("zoë", "Zoë 🛠 'quotes' \\ \"")]
    for name, display in people:
        cursor.execute(
            "INSERT INTO tms_backup_offsite_test.users (username, display_name, joined) VALUES (%s, %s, %s)",
            [name, display, "2026-11-27 02:07:00.123456"],
        )
    for number in range(1, 41):
        cursor.execute(
            "INSERT INTO tms_backup_offsite_test.tasks (owner_id, title, description, due, attrs, digest)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [
                number % 3 + 1,
                f"Task {number} — 日本語 ✓",
                None if number % 5 == 0 else "line one\nline two\ttab; DROP TABLE x; --",
                None if number % 2 else f"2026-12-{number % 28 + 1:02d}",
                f'{{"labels": ["home", "wörk"], "n": {number}}}',
                bytes(range(number % 7, number % 7 + 32)),
            ],
        )


def snapshot(cursor) -> dict[str, tuple]:
    return scratch_snapshot(cursor, SCRATCH)


def restore_from_bucket(
    bucket, database_url: str, key_file: Path, *extra: str
) -> subprocess.CompletedProcess:
    """make restore FROM_BUCKET=1 AGE_KEY_FILE=...: the bucket's settings and the database's URL."""
    env = {**bucket["env"], "DATABASE_URL": database_url}
    return run(
        [
            "python",
            "scripts/backup.py",
            "restore",
            *extra,
            "--from-bucket",
            "latest",
            "--age-key",
            str(key_file),
        ],
        env,
    )


# The round trip.


def test_a_dump_goes_to_the_bucket_encrypted_and_comes_back_row_for_row(scratch, bucket, keys, tmp_path):
    # given a database with data, dumped onto the "volume" as the init container does
    fill(scratch["cursor"])
    before = snapshot(scratch["cursor"])
    assert len(before["tasks"][2]) == 40 and len(before["users"][2]) == 3
    volume = tmp_path / "backups"
    made = run(
        ["python", "scripts/backup.py", "backup", "--dir", str(volume)], {"DATABASE_URL": scratch["url"]}
    )
    assert made.returncode == 0, made.stderr
    [dump] = volume.iterdir()

    # when the CronJob's offsite step runs on that volume
    command = cronjob_command("mysql-backup", "offsite")
    uploaded = run([*command[:-1], str(volume)], bucket["env"])

    # then the bucket holds one copy, in age's format only: no plaintext, no gzip, no SQL
    assert uploaded.returncode == 0, uploaded.stderr
    stored = objects(bucket)
    assert list(stored) == [f"{bucket['prefix']}{dump.name}.age"]
    [body] = stored.values()
    assert body.startswith(b"age-encryption.org/v1\n") and b"CREATE TABLE" not in body
    assert b"\x1f\x8b" not in body[:64] and gzip.decompress(dump.read_bytes()) not in body
    assert f"{dump.name} -> s3://{bucket['name']}/{bucket['prefix']}{dump.name}.age" in uploaded.stdout
    assert SECRET_KEY not in uploaded.stdout + uploaded.stderr

    # when the database is lost and restored from the bucket with the private key
    scratch["cursor"].execute(f"DROP DATABASE {SCRATCH}")
    restored = restore_from_bucket(bucket, scratch["url"], keys["file"])

    # then every table holds exactly what it held
    assert restored.returncode == 0, restored.stderr
    assert f"fetched and decrypted {dump.name}" in restored.stdout
    assert snapshot(scratch["cursor"]) == before
    assert SECRET_KEY not in restored.stdout + restored.stderr


def test_a_wrong_key_fails_loudly_and_leaves_the_database_untouched(scratch, bucket, keys, tmp_path):
    # given a copy in the bucket, and a database that has changed since
    fill(scratch["cursor"])
    volume = tmp_path / "backups"
    made = run(
        ["python", "scripts/backup.py", "backup", "--offsite", "--dir", str(volume)],
        {**bucket["env"], "DATABASE_URL": scratch["url"]},
    )
    assert made.returncode == 0, made.stderr
    assert "age-encrypted" in made.stdout  # make backup OFFSITE=1 copies it too
    scratch["cursor"].execute(
        "INSERT INTO tms_backup_offsite_test.users (username, joined) VALUES ('eve', NOW())"
    )
    before = snapshot(scratch["cursor"])
    counts = {name: len(rows) for name, (_, _, rows) in before.items()}
    wrong = tmp_path / "someone-elses.agekey"
    wrong.write_text(f"{pyrage.x25519.Identity.generate()}\n")

    # when it is restored with another key, even with FORCE=1 (which would drop the tables)
    refused = restore_from_bucket(bucket, scratch["url"], wrong, "--force")

    # then it fails, says why, and the database is exactly as it was
    assert refused.returncode == 1
    assert "cannot decrypt" in refused.stderr and "nothing was restored" in refused.stderr
    after = snapshot(scratch["cursor"])
    assert {name: len(rows) for name, (_, _, rows) in after.items()} == counts == {"tasks": 40, "users": 4}
    assert after == before

    # and the cluster's fetch step fails too, leaving nothing for the restore step to load
    restore_dir = tmp_path / "restore"
    command = [part.replace("$(BACKUP_KEY)", "latest") for part in fetch_command()]
    command = [str(wrong) if part == "/etc/tms/age/key.txt" else part for part in command]
    command = [str(restore_dir) if part == "/restore" else part for part in command]
    fetched = run(command, bucket["env"])
    assert fetched.returncode == 1 and "cannot decrypt" in fetched.stderr
    assert list(restore_dir.iterdir()) == []


def test_the_fetch_step_of_the_restore_job_leaves_one_checked_dump(bucket, keys, tmp_path):
    dump = dump_file(tmp_path / "backups", body=b"INSERT INTO `notes` VALUES (1);\n")
    assert (
        run([*cronjob_command("mysql-backup", "offsite")[:-1], str(dump.parent)], bucket["env"]).returncode
        == 0
    )
    restore_dir = tmp_path / "restore"
    command = [part.replace("$(BACKUP_KEY)", "latest") for part in fetch_command()]
    command = [str(keys["file"]) if part == "/etc/tms/age/key.txt" else part for part in command]
    command = [str(restore_dir) if part == "/restore" else part for part in command]
    fetched = run(command, bucket["env"])
    assert fetched.returncode == 0, fetched.stderr
    assert [p.name for p in restore_dir.iterdir()] == [dump.name]  # no partial or encrypted file
    assert (restore_dir / dump.name).read_bytes() == dump.read_bytes()
    assert (restore_dir / dump.name).stat().st_mode & 0o077 == 0


def test_the_age_command_line_tool_decrypts_a_copy(bucket, keys, tmp_path):
    """Operators can always read a copy with plain age (Debian's age package), without TMS."""
    age = require_tool("age", "Debian: apt-get install age")
    dump = dump_file(tmp_path / "backups")
    assert (
        run([*cronjob_command("mysql-backup", "offsite")[:-1], str(dump.parent)], bucket["env"]).returncode
        == 0
    )
    [body] = objects(bucket).values()
    (tmp_path / "copy.age").write_bytes(body)
    result = subprocess.run(
        [age, "--decrypt", "--identity", str(keys["file"]), str(tmp_path / "copy.age")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == dump.read_bytes()


# Retention, failures and the check.


def test_retention_keeps_the_newest_copies_and_touches_nothing_else(bucket, tmp_path):
    # given five older copies, something else under the prefix and another cluster's copy
    prefix = bucket["prefix"]
    older = [f"tms-200011{day:02d}T020700Z.sql.gz.age" for day in range(20, 25)]
    for name in older:
        put(bucket, prefix + name, b"age-encryption.org/v1\nold")
    put(bucket, f"{prefix}notes.txt", b"keep me")
    put(bucket, "staging/tms-20001120T020700Z.sql.gz.age", b"another prefix")
    dump = dump_file(tmp_path / "backups")

    # when tonight's copy is uploaded with three to keep
    result = run(
        [*cronjob_command("mysql-backup", "offsite")[:-1], str(dump.parent)],
        {**bucket["env"], "TMS_BACKUP_S3_KEEP": "3"},
    )

    # then the new copy and the two newest older ones remain, and nothing else was touched
    assert result.returncode == 0, result.stderr
    assert sorted(objects(bucket)) == sorted(
        [
            *(prefix + name for name in older[-2:]),
            f"{prefix}{dump.name}.age",
            f"{prefix}notes.txt",
            "staging/tms-20001120T020700Z.sql.gz.age",
        ]
    )
    for name in older[:3]:
        assert f"removed {name} from the bucket (keeping the newest 3)" in result.stdout


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        (("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set"),
        (("TMS_BACKUP_S3_BUCKET",), "TMS_BACKUP_S3_BUCKET not set"),
        (("TMS_BACKUP_AGE_RECIPIENTS",), "TMS_BACKUP_AGE_RECIPIENTS is not set"),
    ],
)
def test_missing_settings_fail_the_job_with_a_clear_error(bucket, tmp_path, unset, named):
    dump = dump_file(tmp_path / "backups")
    env = {k: v for k, v in bucket["env"].items() if k not in unset}
    result = run([*cronjob_command("mysql-backup", "offsite")[:-1], str(dump.parent)], env)
    assert result.returncode == 1
    assert named in result.stderr and "docs/operations.md#off-site-backups" in result.stderr
    assert "Traceback" not in result.stderr
    if "AWS_ACCESS_KEY_ID" in unset:
        assert "Secret backup-offsite" in result.stderr
    assert objects(bucket) == {}


def test_a_failed_upload_fails_the_job_and_deletes_nothing(bucket, tmp_path):
    put(bucket, f"{bucket['prefix']}tms-20001120T020700Z.sql.gz.age", b"age-encryption.org/v1\nold")
    dump = dump_file(tmp_path / "backups")
    env = {**bucket["env"], "TMS_BACKUP_S3_BUCKET": "tms-offsite-no-such-bucket", "TMS_BACKUP_S3_KEEP": "1"}
    result = run([*cronjob_command("mysql-backup", "offsite")[:-1], str(dump.parent)], env)
    assert result.returncode == 1
    assert "uploading tms-20261127T020700Z.sql.gz.age" in result.stderr and "NoSuchBucket" in result.stderr
    assert list(objects(bucket)) == [f"{bucket['prefix']}tms-20001120T020700Z.sql.gz.age"]


def test_off_says_so_and_uploads_nothing(bucket, tmp_path):
    dump = dump_file(tmp_path / "backups")
    env = {**bucket["env"], "TMS_BACKUP_OFFSITE": "off"}
    result = run([*cronjob_command("mysql-backup", "offsite")[:-1], str(dump.parent)], env)
    assert result.returncode == 0 and "no off-site copy" in result.stdout
    check = run(cronjob_command("backup-offsite-check", "check"), env)
    assert check.returncode == 0 and "no off-site copy to check" in check.stdout
    assert objects(bucket) == {}


def test_the_check_fails_unless_the_newest_copy_is_recent_and_encrypted(bucket, tmp_path):
    check = cronjob_command("backup-offsite-check", "check")
    prefix = bucket["prefix"]
    # an empty bucket
    empty = run(check, bucket["env"])
    assert empty.returncode == 1 and "there is no copy" in empty.stderr
    # only an old copy
    put(bucket, f"{prefix}tms-20001120T020700Z.sql.gz.age", b"age-encryption.org/v1\nold")
    old = run(check, bucket["env"])
    assert old.returncode == 1 and "tms-20001120T020700Z.sql.gz.age, is" in old.stderr
    assert "hours old (more than 26.0 hours)" in old.stderr
    # a recent object that is not encrypted
    recent = time.strftime("tms-%Y%m%dT%H%M%SZ.sql.gz.age", time.gmtime(time.time() - 3600))
    put(bucket, prefix + recent, gzip.compress(b"CREATE TABLE" + COMPLETE))
    plain = run(check, bucket["env"])
    assert plain.returncode == 1 and "does not start as an age file" in plain.stderr
    # tonight's real copy
    dump = dump_file(tmp_path / "backups", name=time.strftime("tms-%Y%m%dT%H%M%SZ.sql.gz", time.gmtime()))
    assert (
        run([*cronjob_command("mysql-backup", "offsite")[:-1], str(dump.parent)], bucket["env"]).returncode
        == 0
    )
    fresh = run(check, bucket["env"])
    assert fresh.returncode == 0, fresh.stderr
    assert f"newest copy: s3://{bucket['name']}/{prefix}{dump.name}.age" in fresh.stdout


# Reading the configuration: no server needed.


def test_the_configuration_is_read_and_checked():
    base = {
        "TMS_BACKUP_S3_ENDPOINT": "https://s3.eu-central-1.amazonaws.com/",
        "TMS_BACKUP_S3_BUCKET": "tms-backups",
        "TMS_BACKUP_S3_PREFIX": "/prod/tms",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "very-secret",
    }
    bucket = offsite_backup.bucket_from_environment(base)
    assert (bucket.endpoint, bucket.name, bucket.prefix, bucket.region) == (
        "https://s3.eu-central-1.amazonaws.com",
        "tms-backups",
        "prod/tms/",
        "us-east-1",  # SigV4 needs one: AWS's default, and MinIO's
    )
    assert "very-secret" not in repr(bucket) + bucket.describe()
    for endpoint in ("s3.example.com", "https://s3.example.com/bucket", "ftp://s3.example.com"):
        with pytest.raises(offsite_backup.OffsiteError, match="https://host"):
            offsite_backup.bucket_from_environment({**base, "TMS_BACKUP_S3_ENDPOINT": endpoint})
    for keep in ("0", "-1", "many"):
        with pytest.raises(offsite_backup.OffsiteError, match="TMS_BACKUP_S3_KEEP"):
            offsite_backup.keep_from_environment({"TMS_BACKUP_S3_KEEP": keep})
    assert offsite_backup.keep_from_environment({}) == 30
    with pytest.raises(offsite_backup.OffsiteError, match="TMS_BACKUP_OFFSITE"):
        offsite_backup.offsite_enabled({"TMS_BACKUP_OFFSITE": "maybe"})
    one, two = (str(pyrage.x25519.Identity.generate().to_public()) for _ in range(2))
    assert (
        len(offsite_backup.recipients_from_environment({"TMS_BACKUP_AGE_RECIPIENTS": f" {one},\n{two} "}))
        == 2
    )
    with pytest.raises(offsite_backup.OffsiteError, match="not an age public key"):
        offsite_backup.recipients_from_environment(
            {"TMS_BACKUP_AGE_RECIPIENTS": f"{one} AGE-SECRET-KEY-1XYZ"}
        )


def test_a_key_file_without_a_private_key_is_refused(tmp_path):
    public_only = tmp_path / "public.txt"
    public_only.write_text(f"# public key: {pyrage.x25519.Identity.generate().to_public()}\n")
    with pytest.raises(offsite_backup.OffsiteError, match="holds no age private key"):
        offsite_backup.identities_from_file(public_only)
    with pytest.raises(offsite_backup.OffsiteError, match="cannot read the age key file"):
        offsite_backup.identities_from_file(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://s3.example.com",  # clear text off this machine
        "https://AKIAEXAMPLE:secret@s3.example.com",  # credentials belong in the Secret, not the URL
        "https://s3.example.com/bucket",
        "ftp://s3.example.com",
    ],
)
def test_an_endpoint_that_is_not_plain_https_is_refused_without_echoing_it(endpoint):
    env = {
        "TMS_BACKUP_S3_ENDPOINT": endpoint,
        "TMS_BACKUP_S3_BUCKET": "tms-backups",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
    }
    with pytest.raises(offsite_backup.OffsiteError, match="must be https://host") as refused:
        offsite_backup.bucket_from_environment(env)
    assert "secret" not in str(refused.value)
    assert offsite_backup.bucket_from_environment(
        {**env, "TMS_BACKUP_S3_ENDPOINT": "https://s3.example.com:9000"}
    )
