"""OpenAPI description of the task service's token check."""

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction


class StatelessJWTScheme(SimpleJWTScheme):
    target_class = "rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication"
    name = "jwtAuthStateless"
    priority = 1

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        definition = super().get_security_definition(auto_schema)
        definition["description"] = (
            "The same access token as jwtAuth, verified by the task service with the public key."
        )
        return definition


class TaskLabelsFieldExtension(OpenApiSerializerFieldExtension):
    """Label ids going in, label objects coming out."""

    target_class = "tasks.serializers.TaskLabelsField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        if direction == "request":
            return {
                "type": "array",
                "items": {"type": "integer"},
                "maxItems": 20,
                "description": "Label ids.",
            }
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "colour": {"type": "string"},
                },
                "required": ["id", "name", "colour"],
            },
        }


class TaskAssigneesFieldExtension(OpenApiSerializerFieldExtension):
    """User ids going in, people coming out."""

    target_class = "tasks.serializers.TaskAssigneesField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        if direction == "request":
            return {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "maxItems": 10,
                "description": "User ids: members of the task's project (on an Inbox task, only you).",
            }
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "username": {"type": "string"},
                    "display_name": {"type": "string"},
                },
                "required": ["id", "username", "display_name"],
            },
        }
