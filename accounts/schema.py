"""OpenAPI: the public endpoints' authentication (none), and bodies of DELETE requests."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class PublicEndpointScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.PublicEndpointAuthentication"
    name: list[str] = []  # no security scheme component

    def get_security_requirement(self, auto_schema):
        return None

    def get_security_definition(self, auto_schema):
        return []


class BodyOnDeleteAutoSchema(AutoSchema):
    """Documents the request body of a DELETE that needs one (deleting the account takes the password).

    drf-spectacular describes bodies for POST, PUT and PATCH only.
    """

    def _get_request_body(self, direction: str = "request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
