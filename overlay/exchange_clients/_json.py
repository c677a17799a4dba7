"""JSON with exact decimals: ``Decimal`` values are written as the number literals they stand for.

``json.dumps`` refuses ``Decimal`` and ``float(Decimal)`` would change prices, so a ``Decimal`` is first
swapped for a marker string that cannot occur in real text and the marker is then replaced by the
literal. The fast C encoder still does all the work.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

__all__ = ["dumps_exact", "to_json"]

_MARK = "\u0000dec:"
_MARKED = re.compile(r'"\\u0000dec:([-+0-9.eE]+)"')


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent as a JSON number")
        return f"{_MARK}{value}"
    if isinstance(value, dict):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(item) for item in value]
    return value


def dumps_exact(value: Any) -> bytes:
    """Compact JSON bytes; each ``Decimal`` appears as its exact literal (``Decimal("0.10")`` → ``0.10``)."""
    text = json.dumps(_marked(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return _MARKED.sub(r"\1", text).encode("utf-8")


def to_json(value: Any) -> str:
    """Serialise a generated model (anything with ``to_dict()``) or plain data to JSON text, decimals exact.

    For form fields that carry JSON, such as Kraken Futures ``batchorder``'s ``json`` field.
    """
    data = value.to_dict() if hasattr(value, "to_dict") else value
    return dumps_exact(data).decode("utf-8")
