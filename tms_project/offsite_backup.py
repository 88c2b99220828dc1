"""Off-site copies of the database dumps: encrypted with age, kept in S3-compatible object storage.

    python -m tms_project.offsite_backup upload [--dir /backups | --file DUMP]
    python -m tms_project.offsite_backup fetch --identity KEYFILE [--key latest] --dir DIR
    python -m tms_project.offsite_backup check [--max-age-hours 26]
    python -m tms_project.offsite_backup list

upload  encrypts the newest dump of a directory (tms-<UTC time>.sql.gz) to the age recipients
        into a temporary file, refuses anything that does not start with age's header, uploads it
        as <prefix>tms-<UTC time>.sql.gz.age with its SHA-256 in the object's metadata, reads the
        object's size back, and only then deletes all but the newest TMS_BACKUP_S3_KEEP copies
        under the prefix (other objects are never touched). Run by the mysql-backup CronJob.
fetch   downloads one copy (the newest by default), checks its SHA-256, decrypts it completely
        with the private key of KEYFILE and checks the dump is whole, and only then puts
        tms-<UTC time>.sql.gz into DIR: a wrong key or a damaged copy stops here, before any
        database is touched. Run by `make restore FROM_BUCKET=1` and the restore-from-bucket Job.
check   fails unless the newest copy under the prefix is younger than --max-age-hours and
        starts with age's header. Run by the backup-offsite-check CronJob, whose failures are
        the TmsBackupOffsiteMissing alert.

Configuration, from the environment (docs/operations.md#off-site-backups): TMS_BACKUP_S3_ENDPOINT
(https://host[:port]), TMS_BACKUP_S3_BUCKET, TMS_BACKUP_S3_REGION (us-east-1), TMS_BACKUP_S3_PREFIX
(tms/), TMS_BACKUP_S3_KEEP (30), TMS_BACKUP_S3_ADDRESSING (path, or virtual), TMS_BACKUP_AGE_RECIPIENTS
(age public keys, age1..., separated by spaces or commas), the access key in AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY; TMS_BACKUP_OFFSITE=off turns upload and check into a logged no-op (the local
overlay: no bucket there). Only public keys are needed to back up: the private key stays with the
operators and comes in only for a restore. S3 calls: tms_project/s3_client.py.
Needs no Django settings; no secret is ever printed.
"""

import argparse
import contextlib
import gzip
import hashlib
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyrage  # type: ignore[import-untyped]  # no type information published

from tms_project.s3_client import S3Client, S3Error

DUMP_NAME = re.compile(r"tms-\d{8}T\d{6}Z\.sql\.gz")
OBJECT_NAME = re.compile(r"tms-\d{8}T\d{6}Z\.sql\.gz\.age")
AGE_HEADER = b"age-encryption.org/v1\n"
DUMP_COMPLETE = b"-- Dump completed"
DEFAULT_PREFIX = "tms/"
DEFAULT_KEEP = 30
DEFAULT_MAX_AGE_HOURS = 26.0
CHUNK = 1 << 20
DOCS = "docs/operations.md#off-site-backups"


class OffsiteError(Exception):
    """Something the operator must act on; printed as one line, without a traceback."""


@dataclass(frozen=True)
class Bucket:
    """Where the copies go, and the access key that may write there."""

    endpoint: str
    name: str
    region: str
    prefix: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    addressing: str = "path"

    def describe(self, name: str = "") -> str:
        return f"s3://{self.name}/{self.prefix}{name} at {self.endpoint}"

    def client(self) -> S3Client:
        return S3Client(
            self.endpoint, self.name, self.region, self.access_key, self.secret_key, self.addressing
        )


def offsite_enabled(environ: Mapping[str, str]) -> bool:
    value = environ.get("TMS_BACKUP_OFFSITE", "on").strip().lower() or "on"
    if value not in ("on", "off"):
        raise OffsiteError(f"TMS_BACKUP_OFFSITE must be on or off, not {value!r}")
    return value == "on"


