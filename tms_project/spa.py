"""Serve the built single-page app (frontend/dist) on the same origin as the API.

Used by the `all` role (`make run`); in the cluster the frontend image serves it.
Assets come from WhiteNoise (WHITENOISE_ROOT), with the headers of ``static_headers``;
every other non-API path gets index.html so the app's own routes survive a reload.
"""

import re
import secrets
from collections.abc import MutableMapping
from pathlib import PurePosixPath

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from whitenoise.middleware import WhiteNoiseMiddleware  # type: ignore[import-untyped]

from tms_project.security_headers import NONCE_PLACEHOLDER, content_security_policy_with_style_nonce

# Files at the build's root that keep their name from one release to the next: the browser asks again
# every time (no-cache revalidates), or an installed service worker would keep serving an old app.
_REVALIDATED = re.compile(r"^/(sw\.js|registerSW\.js|workbox-[\w-]+\.js|manifest\.webmanifest)$")
# A path with one of these endings names a file, not a page of the app: missing, it is a 404.
_FILE_SUFFIXES = {".js", ".mjs", ".css", ".map", ".json", ".webmanifest", ".png", ".svg", ".ico", ".txt"}


def static_headers(headers: MutableMapping[str, str], path: str, url: str) -> None:
    """WhiteNoise's WHITENOISE_ADD_HEADERS_FUNCTION: the cache rules of the web app's nginx."""
    if url.startswith("/assets/"):  # hashed names never change
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif _REVALIDATED.match(url):
        headers["Cache-Control"] = "no-cache"
    if url.endswith(".webmanifest"):
        headers["Content-Type"] = "application/manifest+json"


class AppFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise for static files and the built app, except ``/index.html``: asked for by name (the service
    worker precaches it), it too comes from ``spa_index``, with a nonce its policy allows."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.files.pop("/index.html", None)

    def find_file(self, url: str) -> object:  # with WHITENOISE_AUTOREFRESH (development)
        return None if url == "/index.html" else super().find_file(url)


def spa_index(request: HttpRequest) -> HttpResponse:
    if PurePosixPath(request.path).suffix in _FILE_SUFFIXES:
        # Not a page: index.html under a script's name would be refused as a service worker, or run as one.
        return HttpResponseNotFound("Not found.", content_type="text/plain")
    index = settings.TMS_FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponseNotFound(
            "The web app is not built. Run `make frontend` (or `make run`, which builds it).",
            content_type="text/plain",
        )
    # A fresh nonce per page: its dialogs' style elements carry it (the page reads it from a meta tag).
    nonce = secrets.token_urlsafe(16)
    page = index.read_text(encoding="utf-8").replace(NONCE_PLACEHOLDER, nonce)
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    # Every other response takes the policy without a nonce (tms_project.middleware.csp).
    response["Content-Security-Policy"] = content_security_policy_with_style_nonce(nonce)
    return response
