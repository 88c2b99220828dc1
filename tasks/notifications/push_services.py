"""Which hosts a browser's push subscription may point at: the browsers' push services.

A subscription's endpoint is a URL the browser got from its vendor's push service; TMS sends to it.
Accepting any https host would let anyone make the worker call (and the task service resolve) a host
of their choosing, so endpoints must be on ``TMS_PUSH_SERVICES`` (an entry starting with "." also
takes its subdomains) before the address rules of tasks.notifications.outbound apply.
"""

from urllib.parse import urlsplit

from django.conf import settings

from tasks.notifications.outbound import UnsafeURL, check_url


def host_is_push_service(host: str) -> bool:
    host = host.lower().rstrip(".")
    for entry in settings.TMS_PUSH_SERVICES:
        entry = entry.lower()
        if host == entry.lstrip(".") or (entry.startswith(".") and host.endswith(entry)):
            return True
    return False


def check_endpoint(url: str) -> str:
    """Return ``url`` if push messages may be sent there now; raise UnsafeURL saying why not."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError as exc:
        raise UnsafeURL("Enter a valid URL.") from exc
    if not host_is_push_service(host):
        raise UnsafeURL("The endpoint is not on a known browser push service (TMS_PUSH_SERVICES).")
    return check_url(url)
