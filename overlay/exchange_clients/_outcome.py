"""When a write's outcome is unknown: the request may have reached the venue, and its answer says nothing certain.

A failure before any byte was sent (no connection, DNS) leaves nothing unknown. After that, a broken connection, a
timeout, an HTTP 5xx or 52x, an HTML page, an answer that cannot be read, or the venue's own "internal error" may
all hide an order that was placed: the write raises ``OrderOutcomeUnknown`` instead, so that no caller takes it
for a rejection. A venue's refusal (rate limit, bad arguments, funds, a market that is closed) is certain.
"""

from __future__ import annotations

import time
from collections.abc import Container, Mapping
from typing import Any

from exchange_clients.errors import (
    ExchangeError,
    OrderOutcomeUnknown,
    ServiceUnavailable,
    TransportError,
    UnexpectedResponse,
)

__all__ = ["is_unknown_outcome", "unknown_outcome"]

# Fields that must not be kept on an error: they authenticate the request.
_SECRET_FIELDS = frozenset({"nonce", "otp"})


def is_unknown_outcome(error: ExchangeError, sent: bool, refusals: Container[Any]) -> bool:
    """Whether ``error``, raised by a write, leaves unknown whether the venue acted.

    ``sent``: some of the request may have left. ``refusals``: the venue's error codes that mean "not performed"
    although they are classed as unavailability (Kraken's ``EService:Market in cancel_only mode``).
    """
    if isinstance(error, TransportError):  # no answer at all (or HTTP 408, which may come from a proxy in between)
        return sent or error.http_status is not None
    if isinstance(error, ServiceUnavailable):
        return error.code not in refusals
    return isinstance(error, UnexpectedResponse)


def unknown_outcome(
    error: ExchangeError, operation: str, client_order_id: str | None, fields: Mapping[str, Any], sent_at: float
) -> OrderOutcomeUnknown:
    """The ``OrderOutcomeUnknown`` that replaces ``error`` (which becomes its cause)."""
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sent_at))
    named = f" (client order id {client_order_id})" if client_order_id else ""
    return OrderOutcomeUnknown(
        f"{operation}{named} sent at {when}: the outcome is unknown ({type(error).__name__}: {error.message}); "
        "reconcile before sending it again",
        operation=operation,
        sent_at=sent_at,
        fields={key: value for key, value in fields.items() if key not in _SECRET_FIELDS},
        client_order_id=client_order_id,
        venue=error.venue,
        code=error.code,
        venue_message=error.venue_message,
        http_status=error.http_status,
        method=error.method,
        path=error.path,
        body=error.body,
    )
