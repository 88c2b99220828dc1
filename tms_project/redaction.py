"""Secrets that travel in a URL path, kept out of every log line that records the path.

A calendar feed's token is its URL (calendar applications send no other credential), so the
request log (tms_project.middleware.request_log) and gunicorn's access log
(tms_project.gunicorn_logging) write such a path with the token replaced. Plain Python: the
gunicorn master imports it without Django.
"""

import re

REDACTED = "[redacted]"

# /api/tasks/calendar/<token>.ics: everything between the prefix and the end, whatever its shape,
# so that a token with a typo in it is hidden as well.
_SECRET_PATHS = (re.compile(r"^(/api/tasks/calendar/)[^/]+$"),)


def redact_path(path: str | None) -> str | None:
    if not path:
        return path
    for pattern in _SECRET_PATHS:
        path = pattern.sub(rf"\g<1>{REDACTED}", path)
    return path
