"""Serve /healthz, /readyz and /metrics ahead of host validation and HTTPS redirects.

The kubelet probes pods as ``Host: <pod IP>:<port>`` over plain HTTP, and
Prometheus scrapes them the same way; neither must depend on ALLOWED_HOSTS or
SECURE_SSL_REDIRECT. The ingress never routes these paths to the outside, and
/metrics also refuses any request a proxy forwarded (docs/decisions.md).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_prometheus.exports import ExportToDjangoView

from tms_project.health import draining, readiness


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if draining():
        # A pod on its way out: no database round trip, and nothing else to check.
        response = JsonResponse({"status": "draining"}, status=503)
    else:
        ready, checks = readiness()
        response = JsonResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status=200 if ready else 503,
        )
    # A 503 here is an answer to the kubelet, not a server error: Django would log every probe of
    # a draining or waiting pod as ERROR. The checks log their causes as warnings.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


# What every proxy in front of TMS adds (ingress-nginx and the local stack's nginx set X-Forwarded-For).
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text for a scraper that reached the pod itself; 404 through a proxy."""
    forwarded = any(header in request.META for header in PROXY_HEADERS)
    if forwarded and not settings.TMS_METRICS_THROUGH_PROXY:
        return JsonResponse({"status": "not found"}, status=404)
    return ExportToDjangoView(request)


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics,
}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path.rstrip("/") or "/")
        if probe is None:
            return self.get_response(request)
        response: HttpResponse
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        response = probe(request)
        response["Cache-Control"] = "no-store"
        return response
