"""One exception tree for every venue, classified by meaning rather than by venue.

Callers catch ``RateLimited`` or ``InsufficientFunds`` whichever exchange raised it;
the venue's own code and message stay on the exception for logs and special cases.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

__all__ = [
    "AuthenticationError",
    "CoordinationUnavailable",
    "ExchangeError",
    "ExchangeWarning",
    "FundsRejected",
    "InsufficientFunds",
    "InvalidArguments",
    "InvalidNonce",
    "MissingCredentials",
    "NotFound",
    "OrderNotFound",
    "OrderOutcomeUnknown",
    "OrderRejected",
    "PermissionDenied",
    "RateLimited",
    "RequestTimeout",
    "SchemaDrift",
    "ServiceUnavailable",
    "TransportError",
    "UnexpectedResponse",
    "UnknownOrderStatus",
]


class _VenueContext(Exception):
    """Where a call went and what the venue answered, shared by errors and warnings."""

    # Fields a subclass adds; they join the repr and survive pickling.
    _extra_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        message: str,
        *,
        venue: str,
        code: str | int | None = None,
        venue_message: str | None = None,
        http_status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        body: bytes | None = None,
        client_order_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.venue = venue
        self.code = code
        self.venue_message = venue_message
        self.http_status = http_status
        self.method = method
        self.path = path
        self.body = body
        # The client order id the library sent with an order (Kraken cl_ord_id / cliOrdId), when it sent one.
        self.client_order_id = client_order_id

    def __str__(self) -> str:
        where = " ".join(part for part in (self.venue, self.method, self.path) if part)
        status = "" if self.http_status is None else f" (HTTP {self.http_status})"
        return f"{where}: {self.message}{status}"

    def __repr__(self) -> str:
        # The body is left out: it can be megabytes of HTML and belongs in a debugger, not a log line.
        shown = ("venue", "code", "http_status", "method", "path", "client_order_id", *self._extra_fields)
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # BaseException pickles as cls(*args), which loses the keyword-only context
        # and fails on the required ``venue``; process pools need the round trip.
        names = (
            "venue", "code", "venue_message", "http_status", "method", "path", "body", "client_order_id",
            *self._extra_fields,
        )  # fmt: skip
        return functools.partial(type(self), self.message, **{name: getattr(self, name) for name in names}), ()


class ExchangeError(_VenueContext):
    """Base of every error the library raises on purpose; raised as is for venue errors we cannot classify."""


class ExchangeWarning(_VenueContext, UserWarning):
    """Something the caller should know about a call that still returned its result: a venue's warning (Kraken Spot
    ``W…`` entries) or one of the subclasses below. Delivered through the client's ``on_warning``."""


class SchemaDrift(ExchangeWarning):
    """The answer differed from the documented schema, and was read anyway.

    ``operation`` names the facade method, ``field`` the place (``Model.field``, ``[]`` for list items, ``*`` for map
    entries), ``expected`` what the schema documents and ``found`` what came. A missing field is left unset; a number
    sent as a string (or the reverse) is converted exactly; anything else keeps the value as the venue sent it. Each
    drift is reported once per client. Turn them into errors with a warnings filter
    (``warnings.simplefilter("error", SchemaDrift)``) or an ``on_warning`` that raises.
    """

    _extra_fields = ("operation", "field", "expected", "found")

    def __init__(self, message: str, *, operation: str, field: str, expected: str, found: str, **context: Any) -> None:
        super().__init__(message, **context)
        self.operation = operation
        self.field = field
        self.expected = expected
        self.found = found


class UnknownOrderStatus(ExchangeWarning):
    """An order operation answered with a status the library does not know. The result is returned: an unknown
    status is never reported as a rejection. ``order_status`` is the venue's value, ``code`` the status field."""

    _extra_fields = ("order_status",)

    def __init__(self, message: str, *, order_status: str, **context: Any) -> None:
        super().__init__(message, **context)
        self.order_status = order_status


class AuthenticationError(ExchangeError):
    """The venue did not accept the credentials: wrong key or signature, locked or unverified account."""


class InvalidNonce(AuthenticationError):
    """The nonce was not above the last one the venue accepted; one retry with a fresh nonce may succeed."""


class PermissionDenied(ExchangeError):
    """The key is valid but lacks the permission, or the account may not use this call."""


class MissingCredentials(ExchangeError):
    """A private call was made without API keys; raised before any request is sent."""


class RateLimited(ExchangeError):
    """The venue refused the call for exceeding a rate limit; ``retry_after`` is in seconds when known."""

    _extra_fields = ("retry_after",)

    def __init__(self, message: str, *, retry_after: float | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class InsufficientFunds(ExchangeError):
    """The balance or margin does not cover the order or transfer."""


class InvalidArguments(ExchangeError):
    """The venue said the arguments are wrong, or the library refused them before sending."""


class OrderRejected(ExchangeError):
    """The venue assessed the order operation and did not perform it.

    ``order_status`` is the venue's status for the failing operation and
    ``statuses`` every status the response carried (one per batch entry).
    """

    _extra_fields = ("order_status", "statuses")

    def __init__(
        self,
        message: str,
        *,
        order_status: str | None = None,
        statuses: Sequence[str] = (),
        **context: Any,
    ) -> None:
        super().__init__(message, **context)
        self.order_status = order_status
        self.statuses = tuple(statuses)


class FundsRejected(OrderRejected, InsufficientFunds):
    """An order operation the venue did not perform because the balance or margin is too low (Kraken Futures
    ``insufficientAvailableFunds``): caught by ``except InsufficientFunds`` as on every venue."""


class NotFound(ExchangeError):
    """The venue has no such endpoint or resource."""


class OrderNotFound(OrderRejected, NotFound):
    """The order or position to cancel, edit or query does not exist (or no longer does)."""


class ServiceUnavailable(ExchangeError):
    """The venue is down, overloaded or in maintenance: HTTP 5xx, CDN error pages, ``EService:*``.

    For order placement the order may still exist: reconcile before resending.
    """


class CoordinationUnavailable(ExchangeError):
    """The shared coordination store (Redis) did not answer in time: no nonce, limit or sequencing lock could be
    had, so the call was not sent. Never retried by the library: nothing is known to be wrong with the venue."""


class TransportError(ExchangeError):
    """The request never got an HTTP answer; raised from the underlying ``httpx.TransportError``."""


class RequestTimeout(TransportError):
    """The request timed out (``httpx.TimeoutException`` or HTTP 408); the outcome of a write is unknown."""


class OrderOutcomeUnknown(ExchangeError):
    """A write (an order, amend, cancel, transfer) may have been performed, but its answer is lost or unreadable.

    The request may have reached the venue: the connection broke after it was sent, the call timed out, the venue
    answered 5xx, an HTML page or an internal error. Nothing is resent. Find out what happened with the client's
    ``reconcile(error)``, which looks the order up by ``client_order_id`` (or, on bitFlyer, by what was asked), then
    decide. ``operation`` names the call, ``sent_at`` (Unix seconds) is when it left, ``fields`` what it asked for
    (no secrets), and ``__cause__`` is the error that made the outcome unknown.
    """

    _extra_fields = ("operation", "sent_at", "fields")

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        sent_at: float,
        fields: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, **context)
        self.operation = operation
        self.sent_at = sent_at
        self.fields = dict(fields or {})


class UnexpectedResponse(ExchangeError):
    """The answer was not what the API promises: HTML, an empty or truncated body, or JSON off the schema."""
