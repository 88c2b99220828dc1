"""OpenAPI description of the public endpoints' authentication: none."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PublicEndpointScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.PublicEndpointAuthentication"
    name: list[str] = []  # no security scheme component

    def get_security_requirement(self, auto_schema):
        return None

    def get_security_definition(self, auto_schema):
        return []
