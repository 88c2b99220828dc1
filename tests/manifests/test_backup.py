"""Database backups in the cluster: the nightly CronJob (the dump, then its off-site copy), its
volume, the off-site check, the one-off restore Jobs, and the two scripts they run (executed here
against stand-ins for mysqldump and mysql). tests/test_backup_offsite.py runs the off-site steps'
commands against an S3 server."""

import gzip
import os
import re
import stat
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.manifests.database import client_ports, image_tag, server_version
from tests.manifests.test_validation import validate
from tests.support.tools import ROOT, checkov

pytestmark = pytest.mark.manifests

RESTORE_JOB = ROOT / "k8s/restore/restore-job.yaml"
RESTORE_FROM_BUCKET = ROOT / "k8s/restore/restore-from-bucket-job.yaml"
BACKUP_READER = ROOT / "k8s/restore/backup-reader.yaml"
ONE_OFFS = [RESTORE_JOB, RESTORE_FROM_BUCKET, BACKUP_READER]
PRIVATE_RANGES = {"10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"}
DUMP_NAME = re.compile(r"tms-\d{8}T\d{6}Z\.sql\.gz")


def objects(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def backup_pod(docs) -> dict:
    return objects(docs, "CronJob")["mysql-backup"]["spec"]["jobTemplate"]["spec"]["template"]


def dump_container(docs) -> dict:
    [dump] = backup_pod(docs)["spec"]["initContainers"]
    return dump


def backend_image(docs) -> str:
    return objects(docs, "Deployment")["auth"]["spec"]["template"]["spec"]["containers"][0]["image"]


def restore_job() -> dict:
    return yaml.safe_load(RESTORE_JOB.read_text())


def one_off_pod_spec(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    return doc["spec"]["template"]["spec"] if doc["kind"] == "Job" else doc["spec"]


def env_of(container) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_the_backup_runs_nightly_alone_and_gives_up_in_time(docs):
    cronjob = objects(docs, "CronJob")["mysql-backup"]["spec"]
    assert (cronjob["schedule"], cronjob["timeZone"]) == ("7 2 * * *", "Etc/UTC")
    assert cronjob["concurrencyPolicy"] == "Forbid"
    assert 0 < cronjob["startingDeadlineSeconds"] <= 3600
    assert (cronjob["successfulJobsHistoryLimit"], cronjob["failedJobsHistoryLimit"]) == (3, 3)
    job = cronjob["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 2 and job["activeDeadlineSeconds"] == 3600


def test_the_backup_uses_the_databases_image_and_its_credentials(docs):
    pod = backup_pod(docs)["spec"]
    container = dump_container(docs)
    assert container["name"] == "dump"  # an init container: the off-site copy runs after it
    # mysqldump of the server's own version (production: the InnoDB Cluster's spec.version)
    assert image_tag(container["image"]) == server_version(docs)
    assert container["command"] == ["bash", "/opt/tms/backup.sh"]
    assert pod["serviceAccountName"] == "mysql-backup-sa"
    assert objects(docs, "ServiceAccount")["mysql-backup-sa"]["automountServiceAccountToken"] is False
    assert [s["secretRef"]["name"] for s in container["envFrom"]] == ["sql-endpoint", "db-username"]
    env = env_of(container)
    assert env["MYSQL_PWD"] == {"secretKeyRef": {"name": "db-password", "key": "TMS_DB_PASSWORD"}}
    assert env["BACKUP_KEEP"] == "14" and env["BACKUP_DIR"] == "/backups"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert mounts["backups"] == "/backups"
    assert volumes["backups"]["persistentVolumeClaim"] == {"claimName": "mysql-backups"}
    assert volumes["scripts"]["configMap"]["name"] == "mysql-backup-scripts"
    assert pod["securityContext"]["fsGroup"] == 1000  # the volume is writable by UID 1000


def test_the_backup_volume(docs, overlay):
    claim = objects(docs, "PersistentVolumeClaim")["mysql-backups"]["spec"]
    assert claim["accessModes"] == ["ReadWriteOnce"]
    assert claim["resources"]["requests"]["storage"] == "5Gi"
    assert claim.get("storageClassName") == ("local-path" if overlay == "local" else None)


def test_the_one_off_restore_objects_are_kept_out_of_every_kustomization(docs):
    assert "tms-restore" not in objects(docs, "Job") and not objects(docs, "Pod")
    for kustomization in ROOT.glob("k8s/**/kustomization.yaml"):
        resources = yaml.safe_load(kustomization.read_text()).get("resources", [])
        assert not [r for r in resources if "restore" in r], kustomization


@pytest.mark.parametrize("path", ONE_OFFS, ids=lambda p: p.name)
def test_the_one_off_restore_objects_are_valid_strictly(path):
    result = validate(str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing_in_the_one_off_objects_next_to_the_overlay(rendered_text, tmp_path):
    # next to the rendered overlay, as in the cluster: their NetworkPolicy is there
    combined = tmp_path / "with-one-offs.yaml"
    texts = [Path(rendered_text["production"]).read_text(), *(p.read_text() for p in ONE_OFFS)]
    combined.write_text("---\n".join(texts))
    report = checkov("kubernetes", str(combined))
    assert [(f["check_id"], f["resource"]) for f in report["failed"]] == []
    for name in (
        "Job.tms-app.tms-restore",
        "Job.tms-app.tms-restore-from-bucket",
        "Pod.tms-app.backup-reader",
    ):
        assert len([c for c in report["passed"] if c["resource"] == name]) > 40, name


def test_the_restore_job_matches_the_backup(docs):
    job = restore_job()
    backup = backup_pod(docs)
    pod = job["spec"]["template"]
    [container] = pod["spec"]["containers"]
    backup_container = dump_container(docs)
    assert job["metadata"]["namespace"] == "tms-app"
    assert container["image"] == backup_container["image"]
    assert container["command"] == ["bash", "/opt/tms/restore.sh"]
    assert container["envFrom"] == backup_container["envFrom"]
    env = env_of(container)
    assert env["MYSQL_PWD"] == env_of(backup_container)["MYSQL_PWD"]
    assert env["BACKUP_FILE"] == "" and env["BACKUP_DIR"] == "/backups"
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["backups"]["persistentVolumeClaim"] == {"claimName": "mysql-backups", "readOnly": True}
    assert volumes["scripts"]["configMap"]["name"] == "mysql-backup-scripts"
    assert pod["spec"]["serviceAccountName"] == backup["spec"]["serviceAccountName"]
    assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == "mysql-backup"  # mysql-backup-np
    assert job["spec"]["backoffLimit"] == 0


def test_the_secrets_the_restore_job_names_exist_in_both_overlays(docs, overlay):
    [container] = restore_job()["spec"]["template"]["spec"]["containers"]
    names = {ref["secretRef"]["name"] for ref in container["envFrom"]}
    names |= {e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e}
    assert names == {"sql-endpoint", "db-username", "db-password"}
    if overlay == "local":  # generated, without a hash suffix
        assert names <= set(objects(docs, "Secret"))
    else:  # created by hand, as docs/deploy.md shows
        deploy = (ROOT / "docs/deploy.md").read_text()
        assert all(f"create secret generic {name} " in deploy for name in names)


def test_the_backup_reader_mounts_the_backups_read_only(docs):
    spec = one_off_pod_spec(BACKUP_READER)
    [container] = spec["containers"]
    assert container["image"] == dump_container(docs)["image"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["backups"]["persistentVolumeClaim"] == {"claimName": "mysql-backups", "readOnly": True}
    assert {"name": "backups", "mountPath": "/backups", "readOnly": True} in container["volumeMounts"]
    assert spec["activeDeadlineSeconds"] <= 3600  # it does not linger


@pytest.mark.parametrize("path", ONE_OFFS, ids=lambda p: p.name)
def test_the_one_off_pods_are_restricted_like_every_pod(path):
    spec = one_off_pod_spec(path)
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] == 1000
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in [*spec.get("initContainers", []), *spec["containers"]]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
        assert context["capabilities"] == {"drop": ["ALL"]} and context["runAsUser"] == 1000
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) <= set(resources["limits"])
        assert "/tmp" in [m["mountPath"] for m in container["volumeMounts"]]


# The off-site copy: the step after the dump, its settings and Secret, the check, the network.


def env_from(container) -> list[tuple[str, str, bool]]:
    return [
        (kind, ref[kind]["name"], ref[kind].get("optional", False))
        for ref in container["envFrom"]
        for kind in ("configMapRef", "secretRef")
        if kind in ref
    ]


def offsite_container(docs) -> dict:
    [offsite] = backup_pod(docs)["spec"]["containers"]
    return offsite


def test_the_off_site_copy_runs_after_the_dump_with_the_backend_image(docs):
    offsite = offsite_container(docs)
    assert offsite["name"] == "offsite" and offsite["image"] == backend_image(docs)
    assert offsite["command"] == ["python", "-m", "tms_project.offsite_backup", "upload", "--dir", "/backups"]
    # the settings from the ConfigMap, the access key only from the Secret, never a literal value
    assert env_from(offsite) == [
        ("configMapRef", "backup-offsite-config", False),
        ("secretRef", "backup-offsite", True),
    ]
    assert {e["name"] for e in offsite.get("env", [])} == {"HOME"}
    assert {"name": "backups", "mountPath": "/backups", "readOnly": True} in offsite["volumeMounts"]
    volumes = {v["name"]: v for v in backup_pod(docs)["spec"]["volumes"]}
    [scratch] = [m["name"] for m in offsite["volumeMounts"] if m["mountPath"] == "/tmp"]
    assert "emptyDir" in volumes[scratch]  # the encrypted copy is written there, never to the volume


def test_the_off_site_settings_are_on_in_production_and_off_only_locally(docs, overlay):
    config = objects(docs, "ConfigMap")["backup-offsite-config"]["data"]
    assert config["TMS_BACKUP_OFFSITE"] == ("off" if overlay == "local" else "on")
    assert config["TMS_BACKUP_S3_PREFIX"] == "tms/" and config["TMS_BACKUP_S3_KEEP"] == "30"
    # no credential in a ConfigMap: they come from the Secret backup-offsite, made outside git
    assert not [key for key in config if key.startswith("AWS_")]
    assert "backup-offsite" not in objects(docs, "Secret")
    if overlay == "production":  # its Secret is created by hand, as docs/deploy.md shows
        assert "create secret generic backup-offsite " in (ROOT / "docs/deploy.md").read_text()


def test_the_off_site_check_runs_every_six_hours_apart_from_the_backup(docs):
    cronjob = objects(docs, "CronJob")["backup-offsite-check"]
    # not mysql-backup-*: TmsBackupFailed watches those Jobs; TmsBackupOffsiteMissing watches these
    assert not cronjob["metadata"]["name"].startswith("mysql-backup")
    spec = cronjob["spec"]
    assert (spec["schedule"], spec["timeZone"], spec["concurrencyPolicy"]) == (
        "47 */6 * * *",
        "Etc/UTC",
        "Forbid",
    )
    pod = spec["jobTemplate"]["spec"]["template"]
    [check] = pod["spec"]["containers"]
    assert check["image"] == backend_image(docs)
    assert check["command"] == [
        "python",
        "-m",
        "tms_project.offsite_backup",
        "check",
        "--max-age-hours",
        "26",
    ]
    assert env_from(check) == env_from(offsite_container(docs))
    assert pod["metadata"]["labels"]["app.kubernetes.io/name"] == "mysql-backup"  # mysql-backup-np
    assert "persistentVolumeClaim" not in str(pod["spec"]["volumes"])  # it reads the bucket only


def test_backup_pods_reach_https_outside_the_cluster_and_nothing_else_new(docs):
    policy = objects(docs, "NetworkPolicy")["mysql-backup-np"]["spec"]
    assert policy["ingress"] == []
    ports = sorted((p["protocol"], p["port"]) for rule in policy["egress"] for p in rule["ports"])
    database = [("TCP", port) for port in sorted(client_ports(docs))]  # MySQL, or production's Routers
    assert ports == sorted([("TCP", 53), ("TCP", 443), *database, ("UDP", 53)])
    [outside] = [rule for rule in policy["egress"] if rule["ports"] == [{"protocol": "TCP", "port": 443}]]
    blocks = {peer["ipBlock"]["cidr"]: set(peer["ipBlock"]["except"]) for peer in outside["to"]}
    assert blocks == {"0.0.0.0/0": PRIVATE_RANGES, "::/0": {"fc00::/7", "fe80::/10"}}


def test_the_restore_from_the_bucket_decrypts_before_it_restores(docs):
    job = yaml.safe_load(RESTORE_FROM_BUCKET.read_text())
    spec = job["spec"]["template"]["spec"]
    [fetch] = spec["initContainers"]
    [restore] = spec["containers"]
    # the fetch step is the backup's copy step run backwards, with the same settings and Secret
    # The backend image; the runbook sets the one the cluster runs (kubectl set image), so the tag
    # written here may lag a release.
    assert (
        fetch["image"].split("@")[0].rsplit(":", 1)[0] == backend_image(docs).split("@")[0].rsplit(":", 1)[0]
    )
    assert 'kubectl set image --local -f - fetch="$backend"' in (ROOT / "docs/operations.md").read_text()
    assert [*fetch["command"], *fetch["args"]] == [
        *("python", "-m", "tms_project.offsite_backup", "fetch"),
        *("--identity", "/etc/tms/age/key.txt", "--key", "$(BACKUP_KEY)", "--dir", "/restore"),
    ]
    assert env_from(fetch) == [
        ("configMapRef", "backup-offsite-config", False),
        ("secretRef", "backup-offsite", False),
    ]
    assert env_of(fetch)["BACKUP_KEY"] == "latest"
    # only after it succeeded does restore.sh load the one dump, as the volume restore does
    plain = restore_job()["spec"]["template"]["spec"]["containers"][0]
    assert restore["image"] == plain["image"] == dump_container(docs)["image"]
    assert restore["command"] == plain["command"] and restore["envFrom"] == plain["envFrom"]
    assert env_of(restore)["BACKUP_FILE"] == "newest" and env_of(restore)["BACKUP_DIR"] == "/restore"
    assert env_of(restore)["MYSQL_PWD"] == env_of(plain)["MYSQL_PWD"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes["restore"]  # the decrypted dump lives as long as the Job
    # the private key: a Secret made for the restore and deleted after it, readable by the pod's group
    assert volumes["age-key"]["secret"]["secretName"] == "backup-offsite-restore-key"
    assert volumes["age-key"]["secret"]["defaultMode"] == 0o440 and spec["securityContext"]["fsGroup"] == 1000
    assert {"name": "age-key", "mountPath": "/etc/tms/age", "readOnly": True} in fetch["volumeMounts"]
    assert not [m for m in restore["volumeMounts"] if m["name"] == "age-key"]
    assert job["spec"]["backoffLimit"] == 0
    assert (
        job["spec"]["template"]["metadata"]["labels"]
        == restore_job()["spec"]["template"]["metadata"]["labels"]
    )
    operations = (ROOT / "docs/operations.md").read_text()
    assert "create secret generic backup-offsite-restore-key" in operations
    assert "delete secret backup-offsite-restore-key" in operations


def test_the_private_key_is_never_in_the_backup_or_the_check(docs):
    for name in ("mysql-backup", "backup-offsite-check"):
        pod = objects(docs, "CronJob")[name]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert "backup-offsite-restore-key" not in str(pod) and "AGE-SECRET-KEY" not in str(pod)
    assert "AGE-SECRET-KEY" not in str(objects(docs, "ConfigMap"))


# The scripts, run with bash here; mysqldump and mysql are stand-ins that log what they were given.

STUB_MYSQLDUMP = """#!/bin/bash
printf '%s\\n' "$@" > "$STUB_LOG/mysqldump.args"
printf '%s' "${MYSQL_PWD-}" > "$STUB_LOG/mysqldump.password"
printf -- '-- MySQL dump 10.13\\nCREATE TABLE `tasks` (`id` bigint);\\nINSERT INTO `tasks` VALUES (1);\\n'
case "${STUB_DUMP:-ok}" in
  fail) echo "mysqldump: Got error: 2013: Lost connection" >&2; exit 2 ;;
  truncated) exit 0 ;;
esac
printf -- '-- Dump completed on 2026-11-27  2:07:01\\n'
"""
STUB_MYSQL = """#!/bin/bash
printf '%s\\n' "$@" >> "$STUB_LOG/mysql.args"
if [[ " $* " == *" -e "* ]]; then
  [[ "$*" == *"COUNT(*)"* ]] && { [[ -e $STUB_LOG/loaded.sql ]] && echo 3 || echo "${STUB_TABLES:-0}"; }
  exit 0
fi
cat > "$STUB_LOG/loaded.sql"
"""


def script(name: str) -> str:
    [configmap] = [
        doc
        for doc in yaml.safe_load_all((ROOT / "k8s/base/backup/scripts.yaml").read_text())
        if doc["kind"] == "ConfigMap"
    ]
    return configmap["data"][name]


@pytest.fixture
def sandbox(tmp_path):
    bin_dir, log, backups = tmp_path / "bin", tmp_path / "log", tmp_path / "backups"
    for directory in (bin_dir, log, backups):
        directory.mkdir()
    for name, text in (("mysqldump", STUB_MYSQLDUMP), ("mysql", STUB_MYSQL)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    for name in ("backup.sh", "restore.sh"):
        (tmp_path / name).write_text(script(name))

    def run(name: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(tmp_path / name)],
            env={
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
                "STUB_LOG": str(log),
                "BACKUP_DIR": str(backups),
                "TMS_DB_HOST": "mysql-service",
                "TMS_DB_PORT": "3306",
                "TMS_DB_NAME": "tms",
                "TMS_DB_USER": "tms",
                "MYSQL_PWD": "s3cret-password",
                **env,
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run, backups, log


def dumps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if DUMP_NAME.fullmatch(p.name))


def test_the_backup_script_writes_a_complete_dump_named_by_utc_time(sandbox):
    run, backups, log = sandbox
    # when
    result = run("backup.sh")
    # then
    assert result.returncode == 0, result.stderr
    [name] = dumps(backups)
    assert os.listdir(backups) == [name]  # no partial file left behind
    text = gzip.decompress((backups / name).read_bytes()).decode()
    assert text.endswith("-- Dump completed on 2026-11-27  2:07:01\n")
    assert stat.S_IMODE((backups / name).stat().st_mode) == 0o600
    arguments = (log / "mysqldump.args").read_text().splitlines()
    for option in ("--single-transaction", "--routines", "--triggers", "--no-tablespaces"):
        assert option in arguments
    assert arguments[-1] == "tms" and "--user=tms" in arguments and "--host=mysql-service" in arguments
    # the password reaches mysqldump through its environment only
    assert (log / "mysqldump.password").read_text() == "s3cret-password"
    assert "s3cret-password" not in "\n".join(arguments) + result.stdout + result.stderr


def test_the_backup_script_keeps_the_newest_dumps_only(sandbox):
    run, backups, _ = sandbox
    # given 5 older dumps, an unrelated file, a fresh partial file of another run and a stale one
    older = [f"tms-200011{day:02d}T020700Z.sql.gz" for day in range(20, 25)]
    for name in older:
        (backups / name).write_bytes(gzip.compress(b"-- Dump completed\n"))
    (backups / "notes.txt").write_text("keep me")
    (backups / ".tms-20261126T020700Z.sql.gz.partial").write_text("being written")
    stale = backups / ".tms-20001119T020700Z.sql.gz.partial"
    stale.write_text("left by a killed run")
    os.utime(stale, (0, 0))
    # when
    result = run("backup.sh", BACKUP_KEEP="3")
    # then the new dump and the two newest older ones remain
    assert result.returncode == 0, result.stderr
    kept = dumps(backups)
    assert kept[:2] == older[-2:] and len(kept) == 3 and kept[2] > older[-1]
    assert (backups / "notes.txt").exists() and (backups / ".tms-20261126T020700Z.sql.gz.partial").exists()
    assert not stale.exists()
    assert "removed tms-20001120T020700Z.sql.gz" in result.stdout


def test_a_retry_of_the_same_job_reuses_its_dump(sandbox):
    """The off-site copy failing makes the Job retry from the dump: the retry uploads that Job's
    dump again instead of making one more, which would push older nights off the volume."""
    run, backups, log = sandbox
    first = run("backup.sh", JOB_NAME="mysql-backup-29411247")
    assert first.returncode == 0, first.stderr
    [made] = dumps(backups)
    (log / "mysqldump.args").unlink()
    retry = run("backup.sh", JOB_NAME="mysql-backup-29411247")
    assert retry.returncode == 0, retry.stderr
    assert f"reusing {made}" in retry.stdout and dumps(backups) == [made]
    assert not (log / "mysqldump.args").exists()  # no second dump was taken
    time.sleep(1.1)  # dumps are named by the second
    next_night = run("backup.sh", JOB_NAME="mysql-backup-29412687")
    assert next_night.returncode == 0 and len(dumps(backups)) == 2


@pytest.mark.parametrize("outcome", ["fail", "truncated"])
def test_a_failed_or_incomplete_dump_never_counts(sandbox, outcome):
    run, backups, _ = sandbox
    # given
    older = [f"tms-200011{day:02d}T020700Z.sql.gz" for day in range(20, 25)]
    for name in older:
        (backups / name).write_bytes(gzip.compress(b"-- Dump completed\n"))
    # when
    result = run("backup.sh", STUB_DUMP=outcome, BACKUP_KEEP="2")
    # then the job fails, leaves no file and removes no older dump
    assert result.returncode != 0
    assert sorted(os.listdir(backups)) == older


def test_the_backup_script_refuses_a_nonsense_retention(sandbox):
    run, backups, _ = sandbox
    result = run("backup.sh", BACKUP_KEEP="0")
    assert result.returncode == 2 and "BACKUP_KEEP" in result.stderr
    assert os.listdir(backups) == []


def test_the_restore_script_loads_the_chosen_dump_into_an_empty_database(sandbox):
    run, backups, log = sandbox
    # given
    assert run("backup.sh").returncode == 0
    [name] = dumps(backups)
    # when
    result = run("restore.sh", BACKUP_FILE=name, STUB_TABLES="0")
    # then
    assert result.returncode == 0, result.stderr
    assert (log / "loaded.sql").read_bytes() == gzip.decompress((backups / name).read_bytes())
    assert "--user=tms" in (log / "mysql.args").read_text().splitlines()
    assert "Next: run the tms-migrate Job" in result.stdout
    assert "s3cret-password" not in (log / "mysql.args").read_text() + result.stdout + result.stderr


def test_the_restore_script_refuses_a_database_with_tables(sandbox):
    run, backups, log = sandbox
    assert run("backup.sh").returncode == 0
    [name] = dumps(backups)
    result = run("restore.sh", BACKUP_FILE=name, STUB_TABLES="12")
    assert result.returncode == 1 and "refusing to restore" in result.stderr and "12 tables" in result.stderr
    assert not (log / "loaded.sql").exists()


@pytest.mark.parametrize("file", ["", "../../etc/passwd", "tms-20261127T020700Z.sql.gz"])
def test_the_restore_script_wants_an_existing_dump_by_name(sandbox, file):
    run, backups, log = sandbox
    (backups / "tms-20261126T020700Z.sql.gz").write_bytes(gzip.compress(b"-- Dump completed\n"))
    result = run("restore.sh", BACKUP_FILE=file)
    assert result.returncode == 2
    assert "tms-20261126T020700Z.sql.gz" in result.stderr  # it lists what there is
    assert not (log / "mysql.args").exists()


def test_the_restore_script_refuses_a_damaged_dump(sandbox):
    run, backups, log = sandbox
    name = "tms-20261126T020700Z.sql.gz"
    (backups / name).write_bytes(gzip.compress(b"CREATE TABLE `tasks` (`id` bigint);\n"))
    result = run("restore.sh", BACKUP_FILE=name)
    assert result.returncode == 1 and "incomplete" in result.stderr
    assert not (log / "mysql.args").exists()


def test_the_restore_script_takes_the_newest_dump_when_asked(sandbox):
    run, backups, log = sandbox
    for name in ("tms-20261125T020700Z.sql.gz", "tms-20261126T020700Z.sql.gz"):
        (backups / name).write_bytes(gzip.compress(f"-- {name}\n-- Dump completed\n".encode()))
    result = run("restore.sh", BACKUP_FILE="newest", STUB_TABLES="0")
    assert result.returncode == 0, result.stderr
    assert (log / "loaded.sql").read_text().startswith("-- tms-20261126T020700Z.sql.gz")
    assert "restored tms-20261126T020700Z.sql.gz" in result.stdout


def test_the_restore_script_says_when_there_is_no_newest_dump(sandbox):
    run, _, log = sandbox
    result = run("restore.sh", BACKUP_FILE="newest")
    assert result.returncode == 2 and "(no dumps)" in result.stderr
    assert not (log / "mysql.args").exists()
