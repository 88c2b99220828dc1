"""Refusals about personal access tokens (kinds in tms_project.errors)."""

from tms_project.errors import Conflict, InvalidInput


class TokenQuotaExceeded(Conflict):
    code = "quota_exceeded"


class TokenInvalid(InvalidInput):
    """A new token names values that cannot be used (a project the person cannot read)."""
