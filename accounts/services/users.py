"""Accounts: registration, credentials, passwords, deletion and deactivation."""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.exceptions import ValidationError

from accounts.models import User
from accounts.services.sessions import sessions_revoke_all

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
        raise ValidationError({field: list(exc.messages)}) from exc


def user_find_by_login(identifier: str) -> User | None:
    """The account a login name designates: a username or an email, any case."""
    identifier = identifier.strip()
    return (
        User.objects.filter(
            Q(username__iexact=identifier) | Q(email=User.objects.normalize_email(identifier))
        )
        .order_by("pk")
        .first()
    )


def credentials_check(*, user: User | None, password: str) -> bool:
    """True when ``user`` may sign in with ``password``; the same cost either way."""
    if user is None:
        _run_dummy_hash(password)
        return False
    valid = user.check_password(password)  # re-hashes with the current hasher on success
    return valid and user.is_active


def user_register(*, username: str, email: str, password: str) -> User:
    username = username.strip()
    email = User.objects.normalize_email(email)
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["A user with that username already exists."]
    if User.objects.filter(email=email).exists():
        errors["email"] = ["A user with that email already exists."]
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=email)
    _validate_password(password, user, "password")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration took the name first
        raise ValidationError({"username": ["A user with that username or email already exists."]}) from exc
    return user


def user_update(*, user: User, data: dict) -> User:
    if "username" in data:
        data["username"] = data["username"].strip()
        if User.objects.filter(username__iexact=data["username"]).exclude(pk=user.pk).exists():
            raise ValidationError({"username": ["A user with that username already exists."]})
    if "email" in data:
        data["email"] = User.objects.normalize_email(data["email"])
        if User.objects.filter(email=data["email"]).exclude(pk=user.pk).exists():
            raise ValidationError({"email": ["A user with that email already exists."]})
    for field, value in data.items():
        setattr(user, field, value)
    try:
        with transaction.atomic():
            user.save(update_fields=list(data))
    except IntegrityError as exc:
        raise ValidationError({"username": ["A user with that username or email already exists."]}) from exc
    return user


def _require_password(user: User, password: str, field: str) -> None:
    if not user.check_password(password):
        raise ValidationError({field: ["The password is incorrect."]})


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
    """Mail a single-use reset link when an active account has this address; silent otherwise."""
    user = User.objects.filter(email=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.TMS_PUBLIC_URL}/reset-password?uid={uid}&token={token}"
    send_mail(
        subject="Reset your TMS password",
        message=(
            f"Someone asked to reset the password of the TMS account {user.username}.\n\n"
            f"Open this link to choose a new password (it works once, for a limited time):\n{link}\n\n"
            "If it was not you, ignore this message; your password stays as it is."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


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
        raise ValidationError({"token": ["This reset link is invalid or has already been used."]})
    _validate_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user)


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """Delete the account and everything it owns."""
    _require_password(user, password, "password")
    user.delete()


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Stop the user from signing in and end all their sessions."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_revoke_all(user=user)
