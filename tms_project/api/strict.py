"""Request bodies that say exactly what they take (docs/api.md, "Errors").

DRF turns a JSON number into a string for a text field and ignores fields it
does not know. TMS answers 400 instead: a client sending ``"title": 5`` or a
misspelt ``"titel"`` learns it at once rather than finding its data changed.
The OpenAPI schema says the same (``additionalProperties: false``), so clients
generated from it and the fuzzing suite agree with the server.
"""

import threading
from typing import TYPE_CHECKING, Any

from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

# Serializer names whose request bodies reject unknown fields (read by the schema hook).
STRICT_SERIALIZERS: set[str] = set()

# The mixins go before a Serializer class in the bases; to mypy they are serializers, so that
# self.fields and super().to_internal_value() are known.
if TYPE_CHECKING:
    _SerializerBase = serializers.Serializer
else:
    _SerializerBase = object


class TextOnlyMixin(_SerializerBase):
    """Text fields accept JSON strings only (and null where allowed)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            wrong = {
                name: ["Expected a string."]
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and not field.read_only
                and data.get(name) is not None
                and not isinstance(data[name], str)
            }
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


# Each thread's own fields of each serializer class using FieldsOncePerThreadMixin.
_THREAD_FIELDS = threading.local()


class FieldsOncePerThreadMixin(_SerializerBase):
    """The serializer's fields are built once per thread, not once per request as DRF does.

    DRF deep-copies every declared field for each new serializer: a tenth of a list request
    (a dozen query parameters) and of a create (a task's twenty fields; docs/performance.md).
    For a serializer whose fields keep no state while validating, and that is given no context
    (nor an instance its fields' validators would look at), one set per thread and per
    ``partial`` gives the same answers: the fields are bound to a serializer of the thread's own,
    so no two requests use one at the same time. With a context or an instance, DRF's own copy is
    made.
    """

    @cached_property
    def fields(self) -> BindingDict:
        if self._context or self.instance is not None:
            return super().fields
        prepared: dict[tuple[type, bool], BindingDict] = _THREAD_FIELDS.__dict__.setdefault("fields", {})
        key = (type(self), bool(self.partial))
        fields = prepared.get(key)
        if fields is None:
            # What DRF's Serializer.fields builds, bound to a serializer of the thread's own.
            owner = type(self)(partial=self.partial)
            fields = prepared[key] = BindingDict(owner)
            for name, field in owner.get_fields().items():
                fields[name] = field
        return fields


class QueryParametersSerializer(FieldsOncePerThreadMixin, serializers.Serializer):
    """Query parameters: a parameter given empty (``?cursor=``) is a 400, not silently the default."""

    def to_internal_value(self, data: Any) -> Any:
        # fields.keys(): iterating the fields gives their names, which the stubs type as the fields.
        if hasattr(data, "getlist"):
            empty = sorted(name for name in self.fields.keys() if name in data and "" in data.getlist(name))  # noqa: SIM118
            if empty:
                raise serializers.ValidationError({name: ["Must not be empty."] for name in empty})
        return super().to_internal_value(data)


class RejectUnknownFieldsMixin(TextOnlyMixin):
    """A misspelt field is a 400, not a silent no-op; read-only fields are ignored."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        STRICT_SERIALIZERS.add(cls.__name__.removesuffix("Serializer"))

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields.keys()))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A body's boolean is JSON true or false: not 0, 1, "yes" or "on" (a form's spellings)."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            raise serializers.ValidationError("Expected true or false.")
        return data
