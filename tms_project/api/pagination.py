"""Keyset ("cursor") pagination over an explicit ordering, as a DRF pagination class.

The page after a row is found with a WHERE on the ordering keys of that row,
never with OFFSET and never with COUNT(*): the cost of a page does not grow
with the table, and rows inserted or changed between two page fetches neither
repeat nor go missing among the rows already ordered before the cursor. The
primary key closes every ordering so positions are unique.

A cursor is an opaque token (base64 of JSON) holding the ordering it belongs
to, the key values of the boundary row and the direction. Clients can forge
one, so every value is checked against the type of its key's field (a number
in the column's range, a date, a time with its offset, text) before it reaches
a query: anything else is a 400, like a cursor that does not decode.

A view validates ``cursor`` and ``page_size`` with its query-parameter
serializer and hands them to ``KeysetPagination.paginate_queryset`` with the
``Ordering`` to walk (and, for rows as dicts instead of model instances, the
fields); ``get_paginated_response`` answers
``{"results": [...], "next": url, "previous": url}``, and
``get_paginated_response_schema`` documents that shape in the OpenAPI schema.
"""

import base64
import binascii
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

CURSOR_PARAM = "cursor"
INVALID_CURSOR = "This cursor is invalid or belongs to another ordering."


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    nullable: bool = False  # NULLs always come last in forward order
    expression: Any = None  # when set, ``field`` names this annotation (e.g. Lower("title"))

    def order_expression(self, reverse: bool) -> Any:
        descending = self.descending != reverse
        nulls_last = not reverse
        expression = F(self.field).desc if descending else F(self.field).asc
        if not self.nullable:
            return expression()
        return expression(nulls_last=True) if nulls_last else expression(nulls_first=True)

    def after(self, value: Any, reverse: bool) -> Q:
        """Rows that come strictly after ``value`` on this key alone."""
        nulls_last = not reverse
        if value is None:
            return Q(pk__in=[]) if nulls_last else Q(**{f"{self.field}__isnull": False})
        lookup = "lt" if self.descending != reverse else "gt"
        condition = Q(**{f"{self.field}__{lookup}": value})
        if self.nullable and nulls_last:
            condition |= Q(**{f"{self.field}__isnull": True})
        return condition

    def equal(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.field}__isnull": True})
        return Q(**{self.field: value})


@dataclass(frozen=True)
class Ordering:
    """A named ordering: its keys, then the primary key as the tiebreaker (in the last key's direction).

    The name goes into every cursor, so a cursor of one ordering is refused by another.
    """

    name: str
    keys: tuple[Key, ...] = field(default=())

    @property
    def all_keys(self) -> tuple[Key, ...]:
        return (*self.keys, Key("pk", descending=self.keys[-1].descending if self.keys else False))

    def reversed(self, name: str) -> "Ordering":
        return Ordering(name, tuple(replace(key, descending=not key.descending) for key in self.keys))


# -- cursor values ---------------------------------------------------------------------------------
def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return {"t": value.isoformat()}
    return value


def _time_text(value: Any) -> str:
    if not isinstance(value, dict) or set(value) != {"t"} or not isinstance(value["t"], str):
        raise ValueError("not a date or time")
    return value["t"]


def _decode_datetime(value: Any, field: models.Field) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(_time_text(value))
    if timezone.is_naive(moment):
        raise ValueError("a time without its offset")
    return moment.astimezone(datetime.UTC)  # OverflowError near the ends of the calendar


def _decode_date(value: Any, field: models.Field) -> datetime.date:
    return datetime.date.fromisoformat(_time_text(value))


def _decode_integer(value: Any, field: models.Field) -> int:
    if type(value) is not int:  # bool is an int subclass; floats are not positions
        raise ValueError("not an integer")
    try:
        field.run_validators(value)  # the column's range on this database
    except DjangoValidationError as exc:
        raise ValueError("out of range") from exc
    return value


def _decode_text(value: Any, field: models.Field) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    value.encode()  # UnicodeEncodeError for a lone surrogate, which no database stores
    return value


# Field type -> the decoder of its cursor values; the first match wins (DateTimeField before
# DateField, a subclass of it; IntegerField covers the auto primary keys).
_DECODERS: tuple[tuple[type | tuple[type, ...], Callable[[Any, models.Field], Any]], ...] = (
    (models.DateTimeField, _decode_datetime),
    (models.DateField, _decode_date),
    (models.IntegerField, _decode_integer),
    ((models.CharField, models.TextField), _decode_text),
)


def _decode_value(value: Any, field: models.Field, nullable: bool) -> Any:
    """The value of a key in a cursor, typed for its field; ValueError if it cannot be one."""
    if value is None:
        if nullable:
            return None
        raise ValueError("null for a key that is never null")
    for field_types, decode in _DECODERS:
        if isinstance(field, field_types):
            return decode(value, field)
    raise ValueError(f"no cursor values for {type(field).__name__}")


