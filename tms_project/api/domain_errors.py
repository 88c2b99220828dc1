"""The HTTP answer to each kind of domain error (tms_project.errors), in the one error body.

A refusal becomes the DRF exception whose body and status it always had, so the
exception handler renders it like any other: field errors a 400 ``invalid`` with
``fields``, a missing object a 404, a gone account a 401 with WWW-Authenticate, a forbidden
write a 403.
"""

from rest_framework import exceptions

from tms_project.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
    Unprocessable,
)

# Kinds answered with their own message and code.
STATUS_BY_KIND: dict[type[DomainError], int] = {
    Conflict: 409,
    PreconditionFailed: 412,
    Unprocessable: 422,
}


def api_exception_for(exc: DomainError) -> exceptions.APIException:
    if isinstance(exc, InvalidInput):
        return exceptions.ValidationError(exc.fields)
    if isinstance(exc, NotFound):
        return exceptions.NotFound()
    if isinstance(exc, Forbidden):
        return exceptions.PermissionDenied(exc.message, exc.code)
    if isinstance(exc, Unauthenticated):
        return exceptions.AuthenticationFailed(exc.message, exc.code)
    status = next((s for kind, s in STATUS_BY_KIND.items() if isinstance(exc, kind)), 400)
    api_exc = exceptions.APIException(exc.message, exc.code)
    api_exc.status_code = status
    return api_exc
