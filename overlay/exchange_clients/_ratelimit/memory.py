"""The default limiter backend: state in this process, shared by its threads and asyncio tasks."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from exchange_clients._ratelimit.rules import Charge, DecayingCounter, Refusal, Window

__all__ = ["DEFAULT_BACKEND", "InProcessBackend"]

# A decaying counter's level is continuous: after sleeping exactly the computed wait, rounding can leave a
# shortfall too small for the clock to ever advance past.
_EPSILON = 1e-9


class _Log:
    """What a window's counter spent, oldest first, and the sum of it."""

    __slots__ = ("entries", "rule", "total")

    def __init__(self, rule: Window) -> None:
        self.rule = rule
        self.entries: deque[tuple[float, float]] = deque()
        self.total = 0.0

    def wait(self, cost: float, now: float) -> float:
        rule, entries = self.rule, self.entries
        horizon = now - rule.seconds
        # An entry at t counts in every window that contains t: up to, not including, t + seconds.
        while entries and entries[0][0] <= horizon:
            self.total -= entries.popleft()[1]
        if not entries:
            self.total = 0.0  # no drift from repeated float subtraction
        excess = self.total + min(cost, rule.limit) - rule.limit
        if excess <= 0:
            return 0.0
        freed = 0.0
        for stamp, spent in entries:
            freed += spent
            if freed >= excess:
                return stamp + rule.seconds - now
        # Rounding can leave the running total a hair above the entries' sum: then the whole log must go.
        return entries[-1][0] + rule.seconds - now

    def take(self, cost: float, now: float) -> None:
        cost = min(cost, self.rule.limit)
        self.entries.append((now, cost))
        self.total += cost


class _Level:
    """A decaying counter's level at ``stamp``."""

    __slots__ = ("level", "rule", "stamp")

    def __init__(self, rule: DecayingCounter, now: float) -> None:
        self.rule = rule
        self.level = 0.0
        self.stamp = now

    def wait(self, cost: float, now: float) -> float:
        rule = self.rule
        self.level = max(0.0, self.level - (now - self.stamp) * rule.per_second)
        self.stamp = now
        excess = self.level + min(cost, rule.maximum) - rule.maximum
        return 0.0 if excess <= _EPSILON else excess / rule.per_second

    def take(self, cost: float, now: float) -> None:
        self.level += min(cost, self.rule.maximum)


class InProcessBackend:
    """Counters and penalties in a dict behind one lock (never held across a wait or an await).

    ``clock`` is injectable for tests; it must be monotonic. Each instance has its own key salt, so the
    digests naming its counters mean nothing outside this process.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._salt = os.urandom(16)
        self._lock = threading.Lock()
        self._logs: dict[str, _Log] = {}
        self._levels: dict[str, _Level] = {}
        self._closed_until: dict[str, float] = {}

    @property
    def key_salt(self) -> bytes:
        return self._salt

    def __repr__(self) -> str:
        return f"InProcessBackend(counters={len(self._logs) + len(self._levels)}, gates={len(self._closed_until)})"

    def try_acquire(self, gates: Sequence[str], charges: Sequence[Charge]) -> Refusal | None:
        with self._lock:
            now = self._clock()
            if self._closed_until:
                until = max((self._closed_until.get(gate, 0.0) for gate in gates), default=0.0)
                if until > now:
                    return Refusal(until - now, penalty=True)
            states = [self._state(charge, now) for charge in charges]
            wait = 0.0
            for state, charge in zip(states, charges, strict=True):
                needed = state.wait(charge.cost, now)
                if charge.hold and needed > wait:
                    wait = needed
            if wait > 0:
                return Refusal(wait)
            for state, charge in zip(states, charges, strict=True):
                state.take(charge.cost, now)
            return None

    async def try_acquire_async(self, gates: Sequence[str], charges: Sequence[Charge]) -> Refusal | None:
        return self.try_acquire(gates, charges)

    def penalize(self, gates: Sequence[str], seconds: float) -> None:
        with self._lock:
            now = self._clock()
            for gate, until in list(self._closed_until.items()):
                if until <= now:
                    del self._closed_until[gate]
            for gate in gates:
                self._closed_until[gate] = max(self._closed_until.get(gate, 0.0), now + seconds)

    async def penalize_async(self, gates: Sequence[str], seconds: float) -> None:
        self.penalize(gates, seconds)

    def _state(self, charge: Charge, now: float) -> _Log | _Level:
        # The state follows the rule of the latest charge: a client that changes tier changes the rule.
        rule = charge.rule
        if isinstance(rule, Window):
            log = self._logs.get(charge.counter)
            if log is None:
                log = self._logs[charge.counter] = _Log(rule)
            log.rule = rule
            return log
        level = self._levels.get(charge.counter)
        if level is None:
            level = self._levels[charge.counter] = _Level(rule, now)
        level.rule = rule
        return level


DEFAULT_BACKEND = InProcessBackend()
"""The backend of every client that is not given one: limits are shared per venue and key in the process."""