def _fields(queryset: QuerySet, keys: tuple[Key, ...]) -> list[models.Field]:
    """The field behind each key (an annotation's output field), whose type a value must have."""
    meta, annotations = queryset.model._meta, queryset.query.annotations

    def field_of(key: Key) -> models.Field:
        if key.field in annotations:
            return annotations[key.field].output_field
        return meta.pk if key.field == "pk" else meta.get_field(key.field)

    return [field_of(key) for key in keys]


def _read_cursor(cursor: str, name: str, keys: tuple[Key, ...]) -> dict[str, Any]:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    data = json.loads(raw)
    if (
        not isinstance(data, dict)
        or data.get("o") != name
        or data.get("d") not in ("n", "p")
        or not isinstance(data.get("v"), list)
        or len(data["v"]) != len(keys)
    ):
        raise ValueError("cursor of another ordering")
    return data


def decode_cursor(cursor: str, ordering: Ordering, queryset: QuerySet) -> tuple[list[Any], bool]:
    """The key values and direction (True: backwards) of a cursor, or a 400 on ``cursor``."""
    keys = ordering.all_keys
    try:
        data = _read_cursor(cursor, ordering.name, keys)
        values = [
            _decode_value(value, field, key.nullable)
            for value, field, key in zip(data["v"], _fields(queryset, keys), keys, strict=True)
        ]
    except (binascii.Error, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # ValueError covers bad JSON, dates, numbers and text (UnicodeError is one too)
        raise ValidationError({CURSOR_PARAM: [INVALID_CURSOR]}) from exc
    return values, data["d"] == "p"


def _key_value(row: Model | dict[str, Any], name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def encode_cursor(row: Model | dict[str, Any], ordering: Ordering, direction: str) -> str:
    """A cursor at ``row``: a model instance, or a dict of ``values()`` holding every key ("pk" too)."""
    values = [_encode_value(_key_value(row, key.field)) for key in ordering.all_keys]
    raw = json.dumps({"o": ordering.name, "v": values, "d": direction}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(keys: tuple[Key, ...], values: list[Any], reverse: bool) -> Q:
    condition = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= prefix & key.after(value, reverse)
        prefix &= key.equal(value)
    return condition


# -- the pagination class --------------------------------------------------------------------------
class KeysetPagination(BasePagination):
    """One page of an ordering after (or before) a validated cursor, fetched in a single query."""

    request: Request
    next_link: str | None = None
    previous_link: str | None = None

    def paginate_queryset(  # type: ignore[override]
        self,
        queryset: QuerySet,
        request: Request,
        view: Any = None,
        *,
        ordering: Ordering,
        cursor: str | None,
        page_size: int,
        values: tuple[str, ...] = (),
    ) -> list[Any]:
        """The page's model instances; with ``values``, dicts of those fields instead (``values()``
        rows: no model instance is built), plus the ordering's keys for the cursors."""
        self.request = request
        keys = ordering.all_keys
        annotations = {key.field: key.expression for key in keys if key.expression is not None}
        if annotations:
            queryset = queryset.annotate(**annotations)
        reverse = False
        if cursor:
            boundary, reverse = decode_cursor(cursor, ordering, queryset)
            queryset = queryset.filter(_after(keys, boundary, reverse))
        ordered = queryset.order_by(*(key.order_expression(reverse) for key in keys))
        if values:
            ordered = ordered.values(*dict.fromkeys((*values, *(key.field for key in keys))))
        rows = list(ordered[: page_size + 1])
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        if reverse:
            rows.reverse()
        self._set_links(rows, ordering, came_from_cursor=bool(cursor), backwards=reverse, has_more=has_more)
        return rows

    def _set_links(
        self, rows: list[Any], ordering: Ordering, *, came_from_cursor: bool, backwards: bool, has_more: bool
    ) -> None:
        self.next_link = self.previous_link = None
        if not rows:
            return
        # Walking back, the page we came from is next; walking forward, there is a previous page
        # whenever we got here through a cursor.
        if has_more or backwards:
            self.next_link = self._link(encode_cursor(rows[-1], ordering, "n"))
        if has_more if backwards else came_from_cursor:
            self.previous_link = self._link(encode_cursor(rows[0], ordering, "p"))

    def _link(self, cursor: str) -> str:
        return replace_query_param(self.request.build_absolute_uri(), CURSOR_PARAM, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"results": data, "next": self.next_link, "previous": self.previous_link})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "properties": {"results": schema, "next": link, "previous": dict(link)},
            "required": ["next", "previous", "results"],
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        # ``cursor`` and ``page_size`` are documented by each view's query-parameter serializer,
        # which validates them before they get here.
        return []
