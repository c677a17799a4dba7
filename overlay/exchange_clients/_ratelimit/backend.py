"""Where limit state lives: the protocol a limiter backend implements.

A backend keeps, per counter name, the state of a :class:`~exchange_clients._ratelimit.rules.Window` (a log
of recent costs) or a :class:`~exchange_clients._ratelimit.rules.DecayingCounter` (a level and when it was
last brought up to date), plus per gate the time until which a venue's penalty holds calls back. Counter
and gate names already say venue, limit, owner (a salted digest of the API key, or the IP address) and
partition (a pair): a backend only stores and computes.

Everything a call asks is one :meth:`LimiterBackend.try_acquire`: check the gates, check every charge that
holds, and take every charge, or take nothing and say how long to wait. That is one atomic step, so a
shared backend can run it as one server-side script (a Redis ``EVALSHA``) and many processes together stay
within one budget. The waiting itself happens in the caller, between tries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from exchange_clients._ratelimit.rules import Charge, Refusal

__all__ = ["LimiterBackend"]


@runtime_checkable
class LimiterBackend(Protocol):
    """Shared limit state. Clients given the same backend and API key share every counter and penalty."""

    @property
    def key_salt(self) -> bytes:
        """Salt of the API-key digests in counter names; every process sharing the state uses the same one."""
        ...

    def try_acquire(self, gates: Sequence[str], charges: Sequence[Charge]) -> Refusal | None:
        """Atomically: if no gate is closed and every holding charge fits, take all ``charges`` and return
        ``None``; otherwise take nothing and return the :class:`Refusal` (the longest wait needed)."""
        ...

    async def try_acquire_async(self, gates: Sequence[str], charges: Sequence[Charge]) -> Refusal | None:
        """As :meth:`try_acquire`, for the asynchronous clients."""
        ...

    def penalize(self, gates: Sequence[str], seconds: float) -> None:
        """Close ``gates`` for ``seconds`` from now (never shortening a penalty already in force)."""
        ...

    async def penalize_async(self, gates: Sequence[str], seconds: float) -> None:
        """As :meth:`penalize`, for the asynchronous clients."""
        ...
