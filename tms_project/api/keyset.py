"""Keyset ("cursor") pagination over an explicit ordering.

The page after a row is found with a WHERE on the ordering keys of that row,
never with OFFSET and never with COUNT(*): the cost of a page does not grow
with the table, and rows inserted or changed between two page fetches neither
repeat nor go missing among the rows already ordered before the cursor. The
primary key closes every ordering so positions are unique.

A cursor is an opaque token (base64 of JSON) holding the ordering it belongs
to, the key values of the boundary row and the direction.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model, Q, QuerySet
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


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        text = value.get("t")
        if not isinstance(text, str):
            raise ValueError("bad value")
        return datetime.datetime.fromisoformat(text) if "T" in text else datetime.date.fromisoformat(text)
    if value is None or isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise ValueError("bad value")


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

    def _decode(self, cursor: str) -> tuple[list[Any], bool]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(raw)
            values = [_decode_value(value) for value in data["v"]]
            if data["o"] != self.name or len(values) != len(self.keys) or data["d"] not in ("n", "p"):
                raise ValueError("cursor of another ordering")
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
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
            values, reverse = self._decode(cursor)
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
