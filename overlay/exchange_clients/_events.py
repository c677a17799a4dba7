"""What a client is doing, made visible: the ``exchange_clients.<venue>`` loggers and the ``on_event`` hook.

60 private calls that took minutes with no sign of why: the rate limiter's waits, the retries and every request
now show. At DEBUG each request (method, path, status, elapsed); at INFO each retry (reason, wait) and each rate
limit wait of at least :data:`WAIT_LOGGED_FROM` seconds. ``on_event`` receives every one of them as an
:class:`Event`, for metrics. Nothing logged carries a key, secret, signature, nonce, OTP, query or body: only the
operation's documented path, and an error's message (which never holds secrets, see ``errors``).
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import httpx

from exchange_clients.errors import ExchangeError

if TYPE_CHECKING:
    from exchange_clients._runtime import Operation, _Core, _Prepared

    _Base = _Core[Any, Any]
else:
    _Base = object

__all__ = ["ANSWERS", "WAIT_LOGGED_FROM", "Event", "Observed", "elapsed_of", "note_response"]

WAIT_LOGGED_FROM = 1.0
"""Rate-limit waits shorter than this many seconds are not logged at INFO (they are still events)."""

# The answers of the call running in this context, while a raw-response call (exchange_clients._raw) collects them.
ANSWERS: contextvars.ContextVar[list[httpx.Response] | None] = contextvars.ContextVar("raw_answers", default=None)


def note_response(response: httpx.Response) -> None:
    """Keep ``response`` if a raw-response call is running in this context."""
    kept = ANSWERS.get()
    if kept is not None:
        kept.append(response)


def elapsed_of(response: httpx.Response) -> float | None:
    """Seconds from sending to the answer's last byte; None where a transport never closed the stream (mocks)."""
    try:
        return response.elapsed.total_seconds()
    except RuntimeError:
        return None


@dataclass(frozen=True)
class Event:
    """One thing a client did. ``kind``: ``"request"`` (an answer came: ``status``, ``elapsed``), ``"retry"``
    (``reason``, ``wait`` before attempt ``attempt + 1``) or ``"rate_limit_wait"`` (``wait`` seconds, before
    sending)."""

    kind: str
    venue: str
    operation: str
    method: str
    path: str
    status: int | None = None
    elapsed: float | None = None
    wait: float | None = None
    attempt: int | None = None
    reason: str | None = None


@cache
def venue_logger(package: str) -> logging.Logger:
    """``exchange_clients.kraken_spot`` for ``kraken_spot_api``: one logger per venue under ``exchange_clients``."""
    return logging.getLogger(f"exchange_clients.{package.removesuffix('_api')}")


class Observed(_Base):
    """The facades' hooks into the call path: each answer, each retry, each wait."""

    _on_event: Callable[[Event], None] | None

    def _emit(self, event: Event) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # a metrics hook must never cost the caller a result
            venue_logger(self.profile.package).exception("on_event raised for a %s event", event.kind)

    def _finish(self, op: Operation, response: httpx.Response) -> Any:
        note_response(response)
        log = venue_logger(self.profile.package)
        debug = log.isEnabledFor(logging.DEBUG)
        if debug or self._on_event is not None:  # the answer's elapsed time is only worked out for someone
            elapsed = elapsed_of(response)
            if debug:
                shown = f"{elapsed * 1000:.0f} ms" if elapsed is not None else "?"
                log.debug("%s %s %s → %s in %s", op.name, op.method, op.path, response.status_code, shown)
            status = response.status_code
            self._emit(Event("request", self.profile.name, op.name, op.method, op.path, status, elapsed))
        return super()._finish(op, response)

    def _after_failure(self, op: Operation, prepared: _Prepared, attempt: int, error: ExchangeError) -> float:
        delay = super()._after_failure(op, prepared, attempt, error)  # raises when the call is not tried again
        reason = f"{type(error).__name__}: {error.venue_message or error}"
        venue_logger(self.profile.package).info(
            "%s %s: retrying in %.2f s (attempt %d) after %s", op.method, op.path, delay, attempt + 2, reason
        )
        event = Event("retry", self.profile.name, op.name, op.method, op.path, wait=delay, attempt=attempt + 1)
        self._emit(dataclasses.replace(event, reason=reason))
        return delay

    def _waited(self, op: Operation, seconds: float) -> None:
        """The rate limiter held this call back ``seconds`` before it was sent."""
        if seconds >= WAIT_LOGGED_FROM:
            venue_logger(self.profile.package).info(
                "%s %s waited %.2f s for the rate limit (%s)", op.method, op.path, seconds, op.name
            )
        self._emit(Event("rate_limit_wait", self.profile.name, op.name, op.method, op.path, wait=seconds))
