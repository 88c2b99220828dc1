"""Accounts: registration, credentials, passwords, deletion and deactivation."""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.errors import AccountInvalid
from accounts.models import User
from accounts.services.mail import mail_enqueue
from accounts.services.sessions import sessions_revoke_all
from accounts.usernames import username_key, username_normalize
from tasks.notifications.schedule import reschedule_owner
from tasks.services.handover import HandedOver, projects_hand_over

USERNAME_TAKEN = "A user with that username, or one that looks like it, already exists."

# Hashed for unknown users so that a wrong name costs as long as a wrong password.
_DUMMY_PASSWORD_HASH = None


def _run_dummy_hash(password: str) -> None:
    global _DUMMY_PASSWORD_HASH
    if _DUMMY_PASSWORD_HASH is None:
        _DUMMY_PASSWORD_HASH = make_password("tms-timing-equaliser")
    User(password=_DUMMY_PASSWORD_HASH).check_password(password)


def _validate_password(password: str, user: User, field: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise AccountInvalid({field: list(exc.messages)}) from exc


def credentials_check(*, user: User | None, password: str) -> bool:
    """True when ``user`` may sign in with ``password``; the same cost either way."""
    if user is None:
        _run_dummy_hash(password)
        return False
    valid = user.check_password(password)  # re-hashes with the current hasher on success
    return valid and user.is_active


def _username_taken(username: str, *, other_than: User | None = None) -> bool:
    others = User.objects.exclude(pk=other_than.pk) if other_than else User.objects.all()
    return others.filter(Q(username_key=username_key(username)) | Q(username__iexact=username)).exists()


def user_register(*, username: str, email: str, password: str, time_zone: str = "UTC") -> User:
    username = username_normalize(username)
    email = User.objects.normalize_email(email)
    errors: dict[str, list[str]] = {}
    if _username_taken(username):
        errors["username"] = [USERNAME_TAKEN]
    if User.objects.filter(email=email).exists():
        errors["email"] = ["A user with that email already exists."]
    if errors:
        raise AccountInvalid(errors)
    user = User(username=username, email=email, time_zone=time_zone)
    _validate_password(password, user, "password")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration took the name first
        raise AccountInvalid({"username": ["A user with that username or email already exists."]}) from exc
    return user


def user_update(*, user: User, data: dict) -> User:
    """Change profile fields; the email changes only through accounts.services.email_change."""
    if "username" in data:
        data["username"] = username_normalize(data["username"])
        if _username_taken(data["username"], other_than=user):
            raise AccountInvalid({"username": [USERNAME_TAKEN]})
    zone_changed = "time_zone" in data and data["time_zone"] != user.time_zone
    for field, value in data.items():
        setattr(user, field, value)
    try:
        with transaction.atomic():
            user.save(update_fields=list(data))
            if zone_changed:
                # Due times are the owner's local times: their moments and reminders move with the zone.
                reschedule_owner(user.pk)
    except IntegrityError as exc:
        raise AccountInvalid({"username": [USERNAME_TAKEN]}) from exc
    return user


def password_check(*, user: User, password: str, field: str = "current_password") -> None:
    """Re-authentication for a sensitive change: 400 on ``field`` unless ``password`` is the user's."""
    _require_password(user, password, field)


def _require_password(user: User, password: str, field: str) -> None:
    if not user.check_password(password):
        raise AccountInvalid({field: ["The password is incorrect."]})


@transaction.atomic
def password_change(
    *, user: User, current_password: str, new_password: str, keep_session_id: int | None
) -> None:
    """Change the password and end every other session of the user."""
    _require_password(user, current_password, "current_password")
    _validate_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user, keep_session_id=keep_session_id)


def password_reset_request(*, email: str) -> None:
    """Queue a reset mail for the address; the outbox finds the account when it sends (or sends nothing).

    The request itself neither looks the address up nor talks to a mail server, so
    it takes the same time whether or not an account uses the address.
    """
    mail_enqueue(kind="password_reset", email=User.objects.normalize_email(email))


def _user_from_uid(uid: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> None:
    """Set a new password from a reset link; the link then stops working, as do all sessions."""
    user = _user_from_uid(uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise AccountInvalid({"token": ["This reset link is invalid or has already been used."]})
    _validate_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user)


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """The person deletes their own account (see user_remove)."""
    _require_password(user, password, "password")
    user_remove(user=user)


@transaction.atomic
def user_remove(*, user: User) -> list[HandedOver]:
    """Delete the account and what is only its own; every path that deletes an account comes here.

    Its projects shared with others are handed over first, in this transaction, so that the
    account's cascade leaves them (tasks.services.handover); its other projects, its Inbox, labels
    and sessions go with it, and its comments stay, without an author.
    """
    handed = projects_hand_over(user_id=user.pk)
    user.delete()
    return handed


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Stop the user from signing in and end all their sessions."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_revoke_all(user=user)
