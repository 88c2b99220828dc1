"""What a request made with a personal access token may reach: its scopes, and the routes that
need a signed-in person (a view with ``personal_tokens_allowed = False``)."""

from typing import Any

from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tms_project.personal_tokens.authentication import TOKEN_NOT_VALID
from tms_project.personal_tokens.scopes import granted, required_scope
from tms_project.personal_tokens.verify import VerifiedToken

ONLY_TASKS_MESSAGE = "Personal access tokens are accepted on /api/tasks/ only."


class SessionRequired(PermissionDenied):
    default_detail = "This route needs a signed-in session; a personal access token cannot use it."
    default_code = "session_required"


class InsufficientScope(PermissionDenied):
    default_code = "insufficient_scope"

    def __init__(self, scope: str, message: str | None = None) -> None:
        super().__init__(message or f"This personal access token lacks the {scope} scope.", self.default_code)


class PersonalTokenScope(BasePermission):
    """Requests authenticated otherwise pass; a token's must hold the scope its route needs."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, VerifiedToken):
            return True
        if not getattr(view, "personal_tokens_allowed", True):
            raise SessionRequired
        needed = required_scope(request.method or "GET", request.path_info, view)
        if needed is None:
            raise AuthenticationFailed(ONLY_TASKS_MESSAGE, TOKEN_NOT_VALID)
        if needed not in granted(token.scopes):
            raise InsufficientScope(needed)
        return True
