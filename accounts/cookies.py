"""The browser flow: the refresh token lives in an HttpOnly cookie JavaScript cannot read.

The cookie is scoped to /api/auth/, SameSite=Strict, Secure outside development.
Requests that present it must also carry Django's CSRF token (``X-CSRFToken``
header, copied from the ``csrftoken`` cookie), so another site cannot make a
browser refresh or end a session.

Beside it, the readable cookie ``tms_session=1`` says only that there is a refresh cookie, so the web
app skips its start-up refresh (and the 401 it would get) when nobody is signed in. It has the refresh
cookie's lifetime, SameSite and Secure, but ``Path=/``: the app's pages, not /api/auth/, must see it.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

SESSION_MARKER_COOKIE = "tms_session"
SESSION_MARKER_PATH = "/"


def set_refresh_cookie(request: Request, response: HttpResponse, raw_refresh: str) -> None:
    max_age = int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds())
    response.set_cookie(
        settings.TMS_REFRESH_COOKIE_NAME,
        raw_refresh,
        max_age=max_age,
        path=settings.TMS_REFRESH_COOKIE_PATH,
        secure=settings.TMS_REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    response.set_cookie(
        SESSION_MARKER_COOKIE,
        "1",
        max_age=max_age,
        path=SESSION_MARKER_PATH,
        secure=settings.TMS_REFRESH_COOKIE_SECURE,
        httponly=False,
        samesite="Strict",
    )
    # Make sure the CSRF cookie is there for the next cookie-authenticated call.
    get_token(request._request)


def clear_refresh_cookie(response: HttpResponse) -> None:
    response.delete_cookie(
        settings.TMS_REFRESH_COOKIE_NAME, path=settings.TMS_REFRESH_COOKIE_PATH, samesite="Strict"
    )
    response.delete_cookie(SESSION_MARKER_COOKIE, path=SESSION_MARKER_PATH, samesite="Strict")


def refresh_cookie(request: Request) -> str | None:
    return request.COOKIES.get(settings.TMS_REFRESH_COOKIE_NAME) or None


def _not_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the CSRF check only inspects the request")  # pragma: no cover


def enforce_csrf(request: Request) -> None:
    # As DRF's SessionAuthentication.enforce_csrf: the middleware's checks, run on one request.
    check = CSRFCheck(_not_called)
    check.process_request(request)
    reason = check.process_view(request, _not_called, (), {})
    if reason:
        raise PermissionDenied(f"CSRF check failed: {reason}")
