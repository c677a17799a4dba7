"""What each process of the multi-process coordination tests does (tests/integration/test_redis_coordination.py).

A module of its own, without pytest: ``spawn`` children import it afresh. Each worker builds its own
``RedisCoordination`` and clients, as a real separate program would, waits at the barrier so that all start
together, and puts what it saw on ``results``.
"""

from __future__ import annotations

import time
from collections import Counter
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from exchange_clients import ExchangeError, KrakenSpot, RateLimited
from exchange_clients._ratelimit import Limit, RateLimiter, VenueLimits, Window
from exchange_clients._runtime import Operation
from exchange_clients.kraken_spot import spot_rate_limits
from exchange_clients.redis import RedisCoordination
from standin.keys import FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET

KEY, SECRET = FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET
WINDOW_LIMIT, WINDOW_SECONDS = 10.0, 1.0
OPERATION = Operation(name="probe", module="", method="POST", path="/probe", private=True, read=True)


def _everything(path: str, private: bool) -> bool:
    return True


def draw_nonces(url: str, prefix: str, count: int, barrier: Barrier, results: Queue[Any]) -> None:
    coordination = RedisCoordination(url, prefix=prefix)
    key = coordination.key_name(KEY)
    barrier.wait()
    results.put([coordination.nonces.next(key) for _ in range(count)])


def private_calls(
    url: str, prefix: str, base_url: str, count: int, ordered: bool, barrier: Barrier, results: Queue[Any]
) -> None:
    coordination = RedisCoordination(url, prefix=prefix, ordered=ordered)
    errors: Counter[str] = Counter()
    with KrakenSpot(KEY, SECRET, base_url=base_url, coordination=coordination, rate_limit=False) as client:
        barrier.wait()
        for _ in range(count):
            try:
                client.get_account_balance()
            except ExchangeError as error:
                errors[type(error).__name__] += 1
    results.put(dict(errors))


def admit(url: str, prefix: str, seconds: float, barrier: Barrier, results: Queue[Any]) -> None:
    """Acquire a shared, saturated window for ``seconds``; report when each acquire was admitted."""
    limits = VenueLimits("Test", (Limit("shared", Window(WINDOW_LIMIT, WINDOW_SECONDS), True, _everything),))
    limiter = RateLimiter(limits, KEY, backend=RedisCoordination(url, prefix=prefix).limits)
    barrier.wait()
    end, admitted = time.time() + seconds, []
    while time.time() < end:
        limiter.acquire(OPERATION, {})
        admitted.append(time.time())
    results.put(admitted)


def held_call(url: str, prefix: str, base_url: str, barrier: Barrier, results: Queue[Any]) -> None:
    """One private call under the venue's limits, after another process met a penalty: how it went.

    Waits twice at the barrier: all started (the other process then meets its penalty), then go."""
    coordination = RedisCoordination(url, prefix=prefix)
    with KrakenSpot(KEY, SECRET, base_url=base_url, coordination=coordination, retry=False) as client:
        barrier.wait()
        barrier.wait()
        started = time.monotonic()
        try:
            client.get_account_balance()
        except RateLimited as error:
            results.put(("RateLimited", error.retry_after))
        else:
            results.put(("ok", time.monotonic() - started))


def until_failure(url: str, prefix: str, base_url: str, barrier: Barrier, results: Queue[Any]) -> None:
    """Private calls (ordered, limited) until one fails; report the error, how long that call took, and how
    many succeeded before it."""
    coordination = RedisCoordination(url, prefix=prefix, timeout=0.5)
    limits = spot_rate_limits("pro")
    with KrakenSpot(KEY, SECRET, base_url=base_url, coordination=coordination, rate_limit=limits) as client:
        barrier.wait()
        calls = 0
        while True:
            started = time.monotonic()
            try:
                client.get_account_balance()
            except ExchangeError as error:
                results.put((type(error).__name__, time.monotonic() - started, calls))
                return
            calls += 1
