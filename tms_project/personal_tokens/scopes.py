"""What a personal access token may do: its scopes, and the one a request needs.

The rule reads the request's method and path (and an optional view attribute), so a view added
later is covered without a change here: everything under /api/tasks/ needs ``tasks:read`` to
read and ``tasks:write`` to write, except /api/tasks/webhooks/, which needs ``webhooks:manage``.
"""

from typing import Any

from rest_framework.permissions import SAFE_METHODS

TASKS_READ = "tasks:read"
TASKS_WRITE = "tasks:write"
WEBHOOKS_MANAGE = "webhooks:manage"
SCOPES = (TASKS_READ, TASKS_WRITE, WEBHOOKS_MANAGE)

TASKS_PREFIX = "/api/tasks/"
WEBHOOKS_PREFIX = "/api/tasks/webhooks/"

# Scopes that bring others with them: whoever may write may read.
IMPLIED: dict[str, frozenset[str]] = {TASKS_WRITE: frozenset({TASKS_READ})}


def granted(scopes: list[str]) -> frozenset[str]:
    """The scopes a token holds, the implied ones included."""
    held = set(scopes)
    for scope in scopes:
        held |= IMPLIED.get(scope, frozenset())
    return frozenset(held)


def required_scope(method: str, path: str, view: Any = None) -> str | None:
    """The scope a request needs, or None where no token is accepted (outside /api/tasks/).

    A view may name its scope with a ``personal_token_scope`` attribute; without one,
    /api/tasks/webhooks/... needs ``webhooks:manage`` whatever the method.
    """
    if not path.startswith(TASKS_PREFIX):
        return None
    named = getattr(view, "personal_token_scope", None)
    if named is not None:
        return str(named)
    if path.startswith(WEBHOOKS_PREFIX):
        return WEBHOOKS_MANAGE
    return TASKS_READ if method in SAFE_METHODS else TASKS_WRITE
