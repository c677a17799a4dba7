"""A fake clock for the limiter tests, and the window arithmetic the proofs compute from admitted calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exchange_clients._ratelimit import InProcessBackend, RateLimiter, VenueLimits


class FakeClock:
    """Time that moves only when the limiter sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass(frozen=True)
class Op:
    """An operation as the limiter sees it."""

    name: str
    path: str
    private: bool = True


def limiter(limits: VenueLimits, clock: FakeClock, key: str | None = "k", **options: Any) -> RateLimiter:
    backend = options.pop("backend", None) or InProcessBackend(clock=clock)
    return RateLimiter(
        limits, key, backend=backend, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep, **options
    )


def saturate(
    limiter: RateLimiter,
    clock: FakeClock,
    calls: Sequence[tuple[Op, Mapping[str, Any]]],
    until: float,
    cost: Callable[[Op, Mapping[str, Any]], float],
) -> list[tuple[float, float]]:
    """Call as fast as the limiter lets, cycling through ``calls``, until the clock passes ``until``;
    return (time admitted, cost) of every call."""
    admitted: list[tuple[float, float]] = []
    index = 0
    while clock.now < until:
        op, fields = calls[index % len(calls)]
        limiter.acquire(op, fields)
        admitted.append((clock.now, cost(op, fields)))
        index += 1
    return admitted


def max_in_window(admitted: Sequence[tuple[float, float]], seconds: float) -> float:
    """The most cost admitted in any window [t, t + seconds): the worst window starts at an admitted call."""
    ordered = sorted(admitted)
    worst, total, end = 0.0, 0.0, 0
    for start, (t, _) in enumerate(ordered):
        while end < len(ordered) and ordered[end][0] < t + seconds:
            total += ordered[end][1]
            end += 1
        worst = max(worst, total)
        total -= ordered[start][1]
    return worst


def max_over_counter(admitted: Sequence[tuple[float, float]], per_second: float) -> float:
    """The most that any stretch [s, e] of admitted calls spent beyond what the decay gave back in it: a
    decaying counter with maximum M admits a run only if this never exceeds M."""
    ordered = sorted(admitted)
    worst = 0.0
    for i, (start, _) in enumerate(ordered):
        spent = 0.0
        for t, cost in ordered[i:]:
            spent += cost
            worst = max(worst, spent - per_second * (t - start))
    return worst


def in_first_windows(admitted: Sequence[tuple[float, float]], start: float, seconds: float, windows: int) -> float:
    return sum(cost for t, cost in admitted if start <= t < start + windows * seconds)
