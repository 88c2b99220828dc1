"""OpenAPI: every operation documents the shared error body (docs/api.md); strict bodies say so;
conditional GETs document their ETag and 304."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent
from rest_framework.request import Request

from tms_project.api.strict import STRICT_SERIALIZERS

# A GET of a view with ``conditional_gets`` (tms_project.api.conditional): its ETag, and 304.
ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "A validator of this body for you; a task's begins with its version"
    ' ("7-1f0c2a9b3d4e5f60"). Send it as If-None-Match to be answered 304 while it is current.',
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETags of copies you hold (or *): 304 with no body when one is current.",
}
NOT_MODIFIED = {
    "description": "Not Modified: the copy named by If-None-Match is current; no body",
    "headers": {"ETag": ETAG_HEADER},
}


class TmsAutoSchema(AutoSchema):
    """A paged list's body is the component ``<Item>Page`` (or the view's ``page_schema_name``):
    ``{results, next, previous}`` as KeysetPagination.get_paginated_response_schema describes it.
    A GET of a view with ``conditional_gets`` takes If-None-Match and may answer 304."""

    def get_paginated_name(self, serializer_name: str) -> str:
        return getattr(self.view, "page_schema_name", None) or f"{serializer_name}Page"

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: ComponentRegistry
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None and method == "GET" and getattr(self.view, "conditional_gets", False):
            operation.setdefault("parameters", []).append(dict(IF_NONE_MATCH))
            responses = operation["responses"]
            for status in ("200", 200):
                if status in responses:
                    responses[status].setdefault("headers", {})["ETag"] = ETAG_HEADER
            responses.setdefault("304", NOT_MODIFIED)
        return operation


class BearerScheme(OpenApiAuthenticationExtension):
    """One security scheme, ``bearerAuth``, for every operation that takes an access token.

    The account service checks the token with simplejwt's JWTAuthentication (it loads the user), the
    task service with its subclass JWTStatelessUserAuthentication (the public key only). Both take the
    same token in ``Authorization: Bearer``, but drf-spectacular names a scheme per authentication
    class, so Swagger UI asked for the token twice.
    """

    target_class = "rest_framework_simplejwt.authentication.JWTAuthentication"
    match_subclasses = True
    priority = 2  # over drf-spectacular's SimpleJWTScheme
    name: list[str] = []  # registered below under one identity, not one per authentication class
    scheme_name = "bearerAuth"

    def get_security_requirement(self, auto_schema: AutoSchema) -> dict[str, list[Any]]:
        definition = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The access token from POST /api/auth/login/ or /api/auth/refresh/, "
            "for /api/auth/ and /api/tasks/ alike.",
        }
        auto_schema.registry.register_on_missing(
            ResolvedComponent(
                name=self.scheme_name,
                type=ResolvedComponent.SECURITY_SCHEMA,
                object=BearerScheme,
                schema=definition,
            )
        )
        return {self.scheme_name: []}

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return []


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "request_id"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
                "request_id": {"type": "string", "nullable": True},
            },
        }
    },
}

# Statuses any operation can answer, whatever its own documented ones.
COMMON_ERRORS = {
    "400": "Malformed JSON or invalid values",
    "401": "Missing, invalid or expired credentials",
    "403": "Not allowed",
    "404": "No such route or object",
    "405": "Method not allowed",
    "413": "Body too large",
    "414": "Request line (path and query string) too long",
    "415": "Body is not JSON",
    "429": "Rate limited; see Retry-After",
    "431": "Request headers too large",
    "500": "Unexpected error",
    "503": "Temporarily unavailable; see Retry-After",
}


def mark_strict_request_bodies(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """Request bodies of strict serializers take no other fields (tms_project.api.strict)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in STRICT_SERIALIZERS:
        for component in (f"{name}Request", f"Patched{name}Request"):
            if component in schemas:
                schemas[component]["additionalProperties"] = False
    return result


# Statuses an operation can answer because it takes this request header.
HEADER_ERRORS = {
    "If-Match": ("412", "The task changed since the ETag you sent; nothing was written"),
    "Idempotency-Key": ("422", "This Idempotency-Key was used with a different body"),
}


def add_error_responses(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, {"description": description, "content": reference})
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") in HEADER_ERRORS:
                    status, description = HEADER_ERRORS[parameter["name"]]
                    responses.setdefault(status, {"description": description, "content": reference})
            # An error a view documents itself (a description only) has the same body.
            for status, response in responses.items():
                if str(status)[:1] in ("4", "5"):
                    response.setdefault("content", reference)
    return result
