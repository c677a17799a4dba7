"""bitFlyer's error body ``{"status": <negative int>, "error_message": "..."}`` and its error table.

Successful calls return bare arrays or objects with no envelope; only a negative
``status`` (bitFlyer's own code, not the HTTP status) marks a failure (bitflyer.md §4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypedDict

import httpx

from exchange_clients._responses import CallContext, error_class_for_status, make_error
from exchange_clients.errors import (
    AuthenticationError,
    ExchangeError,
    ExchangeWarning,
    InsufficientFunds,
    InvalidArguments,
    NotFound,
    OrderNotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
)

__all__ = ["BITFLYER_ERRORS", "BITFLYER_REFUSALS", "VENUE", "check_envelope"]

VENUE: Final = "bitFlyer"


class _ErrorTable(TypedDict):
    exact: Mapping[int, type[ExchangeError]]
    broad: Mapping[str, type[ExchangeError]]


# bitflyer.md §4.3. bitFlyer publishes no code table, so unknown negative codes stay
# plain ExchangeErrors. "broad" matches a case-insensitive substring of error_message
# and wins over the code, because "Order not found" has no known code of its own.
BITFLYER_ERRORS: Final[_ErrorTable] = {
    "exact": {
        -1: RateLimited,
        -2: ServiceUnavailable,
        -100: InvalidArguments,
        -102: InvalidArguments,
        -110: InvalidArguments,
        -200: InsufficientFunds,
        -205: InsufficientFunds,
        -208: ServiceUnavailable,
        -500: AuthenticationError,
        -505: AuthenticationError,
        -508: RateLimited,
        -700: PermissionDenied,
    },
    "broad": {
        "order not found": OrderNotFound,
        # A key without the permission: status -500 (otherwise an authentication failure) with this message
        # (../shared/realworld/bitflyer/error_permission_denied.json).
        "permission denied": PermissionDenied,
    },
}

# Unavailability that still says the order was not taken (bitflyer.md §4.3): -208 "Order is not accepted. Please
# try again later." and -2 maintenance. Every other ServiceUnavailable on a write leaves its outcome unknown.
BITFLYER_REFUSALS: Final = frozenset({-208, -2})

# ASP.NET Web API answers this way when no route matches, which for bitFlyer
# usually means a required query parameter (e.g. product_code) was left out.
_NO_ROUTE = "no http resource was found"


def check_envelope(payload: Any, response: httpx.Response, ctx: CallContext) -> list[ExchangeWarning]:
    """Raise the typed error for a negative ``status`` or an ASP.NET error body; bitFlyer has no warnings."""
    if not isinstance(payload, dict):
        return []
    status = payload.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and status < 0:
        raise _status_error(status, payload.get("error_message"), response, ctx)
    message = payload.get("Message")
    if isinstance(message, str) and "status" not in payload:
        _raise_for_asp_net_error(message, response, ctx)
    return []


def _status_error(code: int, message: Any, response: httpx.Response, ctx: CallContext) -> ExchangeError:
    venue_message = message if isinstance(message, str) else None
    text = f"status {code}: {venue_message}" if venue_message else f"status {code}"
    cls = _error_class(code, venue_message or "")
    return make_error(cls, text, response, ctx, code=code, venue_message=venue_message)


def _error_class(code: int, message: str) -> type[ExchangeError]:
    folded = message.casefold()
    for fragment, cls in BITFLYER_ERRORS["broad"].items():
        if fragment in folded:
            return cls
    return BITFLYER_ERRORS["exact"].get(code, ExchangeError)


def _raise_for_asp_net_error(message: str, response: httpx.Response, ctx: CallContext) -> None:
    if _NO_ROUTE in message.casefold():
        text = f"no route matched; a required query parameter is probably missing: {message}"
        raise make_error(NotFound, text, response, ctx, venue_message=message)
    if not 200 <= response.status_code < 300:
        raise make_error(error_class_for_status(response.status_code), message, response, ctx, venue_message=message)
