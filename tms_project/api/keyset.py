"""Keyset ("cursor") pagination over an explicit ordering.

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
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

CURSOR_PARAM = "cursor"


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    nullable: bool = False  # NULLs always come last in forward order
    expression: Any = None  # when set, ``field`` names this annotation (e.g. Lower("title"))

    def order_expression(self, reverse: bool):
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


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return {"t": value.isoformat()}
    return value


def _time_text(value: Any) -> str:
    if not isinstance(value, dict) or set(value) != {"t"} or not isinstance(value["t"], str):
        raise ValueError("not a date or time")
    return value["t"]


def _decode_value(value: Any, field: models.Field, nullable: bool) -> Any:
    """The value of a key in a cursor, typed for its field; ValueError if it cannot be one."""
    if value is None:
        if nullable:
            return None
        raise ValueError("null for a key that is never null")
    if isinstance(field, models.DateTimeField):  # before DateField: a subclass of it
        moment = datetime.datetime.fromisoformat(_time_text(value))
        if timezone.is_naive(moment):
            raise ValueError("a time without its offset")
        return moment.astimezone(datetime.UTC)  # OverflowError near the ends of the calendar
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(_time_text(value))
    if isinstance(field, models.IntegerField):  # the auto primary keys too
        if type(value) is not int:  # bool is an int subclass; floats are not positions
            raise ValueError("not an integer")
    elif isinstance(field, models.CharField | models.TextField):
        if not isinstance(value, str):
            raise ValueError("not text")
        value.encode()  # UnicodeEncodeError for a lone surrogate, which no database stores
        return value
    else:
        raise ValueError(f"no cursor values for {type(field).__name__}")
    try:
        field.run_validators(value)  # the column's range on this database
    except DjangoValidationError as exc:
        raise ValueError("out of range") from exc
    return value


class KeysetPaginator:
    def __init__(self, request: Request, *, name: str, keys: list[Key], page_size: int) -> None:
        self.request = request
        self.name = name
        self.keys = [*keys, Key("pk", descending=keys[-1].descending if keys else False)]
        self.page_size = page_size

    # -- cursors -------------------------------------------------------------
    def _cursor_for(self, row: Model, direction: str) -> str:
        values = [_encode_value(getattr(row, key.field)) for key in self.keys]
        raw = json.dumps({"o": self.name, "v": values, "d": direction}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _fields(self, queryset: QuerySet) -> list[models.Field]:
        """The field behind each key (an annotation's output field), whose type a value must have."""
        meta, annotations = queryset.model._meta, queryset.query.annotations

        def field_of(key: Key) -> models.Field:
            if key.field in annotations:
                return annotations[key.field].output_field
            return meta.pk if key.field == "pk" else meta.get_field(key.field)

        return [field_of(key) for key in self.keys]

    def _decode(self, cursor: str, fields: list[models.Field]) -> tuple[list[Any], bool]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(raw)
            if (
                not isinstance(data, dict)
                or data.get("o") != self.name
                or data.get("d") not in ("n", "p")
                or not isinstance(data.get("v"), list)
                or len(data["v"]) != len(self.keys)
            ):
                raise ValueError("cursor of another ordering")
            values = [
                _decode_value(value, field, key.nullable)
                for value, field, key in zip(data["v"], fields, self.keys, strict=True)
            ]
        except (binascii.Error, ValueError, TypeError, OverflowError, RecursionError) as exc:
            # ValueError covers bad JSON, dates, numbers and text (UnicodeError is one too)
            raise ValidationError(
                {CURSOR_PARAM: ["This cursor is invalid or belongs to another ordering."]}
            ) from exc
        return values, data["d"] == "p"

    def _after(self, values: list[Any], reverse: bool) -> Q:
        condition = Q(pk__in=[])
        prefix = Q()
        for key, value in zip(self.keys, values, strict=True):
            condition |= prefix & key.after(value, reverse)
            prefix &= key.equal(value)
        return condition

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, CURSOR_PARAM, cursor)

    # -- the page --------------------------------------------------------------
    def page(self, queryset: QuerySet) -> dict[str, Any]:
        """One page as ``{"rows", "next", "previous"}``, fetched in a single query."""
        cursor = self.request.query_params.get(CURSOR_PARAM)
        annotations = {key.field: key.expression for key in self.keys if key.expression is not None}
        if annotations:
            queryset = queryset.annotate(**annotations)
        reverse = False
        if cursor:
            values, reverse = self._decode(cursor, self._fields(queryset))
            queryset = queryset.filter(self._after(values, reverse))
        ordered = queryset.order_by(*(key.order_expression(reverse) for key in self.keys))
        rows = list(ordered[: self.page_size + 1])
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        if reverse:  # walking back: the page we came from is next
            next_cursor = self._cursor_for(rows[-1], "n") if rows else None
            previous_cursor = self._cursor_for(rows[0], "p") if rows and has_more else None
        else:
            next_cursor = self._cursor_for(rows[-1], "n") if rows and has_more else None
            previous_cursor = self._cursor_for(rows[0], "p") if rows and cursor else None
        return {"rows": rows, "next": self._link(next_cursor), "previous": self._link(previous_cursor)}
