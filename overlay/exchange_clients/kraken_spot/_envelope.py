"""Kraken Spot's ``{"error": [...], "result": ...}`` envelope and its error table.

Kraken answers HTTP 200 for its own errors, so the ``error`` list is the signal:
``E…`` entries mean the call failed, ``W…`` entries are warnings next to a usable result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any, Final

import httpx

from exchange_clients._responses import CallContext, make_error, make_warning
from exchange_clients.errors import (
    AuthenticationError,
    ExchangeError,
    ExchangeWarning,
    InsufficientFunds,
    InvalidArguments,
    InvalidNonce,
    NotFound,
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    UnexpectedResponse,
)

__all__ = ["SPOT_ERRORS", "SPOT_REFUSALS", "VENUE", "check_envelope"]

VENUE: Final = "Kraken Spot"

# kraken.md §3.2. Keys are "<severity><Category>:<message>" with the whitespace around
# colons removed and compared case-insensitively. "exact" matches the first two parts
# (any ":<extra>" is ignored); otherwise the longest "broad" prefix of the whole entry wins.
SPOT_ERRORS: Final[Mapping[str, Mapping[str, type[ExchangeError]]]] = {
    "exact": {
        "EAPI:Invalid nonce": InvalidNonce,
        "EAPI:Invalid key": AuthenticationError,
        "EAPI:Invalid signature": AuthenticationError,
        "EAPI:Rate limit exceeded": RateLimited,
        "EAPI:Feature disabled": InvalidArguments,
        "EAPI:Bad request": InvalidArguments,
        "EGeneral:Invalid arguments": InvalidArguments,
        "EGeneral:Permission denied": PermissionDenied,
        "EGeneral:Unknown method": NotFound,
        "EGeneral:Temporary lockout": AuthenticationError,
        "EGeneral:Too many requests": RateLimited,
        "EGeneral:Internal error": ServiceUnavailable,
        "EService:Throttled": RateLimited,
        "EOrder:Rate limit exceeded": RateLimited,
        "EOrder:Domain rate limit exceeded": RateLimited,
        "EOrder:Insufficient funds": InsufficientFunds,
        "EOrder:Insufficient margin": InsufficientFunds,
        "EOrder:Unknown order": OrderNotFound,
        "EOrder:Unknown position": OrderNotFound,
        "EAuth:Rate limit exceeded": RateLimited,
        "EAuth:Too many requests": RateLimited,
        "EAccount:Invalid permissions": PermissionDenied,
        "ETrade:Invalid request": InvalidArguments,
        "ETrade:Locked": AuthenticationError,
        "ETrade:User Locked": AuthenticationError,
        "ESession:Invalid session": AuthenticationError,
        "EBM:limit exceeded": OrderRejected,
    },
    "broad": {
        "EAuth:": AuthenticationError,
        "EQuery:": InvalidArguments,
        "EFunding:": InvalidArguments,
        "EFunding:Insufficient": InsufficientFunds,
        "EOrder:": OrderRejected,
        "EService:": ServiceUnavailable,
        "EDatabase:": ServiceUnavailable,
    },
}

# EService errors that still say the order was not taken: the market is restricted, not the service down
# (kraken.md §3.2). Every other ServiceUnavailable on a write leaves its outcome unknown.
SPOT_REFUSALS: Final = frozenset(
    {"EService:Market in cancel_only mode", "EService:Market in post_only mode", "EService:Market in limit_only mode"}
)

_EXACT: Final = {key.casefold(): cls for key, cls in SPOT_ERRORS["exact"].items()}
# Longest first, so "EFunding:Insufficient" wins over "EFunding:".
_BROAD: Final = sorted(
    ((prefix.casefold(), cls) for prefix, cls in SPOT_ERRORS["broad"].items()),
    key=lambda row: len(row[0]),
    reverse=True,
)


def check_envelope(payload: Any, response: httpx.Response, ctx: CallContext) -> list[ExchangeWarning]:
    """Raise the typed error for an ``E…`` entry; otherwise return the ``W…`` entries as warnings.

    Payloads that are not an envelope at all pass untouched: the schema parse judges them.
    """
    if not isinstance(payload, dict) or "error" not in payload:
        return []
    entries = payload["error"]
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        raise make_error(UnexpectedResponse, "'error' is not a list of strings", response, ctx)
    stripped = [entry.strip() for entry in entries if entry.strip()]
    # An entry of unreadable severity fails the call, unless a result came with it: then the venue did something,
    # and saying it did not would be worse than a warning.
    has_result = payload.get("result") is not None
    errors = [entry for entry in stripped if entry.startswith("E") or not (entry.startswith("W") or has_result)]
    if errors:
        raise _error_for(_normalise(errors[0]), "; ".join(stripped), response, ctx)
    return [
        make_warning(ExchangeWarning, entry, response, ctx, code=entry, venue_message=_detail(entry))
        for entry in stripped
    ]


def _detail(entry: str) -> str | None:
    """``"WGeneral:Deprecated call: use BalanceEx"`` -> ``"Deprecated call: use BalanceEx"``."""
    return entry.partition(":")[2].strip() or None


def _normalise(entry: str) -> list[str]:
    """``"EService: Throttled: 1741500000"`` -> ``["EService", "Throttled", "1741500000"]``."""
    return [part.strip() for part in entry.split(":")]


def _error_class(parts: list[str]) -> type[ExchangeError]:
    exact = _EXACT.get(":".join(parts[:2]).casefold())
    if exact is not None:
        return exact
    whole = ":".join(parts).casefold()
    return next((cls for prefix, cls in _BROAD if whole.startswith(prefix)), ExchangeError)


def _error_for(parts: list[str], message: str, response: httpx.Response, ctx: CallContext) -> ExchangeError:
    cls = _error_class(parts)
    # Only RateLimited takes a wait; make_error falls back to the headers when there is none here.
    wait = {"retry_after": _throttle_wait(parts)} if issubclass(cls, RateLimited) else {}
    code = ":".join(parts)
    return make_error(cls, message, response, ctx, code=code, venue_message=":".join(parts[1:]) or None, **wait)


def _throttle_wait(parts: list[str]) -> float | None:
    # "EService:Throttled:<unix ts>" names the moment the concurrency limit lifts.
    if len(parts) > 2 and parts[1].casefold() == "throttled" and parts[2].isdecimal():
        reset = float(parts[2])
        if math.isfinite(reset):
            return max(0.0, reset - time.time())
    return None
