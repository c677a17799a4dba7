"""The client-side limiter: each venue's limits hold in every window, without starving (fake clock, no waits).

The window proofs run a saturated client for several windows and compute, from the times the calls were
admitted, the most admitted in any window of the documented length.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from limits_support import FakeClock, Op, in_first_windows, limiter, max_in_window, max_over_counter, saturate

from exchange_clients._ratelimit import (
    Charge,
    DecayingCounter,
    InProcessBackend,
    Limit,
    RateLimiter,
    VenueLimits,
    Window,
)
from exchange_clients.bitflyer import bitflyer_rate_limits
from exchange_clients.errors import AuthenticationError, RateLimited
from exchange_clients.kraken_futures import futures_rate_limits
from exchange_clients.kraken_spot import spot_rate_limits

BALANCE = Op("get_account_balance", "/private/Balance")
LEDGERS = Op("get_ledgers", "/private/Ledgers")
SPOT_TICKER = Op("get_ticker_information", "/public/Ticker", private=False)
SEND_ORDER = Op("send_order", "/derivatives/api/v3/sendorder")
BATCH = Op("send_batch_order", "/derivatives/api/v3/batchorder")
FILLS = Op("get_fills", "/derivatives/api/v3/fills")
ACCOUNTS = Op("get_accounts", "/derivatives/api/v3/accounts")
TICKERS = Op("get_tickers", "/derivatives/api/v3/tickers", private=False)
ACCOUNT_LOG = Op("account_log", "/api/history/v3/account-log")
ORDER_EVENTS = Op("get_order_events", "/api/history/v3/orders")
CHILD_ORDER = Op("send_child_order", "/v1/me/sendchildorder")
CANCEL_CHILD = Op("cancel_child_order", "/v1/me/cancelchildorder")
BF_BALANCE = Op("get_balance", "/v1/me/getbalance")
BF_TICKER = Op("get_ticker", "/v1/getticker", private=False)


def _batch(size: int) -> dict[str, str]:
    return {"json": json.dumps({"batchOrder": [{"order": "send"}] * size})}


def _one(_op: Op, _fields: object) -> float:
    return 1.0


# --- the window proofs -------------------------------------------------------------------------------------


def test_bitflyer_private_calls_never_exceed_500_in_any_5_minutes_and_keep_up_with_the_budget() -> None:
    clock = FakeClock()
    lim = limiter(bitflyer_rate_limits(), clock)
    start = clock.now
    admitted = saturate(lim, clock, [(BF_BALANCE, {}), (CANCEL_CHILD, {})], start + 5 * 300, _one)
    assert max_in_window(admitted, 300.0) == 500  # the old token bucket let 999 through
    assert in_first_windows(admitted, start, 300.0, 4) >= 0.99 * 4 * 500  # 1,996 of 2,000: no starvation


def test_bitflyer_order_endpoints_never_exceed_300_in_any_5_minutes() -> None:
    clock = FakeClock()
    lim = limiter(bitflyer_rate_limits(), clock)
    start = clock.now
    admitted = saturate(lim, clock, [(CHILD_ORDER, {})], start + 5 * 300, _one)
    assert max_in_window(admitted, 300.0) == 300  # the old token bucket let 599 through
    assert in_first_windows(admitted, start, 300.0, 4) >= 0.99 * 4 * 300


def test_bitflyer_mixed_calls_hold_both_the_order_and_the_private_limit() -> None:
    clock = FakeClock()
    lim = limiter(bitflyer_rate_limits(), clock)
    calls = [(CHILD_ORDER, {}), (BF_BALANCE, {}), (CHILD_ORDER, {})]
    admitted_all = []
    index = 0
    while clock.now < 1000.0 + 4 * 300:
        op, fields = calls[index % 3]
        lim.acquire(op, fields)
        admitted_all.append((clock.now, op))
        index += 1
    orders = [(t, 1.0) for t, op in admitted_all if op is CHILD_ORDER]
    assert max_in_window(orders, 300.0) <= 300
    assert max_in_window([(t, 1.0) for t, _ in admitted_all], 300.0) <= 500


def test_bitflyer_ip_limit_counts_public_and_private_calls_together() -> None:
    clock = FakeClock()
    lim = limiter(bitflyer_rate_limits(), clock)
    admitted = saturate(lim, clock, [(BF_TICKER, {}), (BF_BALANCE, {})], clock.now + 3 * 300, _one)
    assert max_in_window(admitted, 300.0) == 500


def test_futures_derivatives_never_exceed_500_in_any_10_seconds_whatever_the_costs() -> None:
    clock = FakeClock()
    lim = limiter(futures_rate_limits(), clock)
    calls = [(SEND_ORDER, {}), (ACCOUNTS, {}), (BATCH, _batch(7)), (FILLS, {"lastFillTime": "2026-01-01"}),
             (FILLS, {}), (TICKERS, {})]  # fmt: skip
    costs = {"send_order": 10, "get_accounts": 2, "send_batch_order": 16, "get_tickers": 0}

    def cost(op: Op, fields: object) -> float:
        return (25 if fields else 2) if op is FILLS else costs[op.name]

    start = clock.now
    admitted = saturate(lim, clock, calls, start + 8 * 10, cost)
    assert max_in_window(admitted, 10.0) <= 500  # the old token bucket let 990 through
    assert in_first_windows(admitted, start, 10.0, 6) >= 0.95 * 6 * 500


def test_futures_history_pool_never_exceeds_100_in_any_10_minutes_and_prices_account_log_by_count() -> None:
    clock = FakeClock()
    lim = limiter(futures_rate_limits(), clock)
    calls = [(ACCOUNT_LOG, {}), (ACCOUNT_LOG, {"count": 20}), (ACCOUNT_LOG, {"count": 5000}), (ORDER_EVENTS, {})]
    costs = {None: 3, 20: 1, 5000: 6}

    def cost(op: Op, fields: dict[str, int]) -> float:
        return 1 if op is ORDER_EVENTS else costs[fields.get("count")]

    start = clock.now
    admitted = saturate(lim, clock, calls, start + 5 * 600, cost)
    assert max_in_window(admitted, 600.0) <= 100
    assert in_first_windows(admitted, start, 600.0, 4) >= 0.95 * 4 * 100


def test_spot_call_counter_is_the_venues_decaying_counter_exactly() -> None:
    for tier, (maximum, decay) in {"starter": (15, 0.33), "intermediate": (20, 0.5), "pro": (20, 1.0)}.items():
        clock = FakeClock()
        lim = limiter(spot_rate_limits(tier), clock)
        start = clock.now
        admitted = saturate(
            lim, clock, [(BALANCE, {}), (LEDGERS, {})], start + 300, lambda op, _: 2.0 if op is LEDGERS else 1.0
        )
        assert max_over_counter(admitted, decay) <= maximum + 1e-6
        spent = sum(cost for _, cost in admitted)
        assert spent >= maximum + decay * 300 - 2  # the whole burst, then every unit the decay gives back


# --- costs, partitions, sharing ------------------------------------------------------------------------------


def test_futures_costs_follow_the_wire_fields() -> None:
    clock = FakeClock()
    lim = limiter(futures_rate_limits(), clock)
    for _ in range(20):
        lim.acquire(FILLS, {"lastFillTime": "2026-01-01T00:00:00.000Z"})  # 20 x 25 = the whole budget
    assert lim.acquire(FILLS, {}) > 0  # cost 2: waits for the first window to pass
    clock.now += 20
    for _ in range(10):
        lim.acquire(BATCH, _batch(41))  # 9 + 41 = 50
    assert lim.acquire(ACCOUNTS, {}) > 0
    assert lim.acquire(TICKERS, {}) == 0.0  # public calls cost nothing


def test_an_unreadable_batch_costs_its_fixed_part() -> None:
    clock = FakeClock()
    lim = limiter(futures_rate_limits(), clock)
    for _ in range(50):
        lim.acquire(BATCH, {"json": "not json"})  # 10 each
    assert lim.acquire(BATCH, {"json": "not json"}) > 0


def test_spot_order_calls_skip_the_call_counter_and_ledgers_cost_two() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("intermediate"), clock)
    for _ in range(10):
        assert lim.acquire(LEDGERS, {}) == 0.0
    assert lim.acquire(Op("cancel_all_orders_after", "/private/CancelAllOrdersAfter"), {}) == 0.0
    assert lim.acquire(LEDGERS, {}) == pytest.approx(2 / 0.5)


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Kraken Spot tier"):
        spot_rate_limits("whale")


def test_limits_are_shared_per_backend_and_key_and_separate_between_keys() -> None:
    clock = FakeClock()
    backend = InProcessBackend(clock=clock)
    limits = VenueLimits("v", (Limit("r", Window(2, 10.0), per_key=True, covers=lambda path, private: True),))
    first, second = limiter(limits, clock, "a", backend=backend), limiter(limits, clock, "a", backend=backend)
    other, elsewhere = limiter(limits, clock, "b", backend=backend), limiter(limits, clock, "a")
    op = Op("x", "/p")
    assert first.acquire(op, {}) == 0.0
    assert second.acquire(op, {}) == 0.0
    assert other.acquire(op, {}) == 0.0
    assert elsewhere.acquire(op, {}) == 0.0  # another backend: other state
    assert first.acquire(op, {}) == pytest.approx(10.0)


def test_a_call_that_costs_more_than_the_whole_budget_takes_the_whole_budget() -> None:
    clock = FakeClock()
    lim = limiter(futures_rate_limits(), clock)
    assert lim.acquire(BATCH, _batch(600)) == 0.0
    assert lim.acquire(ACCOUNTS, {}) == pytest.approx(10.2)


def test_concurrent_threads_never_take_more_than_the_window_holds() -> None:
    frozen = FakeClock()  # never advances: exactly `limit` calls may pass
    backend = InProcessBackend(clock=frozen)
    charge = (Charge("c", Window(50, 10.0), 1.0),)
    passed = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(100):
            if backend.try_acquire((), charge) is None:
                with lock:
                    passed.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 50


def test_a_charge_that_does_not_hold_is_taken_over_the_limit_and_delays_the_next() -> None:
    clock = FakeClock()
    backend = InProcessBackend(clock=clock)
    rule = DecayingCounter(10, 1.0)
    assert backend.try_acquire((), (Charge("c", rule, 10),)) is None
    assert backend.try_acquire((), (Charge("c", rule, 8, hold=False),)) is None  # at 18 of 10
    refusal = backend.try_acquire((), (Charge("c", rule, 1),))
    assert refusal is not None
    assert refusal.wait == pytest.approx(9.0)
    assert not refusal.penalty


def test_a_refused_call_takes_nothing_from_any_counter() -> None:
    clock = FakeClock()
    backend = InProcessBackend(clock=clock)
    roomy, full = Window(10, 10.0), Window(1, 10.0)
    assert backend.try_acquire((), (Charge("full", full, 1),)) is None
    assert backend.try_acquire((), (Charge("roomy", roomy, 5), Charge("full", full, 1))) is not None
    for _ in range(10):  # "roomy" still has all 10
        assert backend.try_acquire((), (Charge("roomy", roomy, 1),)) is None


def test_async_acquire_waits_with_the_async_sleep() -> None:
    clock = FakeClock()
    limits = VenueLimits("v", (Limit("r", DecayingCounter(1, 2.0), per_key=True, covers=lambda p, private: True),))
    lim = limiter(limits, clock)

    async def main() -> list[float]:
        return [await lim.acquire_async(Op("x", "/p"), {}) for _ in range(3)]

    assert asyncio.run(main()) == [0.0, 0.5, 0.5]
    assert clock.slept == [0.5, 0.5]


# --- penalties from the venue ---------------------------------------------------------------------------


def _throttled(seconds: float) -> RateLimited:
    return RateLimited("EService:Throttled", venue="Kraken Spot", code="EService:Throttled", retry_after=seconds)


def test_a_venue_wait_holds_back_every_call_of_the_key_and_limit_until_it_ends() -> None:
    clock = FakeClock()
    backend = InProcessBackend(clock=clock)
    first = limiter(spot_rate_limits(), clock, "key", backend=backend)
    second = limiter(spot_rate_limits(), clock, "key", backend=backend)  # another client, same key
    other_key = limiter(spot_rate_limits(), clock, "other", backend=backend)
    first.penalize(BALANCE, _throttled(7.0))
    assert second.acquire(Op("add_order", "/private/AddOrder"), {"pair": "XBTUSD"}) == pytest.approx(7.0)
    assert other_key.acquire(BALANCE, {}) == 0.0
    assert first.acquire(SPOT_TICKER, {}) == 0.0  # public calls are another limit


def test_a_lockout_fails_later_calls_at_once_without_sending_for_about_15_minutes() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits(), clock)
    lockout = AuthenticationError("locked", venue="Kraken Spot", code="EGeneral:Temporary lockout")
    lim.penalize(BALANCE, lockout)
    with pytest.raises(RateLimited) as raised:
        lim.acquire(Op("cancel_order", "/private/CancelOrder"), {"txid": "O1"})
    assert raised.value.retry_after == pytest.approx(900.0)
    assert clock.slept == []
    clock.now += 900
    assert lim.acquire(BALANCE, {}) == 0.0


def test_a_penalty_no_longer_than_the_penalty_wait_is_waited_out() -> None:
    clock = FakeClock()
    lim = limiter(bitflyer_rate_limits(), clock, penalty_wait=120.0)
    reset = RateLimited("429", venue="bitFlyer", http_status=429, retry_after=100.0)
    lim.penalize(BF_TICKER, reset)  # a public call: the IP address's limit, so every call
    assert lim.acquire(BF_BALANCE, {}) == pytest.approx(100.0)


def test_a_futures_history_reset_holds_the_history_pool_only() -> None:
    clock = FakeClock()
    lim = limiter(futures_rate_limits(), clock)
    lim.penalize(ORDER_EVENTS, RateLimited("429", venue="Kraken Futures", retry_after=30.0))
    assert lim.acquire(SEND_ORDER, {}) == 0.0
    assert lim.acquire(ACCOUNT_LOG, {}) == pytest.approx(30.0)


def test_errors_without_a_wait_hold_nothing_back() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits(), clock)
    lim.penalize(BALANCE, RateLimited("EAPI:Rate limit exceeded", venue="Kraken Spot"))
    lim.penalize(BALANCE, AuthenticationError("EAPI:Invalid key", venue="Kraken Spot", code="EAPI:Invalid key"))
    assert lim.acquire(BALANCE, {}) == 0.0


def test_async_penalties_hold_back_like_sync_ones() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits(), clock)

    async def main() -> float:
        await lim.penalize_async(BALANCE, _throttled(3.0))
        return await lim.acquire_async(BALANCE, {})

    assert asyncio.run(main()) == pytest.approx(3.0)


# --- no key in plain text -------------------------------------------------------------------------------


def test_the_limiter_and_its_backend_keep_no_api_key_in_plain_text() -> None:
    key = "my-very-own-api-key"
    clock = FakeClock()
    backend = InProcessBackend(clock=clock)
    lim = RateLimiter(spot_rate_limits(), key, backend=backend, clock=clock, sleep=clock.sleep)
    lim.acquire(BALANCE, {})
    lim.penalize(BALANCE, _throttled(1.0))
    seen = repr(lim) + repr(backend) + repr(vars(lim)) + repr(vars(backend))
    assert key not in seen
    assert seen.count("|private|") > 0  # the counters are there, named by a digest
