"""Client-side rate limiting: wait before the venue would refuse, instead of being refused.

Every venue limit we know is a token bucket: Kraken Spot's decaying call counter is one (the counter is
capacity minus tokens, the decay is the refill), Kraken Futures' cost budgets are two, bitFlyer's
"N requests per 5 minutes" windows are approximated by buckets that refill N per 5 minutes. A call takes
its cost from every bucket that applies to it, waiting first until all of them can pay. Buckets are shared
by every client in the process that uses the same venue and key, across threads and asyncio tasks.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Bucket", "BucketRule", "RateLimiter"]

_EPSILON = 1e-9


@dataclass
class Bucket:
    """``capacity`` tokens, refilled at ``per_second``; thread-safe."""

    capacity: float
    per_second: float
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._tokens = self.capacity
        self._stamp = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.per_second)
        self._stamp = now

    def wait_for(self, cost: float) -> float:
        """Seconds until ``cost`` tokens are there (0 when they are now); takes nothing."""
        with self._lock:
            self._refill()
            missing = min(cost, self.capacity) - self._tokens
            # Tolerance: after sleeping exactly the computed wait, rounding can leave a shortfall too small
            # for the clock to ever advance past.
            return 0.0 if missing <= _EPSILON else missing / self.per_second

    def take(self, cost: float) -> None:
        with self._lock:
            self._refill()
            self._tokens -= min(cost, self.capacity)


@dataclass(frozen=True)
class BucketRule:
    """One venue limit: which calls it covers and what each costs.

    ``applies(path, private)`` selects the calls; ``cost(name)`` prices one by operation name; ``per_key``
    buckets are shared per API key (private limits), the others per process (limits per IP address).
    """

    name: str
    capacity: float
    per_second: float
    applies: Callable[[str, bool], bool]
    cost: Callable[[str], float] = lambda name: 1.0
    per_key: bool = True


_REGISTRY: dict[tuple[str, str, str], Bucket] = {}
_REGISTRY_LOCK = threading.Lock()
# One lock for "can every bucket pay? then take": buckets are shared between limiters of the same key.
_TAKE_LOCK = threading.Lock()


def _bucket(venue: str, rule: BucketRule, key: str | None, clock: Callable[[], float]) -> Bucket:
    owner = hashlib.sha256(key.encode()).hexdigest() if rule.per_key and key else "process"
    with _REGISTRY_LOCK:
        bucket = _REGISTRY.get((venue, rule.name, owner))
        if bucket is None or bucket.clock is not clock:
            bucket = Bucket(rule.capacity, rule.per_second, clock)
            _REGISTRY[(venue, rule.name, owner)] = bucket
        return bucket


class RateLimiter:
    """The limits of one venue for one API key. ``sleep``/``clock`` are injectable for tests."""

    def __init__(
        self,
        venue: str,
        rules: tuple[BucketRule, ...],
        api_key: str | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._venue = venue
        self._rules = rules
        self._key = api_key
        self._clock = clock
        self._sleep = sleep

    def _charges(self, name: str, path: str, private: bool) -> list[tuple[Bucket, float]]:
        return [
            (_bucket(self._venue, rule, self._key, self._clock), rule.cost(name))
            for rule in self._rules
            if rule.applies(path, private) and rule.cost(name) > 0
        ]

    def _try_take(self, charges: list[tuple[Bucket, float]]) -> float:
        """Take every cost if all buckets can pay now (return 0), else take nothing and return the wait."""
        with _TAKE_LOCK:
            wait = max((bucket.wait_for(cost) for bucket, cost in charges), default=0.0)
            if wait <= 0:
                for bucket, cost in charges:
                    bucket.take(cost)
            return wait

    def acquire(self, name: str, path: str, private: bool) -> float:
        """Block until the call may go; return the seconds waited."""
        charges = self._charges(name, path, private)
        waited = 0.0
        while (wait := self._try_take(charges)) > 0:
            self._sleep(wait)
            waited += wait
        return waited

    async def acquire_async(self, name: str, path: str, private: bool) -> float:
        """As :meth:`acquire`, without blocking the event loop."""
        charges = self._charges(name, path, private)
        waited = 0.0
        while (wait := self._try_take(charges)) > 0:
            await asyncio.sleep(wait)
            waited += wait
        return waited
