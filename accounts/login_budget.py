"""How many wrong passwords an account takes, without handing anyone a way to lock its owner out.

A device that signed in to an account before carries a signed cookie naming the
account and the device; its attempts count against a budget of its own
(``login_device``), so nobody elsewhere can use up the owner's. Every other
client counts three times: per address over every account (``login_ip_failed``,
which stops credential stuffing from one address), per account and address
(``login_account``), and for the account as a whole (``login_account_all``,
larger and longer), which is what stops a guessing run spread over many
addresses. A successful sign-in gives its attempts back, so these budgets count
wrong passwords only, and a crowd signing in behind one address spends none of
them. (OWASP's "device cookies" for brute-force protection.) An attempt one
budget refuses is given back to the budgets counted before it: no password was
tried, so a run stopped for one account does not go on spending its address's
budget, which the other people behind that address need.
The admin's sign-in page uses the same scheme with its own limits.
"""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from accounts.models import User
from tms_project import ratelimit
from tms_project.client_ip import client_ip

_SALT = "tms.accounts.device"


def _device_of(request: HttpRequest, user: User | None) -> str | None:
    """The device id in the request's cookie when the cookie was issued to ``user``."""
    if user is None:
        return None
    value = request.get_signed_cookie(
        settings.TMS_DEVICE_COOKIE_NAME,
        default=None,
        salt=_SALT,
        max_age=settings.TMS_DEVICE_COOKIE_DAYS * 86400,
    )
    account, _, device = (value or "").partition(":")
    return device if device and account == str(user.pk) else None


def login_attempt(
    request: HttpRequest, *, user: User | None, login_name: str, prefix: str = ""
) -> list[ratelimit.Attempt | None]:
    """Count one attempt at signing in to ``user`` (or a name no account has); raise when over a budget."""
    account = f"user:{user.pk}" if user else f"name:{login_name.strip().lower()}"
    device = _device_of(request, user)
    if device:
        # One budget per device, for the API's sign-in and the admin's alike.
        return [ratelimit.hit(request, "login_device", f"{account}|device:{device}")]
    address = client_ip(request)
    budgets = [
        (f"{prefix}login_ip_failed", address),
        (f"{prefix}login_account", f"{account}|{address}"),
        (f"{prefix}login_account_all", account),
    ]
    attempts: list[ratelimit.Attempt | None] = []
    try:
        for name, key in budgets:
            attempts.append(ratelimit.hit(request, name, key))
    except ratelimit.RateLimited:
        for attempt in attempts:
            ratelimit.refund(attempt)
        raise
    return attempts


def login_succeeded(
    request: HttpRequest, response: HttpResponseBase, *, user: User, attempts: list[ratelimit.Attempt | None]
) -> None:
    """Give the attempts back and let this client keep (or get) its device cookie."""
    for attempt in attempts:
        ratelimit.refund(attempt)
    device = _device_of(request, user) or secrets.token_urlsafe(16)
    response.set_signed_cookie(
        settings.TMS_DEVICE_COOKIE_NAME,
        f"{user.pk}:{device}",
        salt=_SALT,
        max_age=settings.TMS_DEVICE_COOKIE_DAYS * 86400,
        secure=settings.TMS_REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
