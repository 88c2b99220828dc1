"""Request ids and one JSON log line per request.

``X-Request-ID`` from the client (or the ingress) is kept when it is a sane
token, otherwise a new one is made; it is echoed on the response, put in every
log line written while the request runs, and in every API error body.
Only the path is logged, never the query string or body, which may carry secrets; a path that
is itself a secret (a calendar feed's) is logged with the secret replaced (tms_project.redaction).
"""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tms_project.jsonlog import request_id_var
from tms_project.redaction import redact_path

logger = logging.getLogger("tms.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def incoming_request_id(request: HttpRequest) -> str:
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, or None. Never raises: this runs outside the API's JSON error
    handling, and the task service's user is whatever its token says (docs/security.md)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        # None: just deleted; the task service's token users carry it as a string
        return None if user.pk is None else int(user.pk)
    except (TypeError, ValueError, OverflowError):  # an id that no token TMS signs holds
        return None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            match = request.resolver_match
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": redact_path(request.path),
                    "route": match.route if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
