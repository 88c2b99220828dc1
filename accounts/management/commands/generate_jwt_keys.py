from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tms_project.jwt_keys import write_key_pair


class Command(BaseCommand):
    help = "Write a new RS256 key pair (jwt-private.pem, mode 0600, and jwt-public.pem) for signing tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=".keys", help="directory to write into (default: .keys)")
        parser.add_argument("--force", action="store_true", help="replace an existing pair")

    def handle(self, *args: Any, out: str, force: bool, **options: Any) -> None:
        directory = Path(out)
        if (directory / "jwt-private.pem").exists() and not force:
            self.stderr.write(f"{directory / 'jwt-private.pem'} exists; pass --force to replace it.")
            raise SystemExit(1)
        private_path, public_path = write_key_pair(directory)
        self.stdout.write(f"private key: {private_path} (give only to the auth service)")
        self.stdout.write(f"public key:  {public_path} (give to the auth and tasks services)")
