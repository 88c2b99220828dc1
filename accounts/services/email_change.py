"""Changing the email address: re-authenticated, confirmed by the new address, undoable from the old.

1. ``email_change_request`` (password required) changes nothing yet: it queues a
   confirmation link to the new address, and answers the same whether or not
   the address is taken (a taken one gets a notice instead), so the request
   tells nobody who has an account.
2. ``email_change_confirm`` (the link) moves the account to the new address and
   queues a notice to the old one with a link to undo it.
3. ``email_change_revert`` (that link) moves the account back, ends every
   session and disables the password; a reset link goes to the restored address.

Links are signed (Django's signing with the secret key and a purpose salt) and
name the user, the old and the new address: each works only while the account
still has the address it was made for, so it works once.
"""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from accounts.errors import AccountInvalid, EmailLinkInvalid
from accounts.models import User
from accounts.services.mail import mail_enqueue
from accounts.services.sessions import sessions_revoke_all

CONFIRM_SALT = "tms.accounts.email-change.confirm"
REVERT_SALT = "tms.accounts.email-change.revert"


def email_change_link(*, salt: str, user: User, old: str, new: str) -> str:
    return signing.dumps({"u": user.pk, "o": old, "n": new}, salt=salt, compress=True)


def _read_link(token: str, *, salt: str, max_age: int) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise EmailLinkInvalid from exc
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), t) for k, t in (("u", int), ("o", str), ("n", str))
    ):
        raise EmailLinkInvalid
    return data


@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> None:
    """Queue the confirmation (or, for a taken address, a notice); the caller checked the password."""
    new_email = User.objects.normalize_email(new_email)
    if new_email == user.email:
        raise AccountInvalid({"email": ["This is already your email address."]})
    if User.objects.filter(email=new_email).exists():
        mail_enqueue(kind="email_in_use", email=new_email)
        return
    mail_enqueue(kind="email_change_confirm", user=user.pk, old=user.email, new=new_email)


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    data = _read_link(token, salt=CONFIRM_SALT, max_age=settings.TMS_EMAIL_CHANGE_SECONDS)
    user = User.objects.select_for_update().filter(pk=data["u"], is_active=True).first()
    if user is None or user.email != data["o"]:
        raise EmailLinkInvalid
    if User.objects.filter(email=data["n"]).exclude(pk=user.pk).exists():
        raise AccountInvalid({"email": ["This address is now used by another account."]})
    user.email = data["n"]
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as exc:  # taken by a concurrent change
        raise AccountInvalid({"email": ["This address is now used by another account."]}) from exc
    mail_enqueue(kind="email_changed", user=user.pk, old=data["o"], new=data["n"])
    return user


@transaction.atomic
def email_change_revert(*, token: str) -> None:
    data = _read_link(token, salt=REVERT_SALT, max_age=settings.TMS_EMAIL_REVERT_SECONDS)
    user = User.objects.select_for_update().filter(pk=data["u"]).first()
    if user is None or user.email != data["n"]:
        raise EmailLinkInvalid
    if User.objects.filter(email=data["o"]).exclude(pk=user.pk).exists():
        raise AccountInvalid({"email": ["The old address is now used by another account."]})
    # Whoever changed the address knew the password: it stops working, and every session ends.
    user.email = data["o"]
    user.set_unusable_password()
    user.save(update_fields=["email", "password"])
    sessions_revoke_all(user=user)
    mail_enqueue(kind="password_reset", email=user.email, reverted=True)
