"""The client-side limiter delays calls instead of letting the venue refuse them (fake clock, no real waits)."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from exchange_clients import Bitflyer, KrakenSpot
from exchange_clients._ratelimit import Bucket, BucketRule, RateLimiter
from exchange_clients.bitflyer import bitflyer_rate_limits
from exchange_clients.kraken_futures import futures_rate_limits
from exchange_clients.kraken_spot import spot_rate_limits

SECRET = "a2V5IGZvciB0ZXN0cyBvbmx5IC0tIG5vdCBhIHJlYWwgc2VjcmV0IC0tIDAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMw=="


class FakeClock:
    """Time that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _limiter(rules: tuple[BucketRule, ...], clock: FakeClock, key: str = "k") -> RateLimiter:
    return RateLimiter("test venue", rules, key, clock=clock, sleep=clock.sleep)


def test_spot_starter_counter_lets_15_calls_through_then_waits_for_decay() -> None:
    clock = FakeClock()
    limiter = _limiter(spot_rate_limits("starter"), clock, key="spot-starter")
    waits = [limiter.acquire("get_account_balance", "/private/Balance", True) for _ in range(16)]
    assert waits[:15] == [0.0] * 15
    assert waits[15] == pytest.approx(1 / 0.33)
    assert clock.slept == [pytest.approx(1 / 0.33)]


def test_spot_ledger_queries_cost_two_and_orders_cost_nothing() -> None:
    clock = FakeClock()
    limiter = _limiter(spot_rate_limits("intermediate"), clock, key="spot-costs")
    for _ in range(10):
        assert limiter.acquire("get_ledgers", "/private/Ledgers", True) == 0.0
    for _ in range(100):  # order placing is the matching engine's business, not the call counter's
        assert limiter.acquire("add_order", "/private/AddOrder", True) == 0.0
    assert limiter.acquire("get_ledgers", "/private/Ledgers", True) == pytest.approx(2 / 0.5)


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Kraken Spot tier"):
        spot_rate_limits("whale")


def test_futures_budget_prices_calls_by_cost() -> None:
    clock = FakeClock()
    limiter = _limiter(futures_rate_limits(), clock, key="futures-budget")
    for _ in range(50):  # 50 orders x 10 = the whole 500 budget
        assert limiter.acquire("send_order", "/derivatives/api/v3/sendorder", True) == 0.0
    assert limiter.acquire("send_order", "/derivatives/api/v3/sendorder", True) == pytest.approx(10 / 50)
    assert limiter.acquire("get_tickers", "/derivatives/api/v3/tickers", False) == 0.0  # public: free


def test_futures_history_pool_refills_slowly() -> None:
    clock = FakeClock()
    limiter = _limiter(futures_rate_limits(), clock, key="futures-history")
    for _ in range(33):
        limiter.acquire("account_log", "/api/history/v3/account-log", True)  # 3 each: 99 of 100
    assert limiter.acquire("account_log", "/api/history/v3/account-log", True) == pytest.approx(2 / (100 / 600))


def test_bitflyer_order_endpoints_hit_the_stricter_limit_first() -> None:
    clock = FakeClock()
    limiter = _limiter(bitflyer_rate_limits(), clock, key="bf-orders")
    for _ in range(300):
        assert limiter.acquire("send_child_order", "/v1/me/sendchildorder", True) == 0.0
    assert limiter.acquire("send_child_order", "/v1/me/sendchildorder", True) == pytest.approx(1.0)
    assert limiter.acquire("get_balance", "/v1/me/getbalance", True) == 0.0  # 301 of the 500 private


def test_buckets_are_shared_per_key_and_separate_between_keys() -> None:
    clock = FakeClock()
    rules = (BucketRule("r", 2, 1.0, lambda path, private: True),)
    first, second, other = _limiter(rules, clock, "a"), _limiter(rules, clock, "a"), _limiter(rules, clock, "b")
    assert first.acquire("x", "/p", True) == 0.0
    assert second.acquire("x", "/p", True) == 0.0
    assert other.acquire("x", "/p", True) == 0.0
    assert first.acquire("x", "/p", True) == pytest.approx(1.0)


def test_concurrent_threads_never_take_more_than_the_bucket_holds() -> None:
    frozen = FakeClock()  # never advances: no refill, so exactly `capacity` calls may pass
    rules = (BucketRule("r", 50, 1.0, lambda path, private: True),)
    limiter = _limiter(rules, frozen, "threads")
    charges = limiter._charges("x", "/p", True)
    passed = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(100):
            if limiter._try_take(charges) == 0:
                with lock:
                    passed.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 50


def test_async_acquire_waits_without_blocking_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    monkeypatch.setattr("exchange_clients._ratelimit.asyncio.sleep", fake_sleep)
    limiter = _limiter((BucketRule("r", 1, 2.0, lambda path, private: True),), clock, "async")

    async def main() -> list[float]:
        return [await limiter.acquire_async("x", "/p", True) for _ in range(3)]

    assert asyncio.run(main()) == [0.0, 0.5, 0.5]
    assert slept == [0.5, 0.5]


def test_bucket_never_goes_above_capacity() -> None:
    clock = FakeClock()
    bucket = Bucket(5, 1.0, clock)
    clock.now += 1000
    bucket.take(5)
    assert bucket.wait_for(1) == pytest.approx(1.0)


def test_facade_delays_the_call_that_would_exceed_the_limit() -> None:
    clock = FakeClock()
    limiter = RateLimiter(
        "bitFlyer", (BucketRule("r", 2, 0.5, lambda p, private: True),), "k", clock=clock, sleep=clock.sleep
    )
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(clock.now)
        return httpx.Response(200, json=[])

    client = Bitflyer(transport=httpx.MockTransport(handler), rate_limit=limiter)
    for _ in range(3):
        assert client.get_markets() == []
    assert calls == [1000.0, 1000.0, 1002.0]  # the third call waited two seconds instead of failing


def test_rate_limit_can_be_switched_off() -> None:
    client = KrakenSpot("k", SECRET, rate_limit=False)
    assert client._limiter is None
    assert KrakenSpot("k", SECRET)._limiter is not None
