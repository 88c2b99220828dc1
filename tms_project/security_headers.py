"""The security headers of every answer, in plain Python.

Django adds them to everything it answers (``SecurityMiddleware`` and ``XFrameOptionsMiddleware``
from settings, ``tms_project.middleware.csp``). Answers written outside Django take them from
here: gunicorn's own errors (``tms_project.gunicorn_errors``; its master process loads no
Django), and the last-resort ``handler500``. ``tms_project/tests/test_errors.py`` checks that both
sources agree.
"""

from collections.abc import Mapping

# Everything TMS serves — the admin, the API docs, the web app, JSON — loads scripts, styles and
# data from its own origin only, runs no inline script or style, and may not be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# The web app's pages: the same, plus the style elements that carry this response's nonce (the scroll lock its
# dialogs add while open). ``NONCE_PLACEHOLDER`` in index.html is where the page learns it.
NONCE_PLACEHOLDER = "__CSP_NONCE__"


def content_security_policy_with_style_nonce(nonce: str) -> str:
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")


SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_TRUE = {"1", "true", "yes", "on"}


def strict_transport_security(environ: Mapping[str, str]) -> str | None:
    """Production's HSTS header from the same ``TMS_HSTS_*`` variables as the settings; None
    outside production (Django sends it on HTTPS requests only; browsers ignore it over HTTP)."""
    if environ.get("TMS_ENV") != "production":
        return None
    try:
        seconds = int(environ.get("TMS_HSTS_SECONDS", "31536000"))
    except ValueError:
        return None  # the settings refuse to start with it, and say why
    if seconds <= 0:
        return None
    value = f"max-age={seconds}"
    if environ.get("TMS_HSTS_INCLUDE_SUBDOMAINS", "true").strip().lower() in _TRUE:
        value += "; includeSubDomains"
    if environ.get("TMS_HSTS_PRELOAD", "true").strip().lower() in _TRUE:
        value += "; preload"
    return value


def security_headers(environ: Mapping[str, str]) -> dict[str, str]:
    """Every security header an answer made outside Django should carry in this environment."""
    hsts = strict_transport_security(environ)
    return {**SECURITY_HEADERS, **({"Strict-Transport-Security": hsts} if hsts else {})}
