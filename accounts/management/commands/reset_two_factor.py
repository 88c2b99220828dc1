from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.two_factor.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Turn two-factor sign-in off for one account (its authenticator, recovery codes and sign-ins in "
        "progress are removed), for someone who lost both phone and recovery codes — also the last "
        "admin, whom TMS_ADMIN_REQUIRE_2FA would otherwise keep out. Check who is asking first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the account's username or email address")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        login = username.strip()
        field = "email__iexact" if "@" in login else "username__iexact"
        user = User.objects.filter(**{field: login}).first()
        if user is None:
            raise CommandError(f"no account {login!r}")
        if two_factor_reset(user=user):
            self.stdout.write(
                f"two-factor sign-in turned off for {user.username}; they sign in with the password"
            )
        else:
            self.stdout.write(f"{user.username} had no two-factor sign-in; nothing changed")
