"""Serve the built single-page app (frontend/dist) on the same origin as the API.

Used by the `all` role (`make run`); in the cluster the frontend image serves it.
Assets come from WhiteNoise (WHITENOISE_ROOT); every other non-API path gets
index.html so the app's own routes survive a reload.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def spa_index(request: HttpRequest) -> HttpResponse:
    index = settings.TMS_FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponseNotFound(
            "The web app is not built. Run `make frontend` (or `make run`, which builds it).",
            content_type="text/plain",
        )
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    # The Content-Security-Policy is the one of every response (tms_project.middleware.csp).
    return response
