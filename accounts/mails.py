"""The mails the auth service sends, rendered when they are sent (accounts.services.mail)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from accounts.models import User
from accounts.services.email_change import CONFIRM_SALT, REVERT_SALT, email_change_link
from accounts.services.mail import mail_kind, message


def _link(path: str, **query: str) -> str:
    return f"{settings.TMS_PUBLIC_URL}/{path}?{urlencode(query)}"


@mail_kind("password_reset")
def password_reset(payload: dict) -> EmailMessage | None:
    user = User.objects.filter(email=payload["email"], is_active=True).first()
    if user is None:
        return None  # nobody has the address: nothing is sent, and the request said nothing
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = _link("reset-password", uid=uid, token=default_token_generator.make_token(user))
    if payload.get("reverted"):
        intro = (
            "The email address of your TMS account was changed back to this one, and its password was "
            "disabled in case someone else knew it."
        )
        outro = ""
    else:
        intro = f"Someone asked to reset the password of the TMS account {user.username}."
        outro = "\n\nIf it was not you, ignore this message; your password stays as it is."
    return message(
        to=user.email,
        subject="Reset your TMS password",
        body=f"{intro}\n\nOpen this link to choose a new password (it works once, for a limited time):"
        f"\n{link}{outro}",
    )


@mail_kind("email_change_confirm")
def email_change_confirm(payload: dict) -> EmailMessage | None:
    user = User.objects.filter(pk=payload["user"], email=payload["old"], is_active=True).first()
    if user is None:
        return None  # the account changed or went away since the request
    token = email_change_link(salt=CONFIRM_SALT, user=user, old=payload["old"], new=payload["new"])
    hours = settings.TMS_EMAIL_CHANGE_SECONDS // 3600
    return message(
        to=payload["new"],
        subject="Confirm your new TMS email address",
        body=(
            f"The TMS account {user.username} asked to use this address from now on.\n\n"
            f"Open this link within {hours} hours to confirm it:\n{_link('confirm-email', token=token)}\n\n"
            "Until then the account keeps its current address. If you did not ask for this, ignore "
            "this message."
        ),
    )


@mail_kind("email_changed")
def email_changed(payload: dict) -> EmailMessage | None:
    user = User.objects.filter(pk=payload["user"], email=payload["new"]).first()
    if user is None:
        return None
    token = email_change_link(salt=REVERT_SALT, user=user, old=payload["old"], new=payload["new"])
    days = settings.TMS_EMAIL_REVERT_SECONDS // 86400
    return message(
        to=payload["old"],
        subject="The email address of your TMS account was changed",
        body=(
            f"The TMS account {user.username} now uses the address {payload['new']} instead of this one.\n\n"
            f"If you did not do this, open this link within {days} days to undo it:\n"
            f"{_link('revert-email', token=token)}\n\n"
            "Undoing it moves the account back to this address, signs out every device and asks you to "
            "choose a new password."
        ),
    )


@mail_kind("email_in_use")
def email_in_use(payload: dict) -> EmailMessage | None:
    return message(
        to=payload["email"],
        subject="Someone tried to use this address on TMS",
        body=(
            "Someone asked to move a TMS account to this email address, which your account already uses. "
            "Nothing was changed.\n\nIf it was you, use a different address, or delete one of the accounts "
            "first. If it was not you, you need not do anything."
        ),
    )
