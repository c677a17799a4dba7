"""JSON with exact decimals: ``Decimal`` values are written as the number literals they stand for.

``json.dumps`` refuses ``Decimal`` and ``float(Decimal)`` would change prices, so a ``Decimal`` is first
swapped for a marker string that cannot occur in real text (the encoder's ``default`` hook, so only
decimals cost a Python call) and the marker is then replaced by the literal. The fast C encoder still
does all the work.
"""

from __future__ import annotations

import json
import operator
import re
from decimal import Decimal
from typing import Any

__all__ = ["dumps_exact", "loads_exact", "plain_number", "to_json", "top_level_members"]

_MARK = "\u0000dec:"
# How the encoder writes a marker (ensure_ascii=False still escapes control characters such as NUL).
_MARK_WRITTEN = '"\\u0000dec:'
_MARKED = re.compile(r'"\\u0000dec:([-+0-9.eE]+)"')
# The replacement for each marker: its literal. A C-level callable, so no template is expanded in Python.
_LITERAL = operator.methodcaller("group", 1)


def _marked(value: Any) -> str:
    """Called by the encoder for each value it cannot write itself: a ``Decimal`` becomes its marker."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as a JSON number")
        return f"{_MARK}{plain_number(value)}"
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def plain_number(value: Decimal) -> str:
    """The number as written: digits as given, never exponent notation (``Decimal("1E+3")`` -> ``1000``), which some
    venues misread."""
    return format(value, "f")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_marked)


_EXACT_DECODER = json.JSONDecoder(parse_float=Decimal)


def loads_exact(text: str) -> Any:
    """JSON text to data with every non-integer number as the exact ``Decimal`` it spells."""
    return _EXACT_DECODER.decode(text)


def dumps_exact(value: Any) -> bytes:
    """Compact JSON bytes; each ``Decimal`` appears as its exact literal in plain notation (``Decimal("0.10")`` →
    ``0.10``, ``Decimal("1E+3")`` → ``1000``)."""
    text = _ENCODER.encode(value)
    if _MARK_WRITTEN in text:
        text = _MARKED.sub(_LITERAL, text)
    return text.encode("utf-8")


def to_json(value: Any) -> str:
    """Serialise a generated model (anything with ``to_dict()``) or plain data to JSON text, decimals exact.

    For form fields that carry JSON, such as Kraken Futures ``batchorder``'s ``json`` field.
    """
    data = value.to_dict() if hasattr(value, "to_dict") else value
    return dumps_exact(data).decode("utf-8")


_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Only the extent of each value is needed, so numbers are never converted.
_EXTENT_DECODER = json.JSONDecoder(parse_float=str, parse_int=str)


def top_level_members(text: str) -> list[tuple[str, str]]:
    """Split a valid JSON object into ``(name, '"name":value')`` with each value's text verbatim.

    Re-serialising parsed values would turn ``37500.10`` into ``37500.1``; slicing the original text keeps every
    number token byte-identical (the Kraken Spot signer needs that). Duplicate names are all listed, in order.
    """
    members: list[tuple[str, str]] = []
    pos = _skip_whitespace(text, _skip_whitespace(text, 0) + 1)
    while text.startswith('"', pos):
        name, name_end = _EXTENT_DECODER.raw_decode(text, pos)
        value_start = _skip_whitespace(text, _skip_whitespace(text, name_end) + 1)
        _, value_end = _EXTENT_DECODER.raw_decode(text, value_start)
        members.append((name, f"{text[pos:name_end]}:{text[value_start:value_end]}"))
        pos = _skip_whitespace(text, _skip_whitespace(text, value_end) + 1)
    return members


def _skip_whitespace(text: str, pos: int) -> int:
    match = _JSON_WHITESPACE.match(text, pos)
    return match.end() if match else pos
