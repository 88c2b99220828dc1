"""Two-factor sign-in: a signed-in person's authenticator and recovery codes; a sign-in's second step."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.login_budget import login_succeeded
from accounts.serializers import LoginResponseSerializer
from accounts.services.sessions import IssuedTokens, session_start
from accounts.two_factor.challenge import challenge_attempts, challenge_live
from accounts.two_factor.errors import ChallengeInvalid, SignInCodeInvalid
from accounts.two_factor.qr import qr_svg
from accounts.two_factor.serializers import (
    ConfirmSerializer,
    EnrolmentSerializer,
    LoginSecondStepSerializer,
    ReauthenticateSerializer,
    RecoveryCodesSerializer,
    TwoFactorStatusSerializer,
)
from accounts.two_factor.services import (
    challenge_answer,
    enrolment_confirm,
    enrolment_start,
    recovery_codes_renew,
    two_factor_disable,
    two_factor_status,
)
from accounts.views.base import AccountView, PublicView, signed_in_user
from accounts.views.tokens import token_response, user_agent
from tms_project import ratelimit
from tms_project.client_ip import client_ip
from tms_project.metrics import LOGINS

ALREADY_ENABLED = OpenApiResponse(description="Two-factor sign-in is already enabled (`already_enabled`)")
NOT_ENABLED = OpenApiResponse(description="Two-factor sign-in is not enabled (`not_enabled`)")


def _spend_account_budgets(request: Request) -> None:
    """A password and a code are checked: each budget of the account is spent, right or wrong."""
    ratelimit.hit(request, "mfa_account", f"user:{request.user.pk}")
    ratelimit.hit(request, "password_account", f"user:{request.user.pk}")


class TwoFactorStatusView(AccountView):
    @extend_schema(responses={200: TwoFactorStatusSerializer}, summary="Two-factor sign-in: status")
    def get(self, request: Request) -> Response:
        state = two_factor_status(user=signed_in_user(request))
        return Response(TwoFactorStatusSerializer(state).data)


class TOTPEnrolView(AccountView):
    @extend_schema(
        request=None,
        responses={201: EnrolmentSerializer, 409: ALREADY_ENABLED},
        summary="Two-factor sign-in: start enrolling an authenticator app",
        description="A new secret each time until one is confirmed; it counts only once confirmed.",
    )
    def post(self, request: Request) -> Response:
        # Drawing the QR code takes tens of milliseconds: limited with the account's other changes.
        ratelimit.hit(request, "account_change", f"user:{request.user.pk}")
        enrolment = enrolment_start(user=signed_in_user(request))
        body = {
            "secret": enrolment.secret,
            "otpauth_uri": enrolment.otpauth_uri,
            "qr_svg": qr_svg(enrolment.otpauth_uri),
        }
        return Response(EnrolmentSerializer(body).data, status=status.HTTP_201_CREATED)


class TOTPConfirmView(AccountView):
    @extend_schema(
        request=ConfirmSerializer,
        responses={200: RecoveryCodesSerializer, 409: ALREADY_ENABLED},
        summary="Two-factor sign-in: confirm with a code, get the recovery codes",
        description=(
            "Needs the password and a code from the new authenticator app; 400 when the password is "
            "wrong, `invalid_code` for a wrong code, `not_enrolled` before POST /api/auth/2fa/totp/."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _spend_account_budgets(request)
        codes = enrolment_confirm(user=signed_in_user(request), **serializer.validated_data)
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


class TOTPDisableView(AccountView):
    @extend_schema(
        request=ReauthenticateSerializer,
        responses={204: None, 409: NOT_ENABLED},
        summary="Two-factor sign-in: disable",
        description="Needs the password and a code (or a recovery code); 400 when either is wrong.",
    )
    def post(self, request: Request) -> Response:
        serializer = ReauthenticateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _spend_account_budgets(request)
        two_factor_disable(user=signed_in_user(request), **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecoveryCodesView(AccountView):
    @extend_schema(
        request=ReauthenticateSerializer,
        responses={200: RecoveryCodesSerializer, 409: NOT_ENABLED},
        summary="Two-factor sign-in: replace the recovery codes",
        description="Needs the password and a code (or a recovery code); the old codes stop working.",
    )
    def post(self, request: Request) -> Response:
        serializer = ReauthenticateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _spend_account_budgets(request)
        codes = recovery_codes_renew(user=signed_in_user(request), **serializer.validated_data)
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


class LoginSecondStepView(PublicView):
    @extend_schema(
        request=LoginSecondStepSerializer,
        responses={200: LoginResponseSerializer},
        summary="Sign in: the second step (a code)",
        description=(
            "After POST /api/auth/login/ answered `mfa_required`: the `mfa_token` with `code` or "
            "`recovery_code`. Answers as a sign-in does (the refresh token in the cookie when the first "
            "step asked for it). 401 `invalid_code` (wrong or already used code), 401 `mfa_token_invalid` "
            "(unknown, used, older than 5 minutes, or 5 wrong codes): sign in again."
        ),
    )
    def post(self, request: Request) -> Response:
        try:
            ratelimit.hit(request, "mfa_ip")
        except ratelimit.RateLimited:
            LOGINS.labels("throttled").inc()
            raise
        serializer = LoginSecondStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tokens: IssuedTokens | None = None
        with transaction.atomic():
            challenge = challenge_live(token=data["mfa_token"])
            if challenge is None or not challenge.user.is_active:
                LOGINS.labels("mfa_failure").inc()
                raise ChallengeInvalid
            try:
                ratelimit.hit(request, "mfa_account", f"user:{challenge.user_id}")
            except ratelimit.RateLimited:
                LOGINS.labels("throttled").inc()
                raise
            accepted = challenge_answer(
                challenge=challenge, code=data.get("code", ""), recovery_code=data.get("recovery_code", "")
            )
            if accepted:
                tokens = session_start(
                    user=challenge.user, user_agent=user_agent(request), ip_address=client_ip(request)
                )
        if tokens is None:
            LOGINS.labels("mfa_failure").inc()
            raise SignInCodeInvalid
        LOGINS.labels("success").inc()
        response = token_response(request, tokens, use_cookie=challenge.use_cookie, with_user=True)
        # Only now is the sign-in whole: the password attempt is given back, the device cookie set.
        login_succeeded(
            request, response, user=challenge.user, attempts=challenge_attempts(token=data["mfa_token"])
        )
        return response
