"""What a service refuses, in the domain's words.

Services raise these, never HTTP exceptions; each app names its own refusals in
``<app>/errors.py`` as subclasses of the kinds below. The API maps a kind to its
status and the documented error body in one place (tms_project.api.domain_errors),
so a service reads the same from a view, the admin or a management command.
"""


class DomainError(Exception):
    """A refusal: a stable ``code`` for programs and a ``message`` for people."""

    code = "error"
    default_message = "The request was refused."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidInput(DomainError):
    """Values the service refuses, by field: ``{"field": ["why", ...]}``."""

    code = "invalid"
    default_message = "Some fields are invalid."

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__()
        self.fields = fields


class NotFound(DomainError):
    """No such object for this user (also when it exists but is someone else's)."""

    code = "not_found"
    default_message = "Not found."


class Forbidden(DomainError):
    """The user may see the object but not do this to it (a viewer's write, say)."""

    code = "permission_denied"
    default_message = "You do not have permission to perform this action."


class Unauthenticated(DomainError):
    """The credentials no longer stand for an account that may act."""

    code = "not_authenticated"
    default_message = "Authentication failed."


class Conflict(DomainError):
    """The request is valid but clashes with the state of the account."""

    code = "conflict"


class PreconditionFailed(DomainError):
    """The object changed since the version the client named."""

    code = "precondition_failed"


class Unprocessable(DomainError):
    """Well-formed, but contradicts an earlier request."""

    code = "unprocessable"