def bucket_from_environment(environ: Mapping[str, str]) -> Bucket:
    """The bucket of the environment; every missing setting is named at once."""
    value = {name: environ.get(name, "").strip() for name in _BUCKET_SETTINGS}
    missing = [name for name in _REQUIRED if not value[name]]
    if missing:
        raise OffsiteError(
            f"the off-site bucket is not configured: {', '.join(missing)} not set "
            f"(the access key comes from the Secret backup-offsite; {DOCS})"
        )
    endpoint = value["TMS_BACKUP_S3_ENDPOINT"].rstrip("/")
    url = urlsplit(endpoint)
    loopback = url.hostname in ("localhost", "127.0.0.1", "::1")
    if (
        url.scheme not in ("https", "http")
        or (url.scheme == "http" and not loopback)  # the access key is signed, the dump encrypted,
        or not url.netloc  # but the bucket's listing and object names would travel in clear
        or url.path
        or url.query
        or "@" in url.netloc  # credentials come from the Secret, never from the URL (logs print it)
    ):
        raise OffsiteError(
            "TMS_BACKUP_S3_ENDPOINT must be https://host[:port] with no path and no credentials "
            "(http only to this machine)"
        )
    addressing = environ.get("TMS_BACKUP_S3_ADDRESSING", "").strip().lower() or "path"
    if addressing not in ("path", "virtual"):
        raise OffsiteError(f"TMS_BACKUP_S3_ADDRESSING must be path or virtual, not {addressing!r}")
    prefix = environ.get("TMS_BACKUP_S3_PREFIX", DEFAULT_PREFIX).strip().lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return Bucket(
        endpoint=endpoint,
        name=value["TMS_BACKUP_S3_BUCKET"],
        region=value["TMS_BACKUP_S3_REGION"] or "us-east-1",
        prefix=prefix,
        access_key=value["AWS_ACCESS_KEY_ID"],
        secret_key=value["AWS_SECRET_ACCESS_KEY"],
        addressing=addressing,
    )


