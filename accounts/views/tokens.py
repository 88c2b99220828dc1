"""Sign-up, sign-in, refresh and sign-out."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.cookies import clear_refresh_cookie, enforce_csrf, refresh_cookie, set_refresh_cookie
from accounts.errors import SessionInvalid
from accounts.login_budget import login_attempt, login_succeeded
from accounts.models import User
from accounts.selectors import user_find_by_login
from accounts.serializers import (
    LOGIN_RESULT,
    SECOND_FACTOR_METHODS,
    LoginSerializer,
    LogoutSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from accounts.services.sessions import (
    IssuedTokens,
    refresh_claims,
    session_end,
    session_refresh,
    session_start,
)
from accounts.services.users import credentials_check, user_register
from accounts.two_factor.challenge import challenge_create
from accounts.two_factor.services import two_factor_enabled
from accounts.views.base import PublicView
from tms_project import ratelimit
from tms_project.api.errors import error_response
from tms_project.claims import SESSION_CLAIM
from tms_project.client_ip import client_ip
from tms_project.metrics import LOGINS


class InvalidCredentials(AuthenticationFailed):
    default_detail = "The username or password is incorrect."
    default_code = "invalid_credentials"


def user_agent(request: Request) -> str:
    return request.headers.get("User-Agent", "")


def token_response(request: Request, tokens: IssuedTokens, *, use_cookie: bool, with_user: bool) -> Response:
    body: dict[str, Any] = {"access": tokens.access}
    if not use_cookie:
        body["refresh"] = tokens.refresh
    if with_user:
        body["user"] = UserSerializer(tokens.session.user).data
    response = Response(body)
    if use_cookie:
        set_refresh_cookie(request, response, tokens.refresh)
    return response


def _session_ended(from_cookie: bool) -> HttpResponse:
    response = error_response(
        401, code="token_not_valid", message="The refresh token is invalid or expired; sign in again."
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    if from_cookie:
        clear_refresh_cookie(response)
    return response


def _presented_refresh(request: Request, body_value: str | None) -> tuple[str | None, bool]:
    """The refresh token from the body, else from the cookie (which then needs CSRF proof)."""
    if body_value:
        return body_value, False
    cookie = refresh_cookie(request)
    if cookie:
        enforce_csrf(request)
    return cookie, bool(cookie)


def _read_refresh(
    request: Request, serializer_class: type[RefreshSerializer | LogoutSerializer]
) -> tuple[dict[str, Any], str | None, bool]:
    """Rate-limit, validate, and find the refresh token (body, else cookie) of a refresh or logout.

    The address's budget is a ceiling for a whole office behind one address and comes first,
    before the body is parsed; each session's own budget is counted once its token is verified
    (``_session_claims``)."""
    ratelimit.hit(request, "refresh_ip")
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    raw, from_cookie = _presented_refresh(request, serializer.validated_data.get("refresh"))
    return serializer.validated_data, raw, from_cookie


def _session_claims(request: Request, raw: str) -> dict[str, Any]:
    """The verified claims of a presented refresh token, counted against its session's budget.

    Verifying costs a signature check and no database work; the session's row is locked only
    after the count, so a client looping on refresh is refused before it reaches the database."""
    claims = refresh_claims(raw_refresh=raw)
    ratelimit.hit(request, "refresh_session", f"session:{claims[SESSION_CLAIM]}")
    return claims


def _second_factor_required(
    user: User, *, use_cookie: bool, attempts: list[ratelimit.Attempt | None]
) -> Response:
    """The password was right and the account has two-factor sign-in: a challenge, no tokens yet.

    The password attempt is not given back and no device cookie is set here: both wait
    for the second step (accounts.two_factor.views.LoginSecondStepView), because only a
    whole sign-in proves the device is the owner's. Someone who knows the password but
    not the code keeps spending the account's password budget, and gets no device budget.
    """
    LOGINS.labels("mfa_required").inc()
    token = challenge_create(user=user, use_cookie=use_cookie, attempts=attempts)
    return Response({"mfa_required": True, "mfa_token": token, "methods": list(SECOND_FACTOR_METHODS)})


class RegisterView(PublicView):
    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer}, summary="Create an account")
    def post(self, request: Request) -> Response:
        ratelimit.hit(request, "register_ip")
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(PublicView):
    @extend_schema(
        request=LoginSerializer,
        responses={200: LOGIN_RESULT},
        summary="Sign in",
        description=(
            "Answers the tokens, or, for an account with two-factor sign-in, `mfa_required` and an "
            "`mfa_token` for POST /api/auth/login/2fa/ (no tokens yet)."
        ),
    )
    def post(self, request: Request) -> Response:
        try:
            ratelimit.hit(request, "login_ip")
        except ratelimit.RateLimited:
            LOGINS.labels("throttled").inc()
            raise
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = user_find_by_login(data["username"])
        try:
            attempts = login_attempt(request, user=user, login_name=data["username"])
        except ratelimit.RateLimited:
            LOGINS.labels("throttled").inc()
            raise
        # Checked first, so that an unknown name costs the same hashing as a wrong password.
        if not credentials_check(user=user, password=data["password"]) or user is None:
            LOGINS.labels("failure").inc()
            raise InvalidCredentials
        if two_factor_enabled(user=user):
            return _second_factor_required(user, use_cookie=data["use_cookie"], attempts=attempts)
        LOGINS.labels("success").inc()
        tokens = session_start(user=user, user_agent=user_agent(request), ip_address=client_ip(request))
        response = token_response(request, tokens, use_cookie=data["use_cookie"], with_user=True)
        login_succeeded(request, response, user=user, attempts=attempts)  # the budget is for failures
        return response


class RefreshView(PublicView):
    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer}, summary="Rotate tokens")
    def post(self, request: Request) -> HttpResponse:
        data, raw, from_cookie = _read_refresh(request, RefreshSerializer)
        if not raw:
            return _session_ended(from_cookie=False)
        try:
            claims = _session_claims(request, raw)
            tokens = session_refresh(claims=claims, user_agent=user_agent(request))
        except SessionInvalid:
            return _session_ended(from_cookie)
        use_cookie = data["use_cookie"] or from_cookie
        return token_response(request, tokens, use_cookie=use_cookie, with_user=False)


class LogoutView(PublicView):
    @extend_schema(request=LogoutSerializer, responses={204: None}, summary="Sign out")
    def post(self, request: Request) -> HttpResponse:
        response = self._end(request)
        # The browser's cache of this origin goes too: task-service reads are cacheable
        # (private, revalidated by ETag), and a shared computer keeps nothing of the person.
        response["Clear-Site-Data"] = '"cache"'
        return response

    def _end(self, request: Request) -> HttpResponse:
        _, raw, from_cookie = _read_refresh(request, LogoutSerializer)
        if not raw:
            return _session_ended(from_cookie=False)
        try:
            session_end(claims=_session_claims(request, raw))
        except SessionInvalid:
            return _session_ended(from_cookie)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_refresh_cookie(response)
        return response
