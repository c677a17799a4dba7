"""Kraken Futures envelopes, error codes and per-operation order statuses.

Three shapes meet here (kraken.md §3.3): ``{"result": "error", "error": "<code>"}``,
the newer ``{"result": "error", "errors": [{"code": 92, "message": "..."}]}``, and
history responses with no envelope at all. ``"result": "success"`` only means the
request was assessed, so order operations are judged by their status objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import httpx

from exchange_clients._responses import CallContext, make_error
from exchange_clients.errors import (
    AuthenticationError,
    ExchangeError,
    InsufficientFunds,
    InvalidArguments,
    InvalidNonce,
    NotFound,
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
)

__all__ = ["FUTURES_ERRORS", "FUTURES_ORDER_STATUS", "VENUE", "check_envelope"]

VENUE: Final = "Kraken Futures"

# kraken.md §3.3-§3.4. Keys name where the code sits: the "error" string, the
# "errors[].message" of the newer shape, or a failing order "status".
FUTURES_ERRORS: Final[Mapping[str, Mapping[str, type[ExchangeError]]]] = {
    "error": {
        "apiLimitExceeded": RateLimited,
        "authenticationError": AuthenticationError,
        "nonceBelowThreshold": InvalidNonce,
        "nonceDuplicate": InvalidNonce,
        "accountInactive": PermissionDenied,
        "insufficientFunds": InsufficientFunds,
        "invalidAccount": InvalidArguments,
        "invalidAmount": InvalidArguments,
        "invalidUnit": InvalidArguments,
        "invalidArgument": InvalidArguments,
        "requiredArgumentMissing": InvalidArguments,
        "Json Parse Error": InvalidArguments,
        "Bad Request": InvalidArguments,
        "contractNotFound": InvalidArguments,
        "notFound": NotFound,
        "marketUnavailable": ServiceUnavailable,
        "Server Error": ServiceUnavailable,
        "unknownError": ServiceUnavailable,
        "Unavailable": ServiceUnavailable,
    },
    "errors": {
        "INSUFFICIENT_MARGIN": InsufficientFunds,
        "TOO_MANY_REQUESTS": RateLimited,
        "UNAUTHORIZED": AuthenticationError,
    },
    # Any other failing status is an OrderRejected.
    "status": {
        "notFound": OrderNotFound,
        "orderForEditNotFound": OrderNotFound,
    },
}

# The statuses that mean the operation happened. The enums are open (the spec's
# prose and enums disagree), so anything else, known or not, is a rejection.
FUTURES_ORDER_STATUS: Final[Mapping[str, frozenset[str]]] = {
    "sendStatus": frozenset({"placed", "partiallyFilled", "filled", "edited", "cancelled"}),
    "editStatus": frozenset({"edited"}),
    "cancelStatus": frozenset({"cancelled", "noOrdersToCancel"}),
    "batchStatus": frozenset({"placed", "edited", "cancelled"}),
}


def check_envelope(payload: Any, response: httpx.Response, ctx: CallContext) -> list[str]:
    """Raise for an error envelope or a failed order operation; Futures has no warnings, so return ``[]``."""
    if not isinstance(payload, dict):
        return []
    if payload.get("result") == "error":
        raise _envelope_error(payload, response, ctx)
    for field, succeeded in FUTURES_ORDER_STATUS.items():
        _check_status(field, payload.get(field), succeeded, response, ctx)
    return []


def _envelope_error(payload: dict[str, Any], response: httpx.Response, ctx: CallContext) -> ExchangeError:
    code = payload.get("error")
    if isinstance(code, str):
        return make_error(FUTURES_ERRORS["error"].get(code, ExchangeError), code, response, ctx, code=code)
    errors = payload.get("errors")
    if (
        isinstance(errors, list)
        and errors
        and isinstance(errors[0], dict)
        and isinstance(errors[0].get("message"), str)
    ):
        return _errors_shape_error(payload, errors, response, ctx)
    return make_error(ExchangeError, "error envelope without a readable error code", response, ctx)


def _errors_shape_error(
    payload: dict[str, Any], errors: list[Any], response: httpx.Response, ctx: CallContext
) -> ExchangeError:
    message: str = errors[0]["message"]
    code = errors[0].get("code")
    fallback = ServiceUnavailable if response.status_code >= 500 else InvalidArguments
    described = "; ".join(
        f"{entry.get('message')} (code {entry.get('code')})" for entry in errors if isinstance(entry, dict)
    )
    status = payload.get("status")
    return make_error(
        FUTURES_ERRORS["errors"].get(message, fallback),
        f"{status}: {described}" if isinstance(status, str) else described,
        response,
        ctx,
        code=code if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
        venue_message=message,
    )


def _check_status(
    field: str, value: Any, succeeded: frozenset[str], response: httpx.Response, ctx: CallContext
) -> None:
    # sendStatus and friends are one object; batchStatus is a list of them.
    if isinstance(value, dict):
        entries = [("", value)]
    elif isinstance(value, list):
        entries = [(f"[{index}]", entry) for index, entry in enumerate(value)]
    else:
        return
    statuses = [
        (where, entry["status"])
        for where, entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("status"), str)
    ]
    failed = [(where, status) for where, status in statuses if status not in succeeded]
    if not failed:
        return
    first = failed[0][1]
    listed = "; ".join(f"{field}{where}.status = {status}" for where, status in failed)
    counted = f" ({len(failed)} of {len(entries)} entries failed)" if isinstance(value, list) else ""
    raise make_error(
        FUTURES_ERRORS["status"].get(first, OrderRejected),
        f"order operation not performed: {listed}{counted}",
        response,
        ctx,
        code=first,
        order_status=first,
        statuses=[status for _, status in statuses],
    )
