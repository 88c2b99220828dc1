"""OpenAPI descriptions of the task service's fields that take ids and answer objects."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction


class _IdsInObjectsOut(OpenApiSerializerFieldExtension):
    """A list field that takes ids and answers objects: its request and response schemas differ."""

    max_items: int
    id_item: dict[str, Any]
    description: str
    object_fields: tuple[str, ...]  # besides ``id``; all strings

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        if direction == "request":
            return {
                "type": "array",
                "items": self.id_item,
                "maxItems": self.max_items,
                "description": self.description,
            }
        properties = {"id": {"type": "integer"}} | {name: {"type": "string"} for name in self.object_fields}
        return {
            "type": "array",
            "items": {"type": "object", "properties": properties, "required": list(properties)},
        }


class TaskLabelsFieldExtension(_IdsInObjectsOut):
    """Label ids going in, label objects coming out."""

    target_class = "tasks.serializers.TaskLabelsField"
    max_items, id_item, description = 20, {"type": "integer"}, "Label ids."
    object_fields = ("name", "colour")


class TaskAssigneesFieldExtension(_IdsInObjectsOut):
    """User ids going in, people coming out."""

    target_class = "tasks.serializers.TaskAssigneesField"
    max_items, id_item = 10, {"type": "integer", "minimum": 1}
    description = "User ids: members of the task's project (on an Inbox task, only you)."
    object_fields = ("username", "display_name")
