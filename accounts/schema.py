"""OpenAPI: the public endpoints' authentication (none), and bodies of DELETE requests."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class PublicEndpointScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.PublicEndpointAuthentication"
    name: list[str] = []  # no security scheme component

    # drf-spectacular leaves out the None it documents and handles ("no requirement").
    def get_security_requirement(self, auto_schema: AutoSchema) -> None:  # type: ignore[override]
        return None

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return []


class BodyOnDeleteAutoSchema(AutoSchema):
    """Documents the request body of a DELETE that needs one (deleting the account takes the password).

    drf-spectacular describes bodies for POST, PUT and PATCH only.
    """

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
