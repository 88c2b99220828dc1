"""Every backend container starts with exactly the settings its manifests give it.

Each container of the backend image (the auth and task pods, their init containers, the jobs) gets
its environment as Kubernetes would build it: the ConfigMap, the Secrets (generated ones from the
rendered overlay, stand-ins for those made outside git), its own `env`, and the key files its
volumes mount. The production settings' start-up checks then run on it (`manage.py check`), so a
variable that points at a file the pod does not mount, or a setting production refuses, fails here
rather than in the cluster.
"""

import base64
import os

import pytest

from tests.manifests.test_workloads import containers, objects, pod_spec, workloads
from tests.support.server import manage
from tms_project.jwt_keys import write_key_pair

pytestmark = [pytest.mark.manifests, pytest.mark.server]

# Secrets production creates outside git (docs/deploy.md), by name: what their keys look like.
STAND_INS = {
    "django-secret": {"TMS_SECRET_KEY": "stand-in-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"},
    "sql-endpoint": {"TMS_DB_HOST": "mysql-service", "TMS_DB_PORT": "3306", "TMS_DB_NAME": "tms"},
    "db-username": {"TMS_DB_USER": "tms"},
    "db-password": {"TMS_DB_PASSWORD": "stand-in"},
    # Optional (push is off without it); the local overlay's development pair.
    "vapid-keys": {
        "TMS_VAPID_PUBLIC_KEY": "BEiWcK7oMoN4a9nHW4HpGc_KH17dG5gqO_hLsgaN78CEE_xYJg0_V9o"
        "yM5hcQjXQYGov1LRGn_3d94lbAx_L0CE",
        "TMS_VAPID_PRIVATE_KEY": "development-only-vapid-key-for-the-local-k8",
    },
}
IMAGE_ENV = {"TMS_ENV": "production", "PROMETHEUS_MULTIPROC_DIR": "/tmp/metrics"}  # Dockerfile ENV


def backend_containers(docs) -> list[tuple[str, dict, dict]]:
    """(name, pod spec, container) of every container that runs the backend image's settings."""
    found = []
    for doc in workloads(docs):
        for container in containers(doc):
            command = container.get("command") or ["gunicorn"]
            if "tms-backend" in container["image"] and ("manage.py" in command or command == ["gunicorn"]):
                name = f"{doc['kind']}/{doc['metadata']['name']}/{container['name']}"
                found.append((name, pod_spec(doc), container))
    return found


def secret_data(docs, name: str) -> dict[str, str] | None:
    secret = objects(docs, "Secret").get(name)
    if secret is None:
        return None
    return {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}


def container_env(docs, spec: dict, container: dict, keys_dir) -> dict[str, str]:
    env = dict(IMAGE_ENV)
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(objects(docs, "ConfigMap")[source["configMapRef"]["name"]]["data"])
            continue
        ref = source["secretRef"]
        data = secret_data(docs, ref["name"])
        if data is None and not ref.get("optional"):
            assert ref["name"] in STAND_INS, f"{ref['name']}: a Secret this test does not know"
            data = STAND_INS[ref["name"]]
        env.update(data or {})
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        else:
            ref = variable["valueFrom"]["secretKeyRef"]
            data = secret_data(docs, ref["name"]) or STAND_INS[ref["name"]]
            env[variable["name"]] = data[ref["key"]]
    # The token key files exist only where the pod mounts them (items of the jwt-secret volume).
    private_path, public_path = write_key_pair(keys_dir / "pair")
    made = {"jwt-private.pem": private_path.read_text(), "jwt-public.pem": public_path.read_text()}
    volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
    mounted = {}
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        if not secret or secret["secretName"] != "jwt-secret":
            continue
        directory = keys_dir / mount["name"]
        directory.mkdir()
        for item in secret.get("items") or [{"key": key, "path": key} for key in made]:
            (directory / item["path"]).write_text(made[item["key"]])
        mounted[mount["mountPath"].rstrip("/") + "/"] = f"{directory}/"
    for name, value in env.items():
        for mount_path, directory in mounted.items():
            if value.startswith(mount_path):
                env[name] = directory + value.removeprefix(mount_path)
    return env


def test_every_backend_container_passes_the_production_start_up_checks(docs, tmp_path):
    checked = backend_containers(docs)
    assert len(checked) >= 5, [name for name, _, _ in checked]
    outside = {k: v for k, v in os.environ.items() if not k.startswith(("TMS_", "DATABASE_URL", "REDIS_URL"))}
    outside.pop("DJANGO_SETTINGS_MODULE", None)
    failures = []
    for number, (name, spec, container) in enumerate(checked):
        keys_dir = tmp_path / str(number)
        keys_dir.mkdir()
        env = container_env(docs, spec, container, keys_dir)
        # The database itself is not under test: an empty SQLite file stands in for MySQL; with a
        # read replica configured (a MySQL-only setting), a MySQL address nothing answers on
        # (`check` opens no connection).
        env["DATABASE_URL"] = (
            "mysql://tms@127.0.0.1:9/tms"
            if env.get("TMS_DB_REPLICA_HOST")
            else f"sqlite:///{keys_dir / 'db.sqlite3'}"
        )
        result = manage("check", env={**outside, **env})
        if result.returncode != 0:
            failures.append(f"{name}: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    assert not failures, "\n".join(failures)
