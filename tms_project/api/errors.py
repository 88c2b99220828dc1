"""The one error body TMS returns for every 4xx/5xx under /api/ (docs/api.md).

    {"error": {"status": 404, "code": "not_found", "message": "Not found.",
               "fields": {...}, "request_id": "..."}}

``fields`` is present only for validation errors.
"""

from http import HTTPStatus
from typing import Any

from django.http import JsonResponse

from tms_project.api.codes import default_code
from tms_project.jsonlog import request_id_var

# Headers that describe a response's body: a replaced response drops these and keeps every other
# (Allow, Retry-After, WWW-Authenticate, the security and CORS headers, ...).
BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding", "content-language"})


def default_message(status: int) -> str:
    try:
        return HTTPStatus(status).phrase + "."
    except ValueError:
        return "Error."


def error_body(
    status: int,
    *,
    code: str | None = None,
    message: str | None = None,
    fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "status": status,
        "code": code or default_code(status),
        "message": message or default_message(status),
    }
    if fields is not None:
        error["fields"] = fields
    error["request_id"] = request_id_var.get()
    return {"error": error}


def error_response(status: int, **kwargs: Any) -> JsonResponse:
    return JsonResponse(error_body(status, **kwargs), status=status)
