"""The signed-in user's own account: profile, password, deletion; and password reset."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.tokens import Token

from accounts.cookies import clear_refresh_cookie
from accounts.schema import BodyOnDeleteAutoSchema
from accounts.serializers import (
    AccountDeleteSerializer,
    DetailSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from accounts.services.users import (
    password_change,
    password_check,
    password_reset_confirm,
    password_reset_request,
    user_delete,
    user_update,
)
from accounts.views.base import AccountView, PublicView, signed_in_user
from tms_project import ratelimit
from tms_project.claims import SESSION_CLAIM


def current_session_id(request: Request) -> int | None:
    """The session (``sid``) of the access token; a number, even when the token wrote its digits."""
    token = request.auth
    if not isinstance(token, Token):
        return None
    session_id = token.get(SESSION_CLAIM)  # accounts.tokens.check_claim_types: an id, int or digits
    return int(session_id) if session_id is not None else None


def reauthenticate(request: Request, password: str) -> None:
    """A sensitive change: counted against the account's change and password budgets, then checked.

    The change budget also throttles what a refused change reveals ("that name is
    taken"), as tightly as registration does per address.
    """
    ratelimit.hit(request, "account_change", f"user:{request.user.pk}")
    ratelimit.hit(request, "password_account", f"user:{request.user.pk}")
    password_check(user=signed_in_user(request), password=password)


class MeView(AccountView):
    schema = BodyOnDeleteAutoSchema()

    @extend_schema(responses={200: UserSerializer}, summary="The signed-in user")
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        request=UserUpdateSerializer,
        responses={200: UserSerializer},
        summary="Update profile",
        description=(
            "A new `username` needs `current_password`. The email address changes through "
            "`POST /api/auth/email/change/`, which a link to the new address confirms."
        ),
    )
    def patch(self, request: Request) -> Response:
        serializer = UserUpdateSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        password = data.pop("current_password", None)
        if "username" in data:
            reauthenticate(request, password)
        user = user_update(user=signed_in_user(request), data=data)
        return Response(UserSerializer(user).data)

    @extend_schema(request=AccountDeleteSerializer, responses={204: None}, summary="Delete the account")
    def delete(self, request: Request) -> HttpResponse:
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ratelimit.hit(request, "password_account", f"user:{request.user.pk}")
        user_delete(user=signed_in_user(request), password=serializer.validated_data["password"])
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_refresh_cookie(response)
        return response


class PasswordChangeView(AccountView):
    @extend_schema(request=PasswordChangeSerializer, responses={204: None}, summary="Change password")
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ratelimit.hit(request, "password_account", f"user:{request.user.pk}")
        password_change(
            user=signed_in_user(request),
            keep_session_id=current_session_id(request),
            **serializer.validated_data,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicView):
    @extend_schema(
        request=PasswordResetSerializer, responses={202: DetailSerializer}, summary="Mail a reset link"
    )
    def post(self, request: Request) -> Response:
        ratelimit.hit(request, "reset_ip")
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        ratelimit.hit(request, "reset_account", email.strip().lower())
        password_reset_request(email=email)
        return Response(
            {"detail": "If an account uses this address, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PublicView):
    @extend_schema(
        request=PasswordResetConfirmSerializer, responses={204: None}, summary="Set a new password"
    )
    def post(self, request: Request) -> Response:
        ratelimit.hit(request, "reset_ip")
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
