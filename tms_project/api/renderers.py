"""JSON answers, written by orjson: the same bytes DRF's JSONRenderer writes, several times faster.

DRF's renderer encodes with Python's json module, a twentieth of a task list page's CPU
(docs/performance.md). orjson writes the same compact UTF-8. What it does not know itself
goes to DRF's own encoder, so dates, times, Decimals, UUIDs and lazy translations come out
as before; a value orjson refuses (an integer beyond 64 bits) and an indented answer
(``Accept: application/json; indent=2``) are left to DRF's renderer. Two differences no TMS
answer meets, since none holds a float: a float may be written in another notation (``1e-7``
or ``0.00001`` where json writes ``1e-07`` or ``1e-05``), and NaN is ``null`` where DRF's strict
JSON refused it.
"""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_DEFAULT = JSONEncoder().default
# U+2028 and U+2029 are valid JSON but end a line in older JavaScript: DRF escapes them.
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class TmsJSONRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=_DEFAULT, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in text:
            for raw, escaped in _LINE_SEPARATORS:
                text = text.replace(raw, escaped)
        return text
