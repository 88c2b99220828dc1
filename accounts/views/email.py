"""Changing the account's email address: request (re-authenticated), confirm, undo."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.serializers import DetailSerializer, EmailChangeSerializer, EmailLinkSerializer, UserSerializer
from accounts.services.email_change import email_change_confirm, email_change_request, email_change_revert
from accounts.views.account import reauthenticate
from accounts.views.base import AccountView, PublicView, signed_in_user
from tms_project import ratelimit


class EmailChangeView(AccountView):
    @extend_schema(
        request=EmailChangeSerializer,
        responses={202: DetailSerializer},
        summary="Change the email address",
        description=(
            "Needs the current password. Nothing changes yet: a confirmation link goes to the new "
            "address. The answer is the same whether or not another account uses that address."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = EmailChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reauthenticate(request, serializer.validated_data["current_password"])
        email_change_request(user=signed_in_user(request), new_email=serializer.validated_data["email"])
        return Response(
            {
                "detail": "A confirmation link is on its way to the new address; "
                "your email changes when it is opened."
            },
            status=status.HTTP_202_ACCEPTED,
        )


class EmailConfirmView(PublicView):
    @extend_schema(
        request=EmailLinkSerializer, responses={200: UserSerializer}, summary="Confirm a new email address"
    )
    def post(self, request: Request) -> Response:
        ratelimit.hit(request, "reset_ip")
        serializer = EmailLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = email_change_confirm(token=serializer.validated_data["token"])
        return Response(UserSerializer(user).data)


class EmailRevertView(PublicView):
    @extend_schema(
        request=EmailLinkSerializer,
        responses={200: DetailSerializer},
        summary="Undo an email change",
        description=(
            "From the link mailed to the old address: the account returns to it, every session ends, "
            "the password stops working and a reset link goes to the restored address."
        ),
    )
    def post(self, request: Request) -> Response:
        ratelimit.hit(request, "reset_ip")
        serializer = EmailLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_change_revert(token=serializer.validated_data["token"])
        return Response(
            {
                "detail": "Your email address is restored and every device is signed out. Check that "
                "address for a link to choose a new password."
            }
        )
