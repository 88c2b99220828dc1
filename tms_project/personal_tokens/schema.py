"""OpenAPI: the security scheme of personal access tokens, beside the JWT one (bearerAuth)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tms_project.personal_tokens.authentication.PersonalTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tms_pat_…",
            "description": (
                "A personal access token from POST /api/auth/tokens/, for /api/tasks/ only: "
                "tasks:read reads, tasks:write also writes, webhooks:manage manages "
                "/api/tasks/webhooks/. Unknown, revoked or expired: 401 token_not_valid; "
                "a missing scope: 403 insufficient_scope."
            ),
        }
