"""The stable ``code`` of each error status (docs/api.md). Plain Python: the gunicorn master
imports it too, and must not load Django for it (each pod's memory, docs/performance.md)."""

DEFAULT_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
    500: "server_error",
    503: "service_unavailable",
}


def default_code(status: int) -> str:
    return DEFAULT_CODES.get(status, "client_error" if status < 500 else "server_error")
