"""The task service's refusals (kinds in tms_project.errors; HTTP in tms_project.api.domain_errors)."""

from tms_project.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
    Unprocessable,
)


class TaskInvalid(InvalidInput):
    """A task, label, move or bulk action names values that cannot be used."""


class TaskNotFound(NotFound):
    pass


class LabelNotFound(NotFound):
    pass


class TaskChanged(PreconditionFailed):
    default_message = "The task changed since you read it; fetch it again and retry."


class OwnerGone(Unauthenticated):
    """A valid access token can outlive its account by a few minutes."""

    code = "account_deleted"
    default_message = "This account no longer exists."


class QuotaExceeded(Conflict):
    code = "quota_exceeded"
    default_message = "This would exceed a quota of your account."


class KeyInFlight(Conflict):
    code = "idempotency_key_in_use"
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly."


class KeyReusedWithOtherBody(Unprocessable):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different request body."
