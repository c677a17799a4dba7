"""Query strings exactly as httpx writes them, without httpx's per-character machinery on the hot path.

``httpx.QueryParams(params)`` quotes every key and value through ``urllib.parse.urlencode``; most of ours
(symbols, enum values, numbers) contain nothing to quote, so those are written as they are and only the
rest goes through ``quote_plus``, the function ``urlencode`` uses. tests/unit/test_query.py checks the
result against httpx's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

from exchange_clients._json import plain_number

__all__ = ["query_string"]

_UNRESERVED = re.compile(r"[A-Za-z0-9_.\-~]*")


def _text(value: Any) -> str:
    # httpx's primitive_value_to_str, but a Decimal in plain notation (str() may write 1E+3)
    if value.__class__ is Decimal:
        return plain_number(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def _quoted(text: str) -> str:
    return text if _UNRESERVED.fullmatch(text) else quote_plus(text)


def query_string(params: Mapping[str, Any]) -> str:
    """``str(httpx.QueryParams(params))``: lists and tuples repeat their key, as httpx does."""
    return "&".join(
        f"{_quoted(_text(key))}={_quoted(_text(item))}"
        for key, value in params.items()
        for item in (value if isinstance(value, list | tuple) else (value,))
    )
