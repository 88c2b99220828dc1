"""Safety net: no error under /api/ leaves as HTML.

DRF views already answer in the error shape (``api_exception_handler``). This
catches everything produced outside them: unknown routes, Django's own 400/403
(bad Host, CSRF) and 405 responses, and 500 pages — also with DEBUG on.

A failure in a middleware that runs before this one (the request log) never
reaches it; Django answers those with the root URLconf's ``handler500``, which
is ``server_error`` below in every role: JSON under /api/ as well.
"""

import os
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from tms_project.api.errors import BODY_HEADERS, error_response
from tms_project.security_headers import security_headers

API_PREFIX = "/api/"


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIX) or _is_json(response):
            return response
        replacement = error_response(response.status_code)
        for header, value in response.items():
            if header.lower() not in BODY_HEADERS:
                replacement[header] = value
        return replacement


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the error shape under /api/, Django's page elsewhere. Such an answer skips
    the middleware that adds the security headers, so it carries them itself."""
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = error_response(500, message="An unexpected error occurred.")
    else:
        response = defaults.server_error(request)
    for header, value in security_headers(os.environ).items():
        response[header] = value
    return response
