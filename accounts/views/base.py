"""The base views of /api/auth/: nothing an account endpoint answers is kept by any cache."""

from typing import Any

from django.http import HttpResponseBase
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.authentication import PublicEndpointAuthentication
from accounts.models import User


def signed_in_user(request: Request) -> User:
    """The account of an authenticated request (JWTAuthentication loads it from the database)."""
    user = request.user
    if not isinstance(user, User):  # AnonymousUser: IsAuthenticated refused it before the handler ran
        raise NotAuthenticated
    return user


class AccountView(APIView):
    """Answers carry tokens or personal data: ``Cache-Control: no-store`` on every one, errors too."""

    # DRF's stubs say Response; DRF takes any HttpResponseBase (error_response() answers are JsonResponse).
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        response.headers["Cache-Control"] = "no-store"
        return response


class PublicView(AccountView):
    authentication_classes = [PublicEndpointAuthentication]
    permission_classes = [AllowAny]
