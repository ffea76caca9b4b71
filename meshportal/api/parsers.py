"""The API's JSON parser: DRF's, with a nesting limit and no NUL characters.

Why: Python's json module recurses once per nesting level, so a body of 5,000 nested
brackets raised RecursionError (a 500, on every JSON endpoint including the anonymous
token one). And PostgreSQL stores no NUL character in text or jsonb, so a "\\u0000"
anywhere in a body failed at the database. Both are refused here with a 400 before any
view sees the data.
"""

import io
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from meshportal.limits import JSON_MAX_DEPTH

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply the JSON text nests, counted without parsing (strings are skipped)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class LimitedJSONParser(JSONParser):
    """JSONParser that answers 400 for bodies nested deeper than JSON_MAX_DEPTH or
    holding a NUL character."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ParseError("JSON parse error - the body is not valid UTF-8.") from None
        if text.count("[") + text.count("{") > JSON_MAX_DEPTH and (
            json_depth(text) > JSON_MAX_DEPTH
        ):
            raise ParseError(f"JSON parse error - nested more than {JSON_MAX_DEPTH} levels deep.")
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        if _has_nul(data):
            raise ParseError("NUL characters (\\u0000) are not allowed in text.")
        return data
