"""What a request may carry beyond the typed fields, and who to blame when it cannot be written.

Free-form data (a model's extra properties, ``Any`` fields) is sent as it is, so it is checked here: no
floats or NaN (prices must be exact), nothing JSON cannot hold, no nesting deep enough to exhaust the
encoder. Decimals are bounded too: a longer number is one JSON readers refuse (the Kraken signer re-reads
the body). ``unsendable_arguments`` names the argument when encoding fails anyway.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchange_clients.errors import InvalidArguments

__all__ = ["Mismatch", "check_data", "conform_decimal", "too_large", "unsendable_arguments"]


class Mismatch(Exception):
    """The value does not fit the annotation; the message says what was expected."""


def conform_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal) and value.is_finite():
        return _bounded(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _bounded(Decimal(value))
    if isinstance(value, float):
        raise Mismatch(f"must be a Decimal (or int), got float {value!r}: use Decimal('{value!r}') to keep it exact")
    if isinstance(value, Decimal):
        raise Mismatch(f"must be a finite Decimal, got {value}")
    raise Mismatch(f"must be a finite Decimal, got {type(value).__name__}")


def _bounded(value: Decimal) -> Decimal:
    if too_large(value):
        raise Mismatch(f"is too large to send (10**{value.adjusted()})")
    return value


def too_large(value: Decimal) -> bool:
    # Written out in full, a longer number is one that JSON readers (Python's included: the Kraken
    # signer re-reads the body) refuse as an integer; no price or amount comes near it.
    limit = sys.get_int_max_str_digits()  # 0: no limit
    return bool(limit and value and value.adjusted() >= limit)


# Free-form data (a model's extra properties, ``Any`` fields) is sent as it is; no venue documents a request
# nested this deep, and a cycle or a hostile structure would otherwise exhaust the encoder's stack.
_MAX_DATA_DEPTH = 32
_TOO_DEEP = f"is nested deeper than {_MAX_DATA_DEPTH} levels"  # said without the path: it would be that long


def check_data(value: Any, depth: int = 0) -> None:
    """Refuse free-form data the body cannot carry exactly: floats, NaN, objects JSON does not know, deep nesting."""
    if depth > _MAX_DATA_DEPTH:
        raise Mismatch(_TOO_DEEP)
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, float | Decimal):
        conform_decimal(value)  # refuses floats and NaN/Infinity, with the messages declared fields get
        return
    if isinstance(value, str | int):
        problem = _unwritable(value)
        if problem:
            raise Mismatch(problem)
        return
    if isinstance(value, Mapping):
        entries: list[tuple[str, Any]] = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise Mismatch(f"has a {type(key).__name__} key ({key!r:.40}); JSON keys are strings")
            entries.append((f"key {key!r}", item))
    elif isinstance(value, list | tuple):
        entries = [(f"item {index}", item) for index, item in enumerate(value)]
    else:
        raise Mismatch(f"must be JSON data (str, int, Decimal, bool, None, list, dict), got {type(value).__name__}")
    for where, item in entries:
        try:
            check_data(item, depth + 1)
        except Mismatch as exc:
            if str(exc) == _TOO_DEEP:
                raise
            raise Mismatch(f"{where} {exc}") from None


def _unwritable(value: str | int) -> str | None:
    """Why a str or int cannot be written into a request (as UTF-8, as decimal digits), or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"is not valid Unicode text (a lone surrogate at index {exc.start})"
        return None
    try:
        str(value)
    except ValueError:
        return f"is an int too long to write ({value.bit_length()} bits, over {sys.get_int_max_str_digits()} digits)"
    return None


def unsendable_arguments(venue: str, operation: str, args: Mapping[str, Any], exc: Exception) -> InvalidArguments:
    """The error for arguments that passed the type checks but could not be written into the request.

    Called only after encoding failed, so the common path pays nothing: it looks for the value to blame
    (a lone surrogate in a str, an int longer than Python writes, nesting too deep) to name the argument.
    """
    for name, value in args.items():
        problem = _find_unwritable(value, 0)
        if problem:
            message = f"{venue} {operation}: argument {name!r} {problem}"
            return InvalidArguments(message, venue=venue, code="client-side")
    return InvalidArguments(
        f"{venue} {operation}: the arguments cannot be sent ({type(exc).__name__}: {exc})",
        venue=venue,
        code="client-side",
    )


def _find_unwritable(value: Any, depth: int) -> str | None:
    if depth > _MAX_DATA_DEPTH:
        return _TOO_DEEP
    if isinstance(value, str | int) and not isinstance(value, bool):
        return _unwritable(value)
    if attrs.has(type(value)):
        entries = [(f"field {field.name!r}", getattr(value, field.name)) for field in attrs.fields(type(value))]
    elif isinstance(value, Mapping):
        entries = [(f"key {key!r}", item) for key, item in value.items()]
    elif isinstance(value, list | tuple | set | frozenset):
        entries = [(f"item {index}", item) for index, item in enumerate(value)]
    else:
        return None
    for where, item in entries:
        problem = _find_unwritable(item, depth + 1)
        if problem:
            return problem if problem == _TOO_DEEP else f"{where} {problem}"
    return None
