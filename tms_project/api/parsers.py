"""Request body parsing: DRF's JSON parser, stricter where Python's json module is lenient.

- Nesting too deep for Python is a 400, not a 500.
- A string holding a lone surrogate (``"\\ud800"``, a JSON escape of half a UTF-16 pair) is a 400.
  JSON allows the escape, but such a string is no Unicode text: no database stores it, and an
  answer that repeated it (an unknown field's name, a refused value) could not be encoded as
  UTF-8. Refusing it here keeps it out of every view, field name or value, at any depth.
"""

import json
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_lone_surrogate(data: object) -> bool:
    # Valid pairs were already joined into one character by the parser; what is left cannot be
    # encoded. Serializing once (in C) checks every key and value at every depth.
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


class TmsJSONParser(JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            data = super().parse(stream, media_type, parser_context)
            lone_surrogate = _has_lone_surrogate(data)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
        if lone_surrogate:
            raise ParseError("JSON parse error - a string holds a lone surrogate (\\ud800-\\udfff).")
        return data
