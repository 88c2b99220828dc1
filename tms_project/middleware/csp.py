"""A Content-Security-Policy on every response (Django 5.2 sends none itself).

Everything TMS serves — the admin, the API docs, the web app, JSON — loads scripts, styles and
data from its own origin only, runs no inline script or style, and may not be framed. The policy
lives in ``tms_project.security_headers``, which gunicorn's own error answers share.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tms_project.security_headers import CONTENT_SECURITY_POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
