"""When to try a read again: bounded, jittered exponential backoff that honours the venue's wait hint."""

from __future__ import annotations

import random
from dataclasses import dataclass

from exchange_clients.errors import ExchangeError, RateLimited, ServiceUnavailable, TransportError

__all__ = ["RetryPolicy"]

_RETRYABLE = (RateLimited, ServiceUnavailable, TransportError)


@dataclass(frozen=True)
class RetryPolicy:
    """Retries for operations that only read. Anything that can place, amend, cancel or move funds is
    never retried, whatever this says: a timeout there does not tell whether the venue acted.

    ``attempts`` counts the first try; ``RetryPolicy(attempts=1)`` (or ``retry=False`` on a client) turns
    retries off. A venue's own wait hint (``RateLimited.retry_after``) is used when it is not longer than
    ``max_delay``; otherwise the error is raised at once.
    """

    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 8.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay < 0 or self.max_delay < 0 or not 0 <= self.jitter <= 1:
            raise ValueError(f"invalid retry policy: {self}")

    def delay(self, attempt: int, error: ExchangeError, rng: random.Random | None = None) -> float | None:
        """Seconds to wait before try ``attempt + 1`` after ``error``, or ``None`` to give up."""
        if attempt + 1 >= self.attempts or not isinstance(error, _RETRYABLE):
            return None
        hint = error.retry_after if isinstance(error, RateLimited) else None
        if hint is not None:
            return hint if hint <= self.max_delay else None
        backoff = min(self.max_delay, self.base_delay * 2.0**attempt)
        spread = backoff * self.jitter
        return backoff - spread + (rng or random).random() * 2 * spread


NO_RETRY = RetryPolicy(attempts=1)
