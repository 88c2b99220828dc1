"""Refusals of two-factor sign-in (kinds in tms_project.errors; HTTP in tms_project.api.domain_errors)."""

from tms_project.errors import Conflict, DomainError, Unauthenticated


class CodeInvalid(DomainError):
    """A signed-in person's code (enrolment, disabling, new recovery codes) is wrong or was used: 400."""

    code = "invalid_code"
    default_message = "The code is incorrect or has already been used."


class NotEnrolled(DomainError):
    """Confirming without a started enrolment: 400."""

    code = "not_enrolled"
    default_message = "Start the enrolment first (POST /api/auth/2fa/totp/)."


class AlreadyEnabled(Conflict):
    code = "already_enabled"
    default_message = "Two-factor sign-in is already enabled; disable it first to enrol a new authenticator."


class NotEnabled(Conflict):
    code = "not_enabled"
    default_message = "Two-factor sign-in is not enabled for this account."


class SignInCodeInvalid(Unauthenticated):
    """The second step of a sign-in with a wrong or replayed code: 401, the challenge stays (if not spent)."""

    code = "invalid_code"
    default_message = "The code is incorrect or has already been used."


class ChallengeInvalid(Unauthenticated):
    """The sign-in challenge is unknown, expired, used, or spent by wrong codes: sign in again."""

    code = "mfa_token_invalid"
    default_message = "The sign-in has expired or was already used; sign in again with your password."
