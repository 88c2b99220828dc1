"""A new VAPID key pair for Web Push, printed to stdout only (never logged).

The public key is the browser's ``applicationServerKey`` (an uncompressed P-256 point) and
the private key the 32-byte secret, both base64url without padding, as TMS_VAPID_PUBLIC_KEY
and TMS_VAPID_PRIVATE_KEY read them. With --secret-name the output is a Kubernetes Secret
manifest instead, to seal or apply (``... | kubectl apply -f -``). A new pair makes every
browser subscribe again: existing subscriptions belong to the old public key.
"""

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management.base import BaseCommand, CommandParser


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_key_pair() -> tuple[str, str]:
    """(public, private), base64url."""
    private = ec.generate_private_key(ec.SECP256R1())
    secret = private.private_numbers().private_value.to_bytes(32, "big")
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(public), b64url(secret)


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for Web Push as TMS_VAPID_PUBLIC_KEY/TMS_VAPID_PRIVATE_KEY lines,"
        " or as a Kubernetes Secret manifest with --secret-name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--secret-name", help="print a Secret manifest of this name instead")
        parser.add_argument("--namespace", default="tms-app", help="the Secret's namespace (default tms-app)")

    def handle(self, *args: Any, secret_name: str | None, namespace: str, **options: Any) -> None:
        public, private = new_key_pair()
        if not secret_name:
            self.stdout.write(f"TMS_VAPID_PUBLIC_KEY={public}\nTMS_VAPID_PRIVATE_KEY={private}")
            return
        # JSON is YAML; quoting every value keeps kubectl from reading a key as something else.
        manifest = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": secret_name, "namespace": namespace},
            "type": "Opaque",
            "stringData": {"TMS_VAPID_PUBLIC_KEY": public, "TMS_VAPID_PRIVATE_KEY": private},
        }
        self.stdout.write(json.dumps(manifest, indent=2))
