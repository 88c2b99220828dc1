"""The auth service's refusals (kinds in tms_project.errors; HTTP in tms_project.api.domain_errors)."""

from tms_project.errors import InvalidInput


class AccountInvalid(InvalidInput):
    """A registration, profile, password or email change names values that cannot be used."""


class EmailLinkInvalid(AccountInvalid):
    def __init__(self) -> None:
        super().__init__({"token": ["This link is invalid, expired or has already been used."]})


class SessionInvalid(Exception):
    """The refresh token is not, or no longer, valid: the client must sign in again."""
