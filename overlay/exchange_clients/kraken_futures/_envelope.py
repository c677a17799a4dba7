"""Kraken Futures envelopes, error codes and per-operation order statuses.

Three shapes meet here (kraken.md §3.3): ``{"result": "error", "error": "<code>"}``,
the newer ``{"result": "error", "errors": [{"code": 92, "message": "..."}]}``, and
history responses with no envelope at all. ``"result": "success"`` only means the
request was assessed, so order operations are judged by their status objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import httpx

from exchange_clients._responses import CallContext, error_class_for_status, make_error, make_warning
from exchange_clients.errors import (
    AuthenticationError,
    ExchangeError,
    ExchangeWarning,
    FundsRejected,
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
    UnknownOrderStatus,
)

__all__ = [
    "FUTURES_ERRORS",
    "FUTURES_ORDER_STATUS",
    "FUTURES_STATUS_ERRORS",
    "VENUE",
    "OrderStatuses",
    "check_envelope",
]

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
        "insufficientAvailableFunds": InsufficientFunds,
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
    # The newer shape's "status" (an HTTP status name), when errors[].message is not in the table above.
    "status": {
        "BAD_REQUEST": InvalidArguments,
        "UNAUTHORIZED": AuthenticationError,
        "FORBIDDEN": PermissionDenied,
        "NOT_FOUND": NotFound,
        "TOO_MANY_REQUESTS": RateLimited,
        "INTERNAL_SERVER_ERROR": ServiceUnavailable,
        "SERVICE_UNAVAILABLE": ServiceUnavailable,
    },
}


class OrderStatuses(NamedTuple):
    """What the values of one status field mean.

    ``performed``: the venue did it; the result is returned. ``failed``: the venue assessed the request and did not do
    it; it raises the class that ``FUTURES_STATUS_ERRORS`` names (``OrderRejected`` otherwise). Any other value is
    unknown: the result is returned with an ``UnknownOrderStatus`` warning, because only the venue can say that an
    order operation was not performed.
    """

    performed: frozenset[str]
    failed: frozenset[str]


# kraken.md §3.3, the spec's status enums (tests/unit/test_envelopes.py checks that every value they list is
# classified here) and real answers (../shared/realworld: an edit that crossed the book answered "filled").
_REJECTED_ORDER = frozenset(
    {"marketSuspended", "marketInactive", "invalidPrice", "invalidSize", "invalidOrderType", "invalidSide",
     "tooManySmallOrders", "insufficientAvailableFunds", "wouldCauseLiquidation", "clientOrderIdAlreadyExist",
     "clientOrderIdTooBig", "clientOrderIdTooLong", "clientOrderIdInvalid", "maxPositionViolation",
     "outsidePriceCollar", "wouldIncreasePriceDislocation", "postWouldExecute", "iocWouldNotExecute", "selfFill",
     "wouldNotReducePosition", "marketIsPostOnly", "tooManyOrders", "fixedLeverageTooHigh",
     "wouldProcessAfterSpecifiedTime", "requiredArgumentMissing"}
)  # fmt: skip
_REJECTED_EDIT = frozenset(
    {"notFound", "orderForEditNotFound", "orderForEditNotAStop", "cannotEditTriggerPriceOfTrailingStop",
     "cannotEditLimitPriceOfTrailingStop"}
)  # fmt: skip
FUTURES_ORDER_STATUS: Final[Mapping[str, OrderStatuses]] = {
    # "cancelled" on a send: the order was accepted, then cancelled (an IOC remainder, say); it may have filled.
    "sendStatus": OrderStatuses(
        frozenset({"placed", "partiallyFilled", "filled", "cancelled", "edited"}), _REJECTED_ORDER | _REJECTED_EDIT
    ),
    # "filled": the edited order crossed the book and executed (an EXECUTION event comes with it).
    "editStatus": OrderStatuses(frozenset({"edited", "filled", "partiallyFilled"}), _REJECTED_ORDER | _REJECTED_EDIT),
    # "filled": the order executed before the cancel reached it, so there was nothing left to cancel.
    "cancelStatus": OrderStatuses(frozenset({"cancelled", "noOrdersToCancel"}), frozenset({"filled", "notFound"})),
    # One entry per instruction; a batch raises only when every entry failed (the others' results would be lost).
    "batchStatus": OrderStatuses(frozenset({"placed", "edited", "cancelled"}), _REJECTED_ORDER | _REJECTED_EDIT),
}
# The error a failed status raises where it is more specific than OrderRejected.
FUTURES_STATUS_ERRORS: Final[Mapping[str, type[OrderRejected]]] = {
    "notFound": OrderNotFound,
    "orderForEditNotFound": OrderNotFound,
    "filled": OrderNotFound,
    "insufficientAvailableFunds": FundsRejected,
    "wouldCauseLiquidation": FundsRejected,
}


def check_envelope(payload: Any, response: httpx.Response, ctx: CallContext) -> list[ExchangeWarning]:
    """Raise for an error envelope or a failed order operation; return a warning for each unknown order status."""
    if not isinstance(payload, dict):
        return []
    if payload.get("result") == "error":
        raise _envelope_error(payload, response, ctx)
    warnings: list[ExchangeWarning] = []
    for field, statuses in FUTURES_ORDER_STATUS.items():
        warnings += _check_status(field, payload.get(field), statuses, response, ctx)
    return warnings


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
    status = payload.get("status")
    # The message names the cause best; then the status name; then the HTTP status (a 404 is NotFound).
    by_status = FUTURES_ERRORS["status"].get(status) if isinstance(status, str) else None
    fallback = by_status or _by_http_status(response.status_code)
    described = "; ".join(
        f"{entry.get('message')} (code {entry.get('code')})" for entry in errors if isinstance(entry, dict)
    )
    return make_error(
        FUTURES_ERRORS["errors"].get(message, fallback),
        f"{status}: {described}" if isinstance(status, str) else described,
        response,
        ctx,
        code=code if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
        venue_message=message,
    )


def _by_http_status(status: int) -> type[ExchangeError]:
    # The venue explained the error; only its category is left to choose: a 4xx it does not name is our arguments.
    cls = error_class_for_status(status)
    return InvalidArguments if cls is UnexpectedResponse else cls


def _check_status(
    field: str, value: Any, statuses: OrderStatuses, response: httpx.Response, ctx: CallContext
) -> list[ExchangeWarning]:
    # sendStatus and friends are one object; batchStatus is a list of them.
    if isinstance(value, dict):
        entries = [("", value)]
    elif isinstance(value, list):
        entries = [(f"[{index}]", entry) for index, entry in enumerate(value)]
    else:
        return []
    found = [
        (where, entry["status"])
        for where, entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("status"), str)
    ]
    unknown = [
        make_warning(
            UnknownOrderStatus,
            f"{field}{where}.status = {status!r} is not a status this library knows; the result is returned, "
            "check what the venue did",
            response,
            ctx,
            code=field,
            order_status=status,
        )
        for where, status in found
        if status not in statuses.performed and status not in statuses.failed
    ]
    failed = [(where, status) for where, status in found if status in statuses.failed]
    # A batch is performed in part unless every entry failed: its result must reach the caller.
    if not failed or (isinstance(value, list) and len(failed) < len(entries)):
        return unknown
    first = failed[0][1]
    listed = "; ".join(f"{field}{where}.status = {status}" for where, status in failed)
    raise make_error(
        FUTURES_STATUS_ERRORS.get(first, OrderRejected),
        f"order operation not performed: {listed}",
        response,
        ctx,
        code=first,
        order_status=first,
        statuses=[status for _, status in found],
    )
