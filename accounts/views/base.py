"""The base views of /api/auth/: nothing an account endpoint answers is kept by any cache."""

from django.http import HttpResponseBase
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.authentication import PublicEndpointAuthentication


class AccountView(APIView):
    """Answers carry tokens or personal data: ``Cache-Control: no-store`` on every one, errors too."""

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args, **kwargs
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        response.headers["Cache-Control"] = "no-store"
        return response


class PublicView(AccountView):
    authentication_classes = [PublicEndpointAuthentication]
    permission_classes = [AllowAny]