_REQUIRED = ("TMS_BACKUP_S3_ENDPOINT", "TMS_BACKUP_S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
_BUCKET_SETTINGS = (*_REQUIRED, "TMS_BACKUP_S3_REGION")


def keep_from_environment(environ: Mapping[str, str]) -> int:
    text = environ.get("TMS_BACKUP_S3_KEEP", "").strip() or str(DEFAULT_KEEP)
    if not text.isdigit() or int(text) < 1:
        raise OffsiteError(f"TMS_BACKUP_S3_KEEP must be a whole number above 0, not {text!r}")
    return int(text)


def recipients_from_environment(environ: Mapping[str, str]) -> list[Any]:
    """The age public keys to encrypt to; a backup nobody can decrypt is worse than none."""
    text = environ.get("TMS_BACKUP_AGE_RECIPIENTS", "")
    keys = [key for key in re.split(r"[\s,]+", text) if key]
    if not keys:
        raise OffsiteError(
            "TMS_BACKUP_AGE_RECIPIENTS is not set: name the age public key(s) (age1...) "
            f"the copies are encrypted to ({DOCS})"
        )
    recipients = []
    for key in keys:
        try:
            recipients.append(pyrage.x25519.Recipient.from_str(key))
        except pyrage.RecipientError as exc:
            raise OffsiteError(
                f"TMS_BACKUP_AGE_RECIPIENTS: {key!r} is not an age public key ({exc})"
            ) from exc
    return recipients


def identities_from_file(path: Path) -> list[Any]:
    """The private keys of an age identity file (as age-keygen writes it)."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise OffsiteError(f"cannot read the age key file {path}: {exc.strerror}") from exc
    identities = []
    for line in lines:
        if line.strip().upper().startswith("AGE-SECRET-KEY-1"):
            try:
                identities.append(pyrage.x25519.Identity.from_str(line.strip()))
            except pyrage.IdentityError as exc:
                raise OffsiteError(f"{path} holds a malformed age private key ({exc})") from exc
    if not identities:
        raise OffsiteError(
            f"{path} holds no age private key (an AGE-SECRET-KEY-1... line, as age-keygen writes)"
        )
    return identities


# -- the local side --------------------------------------------------------------------------------


def newest_dump(directory: Path) -> Path:
    dumps = sorted(p for p in directory.iterdir() if DUMP_NAME.fullmatch(p.name) and p.is_file())
    if not dumps:
        raise OffsiteError(f"there is no dump (tms-<UTC time>.sql.gz) in {directory}")
    return dumps[-1]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def starts_as_age(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(len(AGE_HEADER)) == AGE_HEADER


def encrypt(dump: Path, target: Path, recipients: Sequence[Any]) -> None:
    """Encrypt ``dump`` into ``target``; anything but an age file there is an error."""
    try:
        pyrage.encrypt_file(str(dump), str(target), list(recipients))
    except pyrage.EncryptError as exc:
        raise OffsiteError(f"cannot encrypt {dump.name}: {exc}") from exc
    if not starts_as_age(target):  # never upload what might be the plain dump
        raise OffsiteError(f"encrypting {dump.name} did not produce an age file; nothing was uploaded")


def check_dump_complete(path: Path, label: str) -> None:
    """Read the whole dump (gzip checks its CRC) and look for mysqldump's closing line."""
    tail = b""
    try:
        with gzip.open(path, "rb") as dump:
            while chunk := dump.read(CHUNK):
                tail = (tail + chunk)[-4096:]
    except (OSError, EOFError, zlib.error) as exc:
        raise OffsiteError(f"{label} decrypts to no readable gzip file ({exc})") from exc
    lines = tail.rstrip().splitlines()
    if not lines or not lines[-1].startswith(DUMP_COMPLETE):
        raise OffsiteError(f"{label} is incomplete: it lacks the dump's closing line")


# -- the bucket side -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    name: str
    size: int


def copies(bucket: Bucket, client: S3Client) -> list[Copy]:
    """The encrypted dumps directly under the prefix, oldest first (their names sort by time)."""
    found = []
    for key, size in client.keys(bucket.prefix):
        name = key.removeprefix(bucket.prefix)
        if OBJECT_NAME.fullmatch(name):
            found.append(Copy(name, size))
    return sorted(found, key=lambda copy: copy.name)


def upload(bucket: Bucket, dump: Path, recipients: Sequence[Any], keep: int) -> tuple[Copy, list[str]]:
    """Encrypt and upload ``dump``, then prune the bucket; return the copy and the names deleted."""
    name = f"{dump.name}.age"
    client = bucket.client()
    with tempfile.TemporaryDirectory(prefix="tms-offsite-") as work:
        encrypted = Path(work) / name
        encrypt(dump, encrypted, recipients)
        digest, size = sha256_of(encrypted), encrypted.stat().st_size
        with _bucket_errors(bucket, f"uploading {name}"):
            client.put_file(bucket.prefix + name, encrypted, digest, {"sha256": digest})
            stored = client.head(bucket.prefix + name)
    if stored.size != size:
        raise OffsiteError(f"the bucket holds {stored.size} bytes of {name}, not the {size} uploaded")
    return Copy(name, size), prune(bucket, client, keep, protect=name)


def prune(bucket: Bucket, client: S3Client, keep: int, *, protect: str) -> list[str]:
    """Delete all but the newest ``keep`` copies (never ``protect``, the one just uploaded)."""
    with _bucket_errors(bucket, "listing the copies"):
        names = [copy.name for copy in copies(bucket, client)]
    removed = [name for name in names[: max(len(names) - keep, 0)] if name != protect]
    for name in removed:
        with _bucket_errors(bucket, f"deleting {name}"):
            client.delete(bucket.prefix + name)
    return removed


def resolve(bucket: Bucket, client: S3Client, key: str) -> Copy:
    """The copy named ``key`` (with or without .age, or the prefix), or the newest for latest/empty."""
    with _bucket_errors(bucket, "listing the copies"):
        available = copies(bucket, client)
    if not available:
        raise OffsiteError(f"there is no copy in {bucket.describe()}")
    if key in ("", "latest"):
        return available[-1]
    wanted = key.removeprefix(bucket.prefix)
    wanted = wanted if wanted.endswith(".age") else f"{wanted}.age"
    for copy in available:
        if copy.name == wanted:
            return copy
    newest = ", ".join(copy.name for copy in available[-5:])
    raise OffsiteError(f"{key!r} is not in {bucket.describe()}; the newest there: {newest}")


def fetch(bucket: Bucket, key: str, identities: Sequence[Any], directory: Path) -> Path:
    """Download, verify and decrypt one copy into ``directory``; return the dump's path."""
    client = bucket.client()
    copy = resolve(bucket, client, key)
    final = directory / copy.name.removesuffix(".age")
    with tempfile.TemporaryDirectory(prefix="tms-offsite-", dir=directory) as work:
        encrypted, decrypted = Path(work) / copy.name, Path(work) / final.name
        with _bucket_errors(bucket, f"downloading {copy.name}"):
            stored = client.head(bucket.prefix + copy.name)
            client.download(bucket.prefix + copy.name, encrypted)
        expected = stored.metadata.get("sha256")
        if expected and sha256_of(encrypted) != expected:
            raise OffsiteError(
                f"{copy.name} changed in transit or in the bucket (SHA-256 differs); nothing was restored"
            )
        if not starts_as_age(encrypted):
            raise OffsiteError(f"{copy.name} is not an age file; nothing was restored")
        try:
            pyrage.decrypt_file(str(encrypted), str(decrypted), list(identities))
        except pyrage.DecryptError as exc:
            raise OffsiteError(
                f"cannot decrypt {copy.name} with the given age key ({exc}): it was encrypted to "
                "another key, or is damaged; nothing was restored"
            ) from exc
        encrypted.unlink()
        check_dump_complete(decrypted, copy.name)
        decrypted.chmod(0o600)
        os.replace(decrypted, final)
    return final


def check(bucket: Bucket, max_age: timedelta, *, now: datetime | None = None) -> Copy:
    """The newest copy, if it is recent enough and encrypted; else an error saying what is wrong."""
    client = bucket.client()
    newest = resolve(bucket, client, "latest")
    moment = _moment_of(newest.name)
    age = (now or datetime.now(UTC)) - moment
    if age > max_age:
        raise OffsiteError(
            f"the newest copy in {bucket.describe()}, {newest.name}, is {_hours(age)} old "
            f"(more than {_hours(max_age)})"
        )
    with _bucket_errors(bucket, f"reading {newest.name}"):
        head = client.first_bytes(bucket.prefix + newest.name, len(AGE_HEADER))
    if head != AGE_HEADER:
        raise OffsiteError(f"{newest.name} in {bucket.describe()} does not start as an age file")
    return newest


def _moment_of(name: str) -> datetime:
    return datetime.strptime(name[4:19], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f} hours"


@contextlib.contextmanager
def _bucket_errors(bucket: Bucket, doing: str) -> Iterator[None]:
    """S3 and connection errors as one line that names the bucket (never the access key)."""
    try:
        yield
    except S3Error as exc:
        raise OffsiteError(f"{doing} in {bucket.describe()} failed: {exc}") from exc
    except OSError as exc:  # the local side: a full or missing directory
        raise OffsiteError(f"{doing} failed here: {exc}") from exc


# -- the command line ------------------------------------------------------------------------------


def say(text: str) -> None:
    sys.stdout.write(f"offsite: {text}\n")
    sys.stdout.flush()


def run_upload(arguments: argparse.Namespace, environ: Mapping[str, str]) -> None:
    if not offsite_enabled(environ):
        say("TMS_BACKUP_OFFSITE=off: no off-site copy; the dumps stay on this cluster's volume only")
        return
    bucket = bucket_from_environment(environ)
    recipients, keep = recipients_from_environment(environ), keep_from_environment(environ)
    dump = arguments.file or newest_dump(arguments.dir)
    copy, removed = upload(bucket, dump, recipients, keep)
    say(f"{dump.name} -> {bucket.describe(copy.name)} ({copy.size:,} bytes, age-encrypted)")
    for name in removed:
        say(f"removed {name} from the bucket (keeping the newest {keep})")


def run_fetch(arguments: argparse.Namespace, environ: Mapping[str, str]) -> None:
    identities = identities_from_file(arguments.identity)
    arguments.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = fetch(bucket_from_environment(environ), arguments.key, identities, arguments.dir)
    say(f"decrypted and checked {path.name} into {arguments.dir}")


def run_check(arguments: argparse.Namespace, environ: Mapping[str, str]) -> None:
    if not offsite_enabled(environ):
        say("TMS_BACKUP_OFFSITE=off: there is no off-site copy to check")
        return
    bucket = bucket_from_environment(environ)
    copy = check(bucket, timedelta(hours=arguments.max_age_hours))
    say(f"newest copy: {bucket.describe(copy.name)} ({copy.size:,} bytes, age-encrypted)")


def run_list(arguments: argparse.Namespace, environ: Mapping[str, str]) -> None:
    bucket = bucket_from_environment(environ)
    with _bucket_errors(bucket, "listing the copies"):
        found = copies(bucket, bucket.client())
    say(f"{len(found)} copies in {bucket.describe()}, oldest first:")
    for copy in found:
        sys.stdout.write(f"{copy.name}\t{copy.size}\n")


def parser() -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(
        prog="python -m tms_project.offsite_backup", description=__doc__.split("\n\n")[0]
    )
    sub = commands.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upload", help="encrypt the newest dump and copy it to the bucket, then prune it")
    up.add_argument("--dir", type=Path, default=Path("/backups"), help="where the dumps are")
    up.add_argument("--file", type=Path, help="this dump instead of the newest in --dir")
    get = sub.add_parser("fetch", help="download, check and decrypt a copy into a directory")
    get.add_argument("--identity", type=Path, required=True, help="the age private key file")
    get.add_argument("--key", default="latest", help="the copy's name (tms-...sql.gz.age) or latest")
    get.add_argument("--dir", type=Path, required=True, help="where the decrypted dump goes")
    look = sub.add_parser("check", help="fail unless the newest copy is recent and encrypted")
    look.add_argument("--max-age-hours", type=float, default=DEFAULT_MAX_AGE_HOURS)
    sub.add_parser("list", help="the copies in the bucket")
    return commands


COMMANDS = {"upload": run_upload, "fetch": run_fetch, "check": run_check, "list": run_list}


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        COMMANDS[arguments.command](arguments, os.environ if environ is None else environ)
    except OffsiteError as exc:
        sys.stderr.write(f"offsite {arguments.command}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
