"""manage.py generate_vapid_keys: a working key pair, as env lines or as a Secret manifest, on
stdout only."""

import base64
import io
import json
import logging

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from py_vapid import Vapid  # type: ignore[import-untyped]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_vapid_keys", *args, stdout=out)
    return out.getvalue()


def matches(public: str, private: str) -> bool:
    derived = Vapid.from_string(private).public_key.public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(derived).rstrip(b"=").decode() == public


def test_env_lines_hold_a_matching_pair(caplog):
    caplog.set_level(logging.DEBUG)
    lines = dict(line.split("=", 1) for line in run().strip().splitlines())
    assert set(lines) == {"TMS_VAPID_PUBLIC_KEY", "TMS_VAPID_PRIVATE_KEY"}
    public, private = lines["TMS_VAPID_PUBLIC_KEY"], lines["TMS_VAPID_PRIVATE_KEY"]
    assert len(public) == 87 and len(private) == 43  # 65 and 32 bytes, base64url without padding
    assert matches(public, private)
    assert private not in caplog.text


def test_each_run_makes_a_new_pair():
    assert run() != run()


def test_a_secret_manifest():
    manifest = json.loads(run("--secret-name", "tms-vapid", "--namespace", "tms-app"))
    assert manifest["kind"] == "Secret" and manifest["type"] == "Opaque"
    assert manifest["metadata"] == {"name": "tms-vapid", "namespace": "tms-app"}
    data = manifest["stringData"]
    assert matches(data["TMS_VAPID_PUBLIC_KEY"], data["TMS_VAPID_PRIVATE_KEY"])
