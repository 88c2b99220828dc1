"""DRF exception handler: every API error leaves in the shape of ``error_body``.

Domain errors raised by services (tms_project.errors) are mapped to HTTP here first
(tms_project.api.domain_errors), then rendered like every other error."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from tms_project import db_failover
from tms_project.api.domain_errors import api_exception_for
from tms_project.api.errors import error_body
from tms_project.errors import DomainError

logger = logging.getLogger("tms.api")


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [msg for value in detail.values() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def _body_for(exc: exceptions.APIException, status: int) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        return error_body(status, code="invalid", message="Some fields are invalid.", fields=exc.detail)
    code = "invalid" if isinstance(exc, exceptions.ValidationError) else _code_of(exc)
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:
        # simplejwt's token errors: {"detail": ..., "code": ..., "messages": [...]}
        return error_body(status, code=str(detail.get("code", code)), message=str(detail["detail"]))
    return error_body(status, code=code, message=" ".join(_flatten(detail)))


def _from_domain(exc: DomainError, context: dict[str, Any]) -> exceptions.APIException:
    """The API exception of a service's refusal, with what DRF's view adds to one it catches itself."""
    api_exc = api_exception_for(exc)
    view, request = context.get("view"), context.get("request")
    if isinstance(api_exc, exceptions.AuthenticationFailed) and view is not None:
        # As APIView.handle_exception does: a 401 names the scheme, or is a 403 without one.
        auth_header = view.get_authenticate_header(request)
        if auth_header:
            # exception_handler reads it with getattr; the stubs do not declare this attribute DRF sets.
            api_exc.auth_header = auth_header  # type: ignore[attr-defined]
        else:
            api_exc.status_code = 403
    return api_exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, DomainError):
        exc = _from_domain(exc, context)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, SuspiciousOperation):
        # e.g. more query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS: the client's fault
        exc = exceptions.ParseError("The request is malformed or has too many parameters.")
    # DRF's handler answers API exceptions only (and Django's 404 and 403, converted above).
    if isinstance(exc, exceptions.APIException):
        response = exception_handler(exc, context)
        if response is not None:
            response.data = _body_for(exc, response.status_code)
            return response

    set_rollback()
    if db_failover.is_unavailable(exc):
        # The database is unreachable, went away or refused the transaction: retryable, and
        # retried once at once when nothing was written (tms_project.db_failover).
        request = context.get("request")
        body = db_failover.unavailable_response(exc, getattr(request, "_request", request))
        return Response(body, status=503, headers=db_failover.retry_after_headers())
    if isinstance(exc, DatabaseError):
        logger.error("database error", exc_info=exc)
    else:
        logger.error("unhandled error", exc_info=exc)
    return Response(error_body(500, message="An unexpected error occurred."), status=500)
