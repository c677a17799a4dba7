"""``python -m bench.limiter``: what one ``RateLimiter.acquire`` costs, on the path where the call may go.

The clients in ``make bench`` run with the limiter off, so their per-call numbers leave it out; this measures
it alone: one acquire per operation kind (a fixed cost, costs from the wire fields, Kraken Spot's engine
counter with its order lookups), and the ``record`` after a placed order. The clock moves past every window
at each reading, so every budget has room and nothing ever waits. Best of 5 runs of 50,000 calls, in microseconds.
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable
from types import SimpleNamespace

from exchange_clients._ratelimit import InProcessBackend, RateLimiter, VenueLimits
from exchange_clients._runtime import Operation
from exchange_clients.bitflyer import bitflyer_rate_limits
from exchange_clients.kraken_futures import futures_rate_limits
from exchange_clients.kraken_spot import spot_rate_limits

CALLS = 50_000


class _Clock:
    """Moves past every window per reading: a saturated budget would measure the waits, not the limiter."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1000.0
        return self.now


def _never_sleep(seconds: float) -> None:
    raise AssertionError(f"the benchmark waited {seconds} s: it measures the admit path only")


def _op(name: str, path: str, private: bool = True) -> Operation:
    return Operation(name=name, module="", method="POST", path=path, private=private, read=False)


def _limiter(limits: VenueLimits) -> RateLimiter:
    # Orders stay young (their ages come from the limiter's clock) while the backend's budgets clear.
    backend = InProcessBackend(clock=_Clock())
    return RateLimiter(limits, "bench-key", backend=backend, clock=lambda: 0.0, sleep=_never_sleep)


def cases() -> list[tuple[str, Callable[[], object]]]:
    spot, futures, bitflyer = (
        _limiter(spot_rate_limits("pro")),
        _limiter(futures_rate_limits()),
        _limiter(bitflyer_rate_limits()),
    )
    balance, ticker = _op("get_account_balance", "/private/Balance"), _op("get_ticker", "/public/Ticker", False)
    add, cancel = _op("add_order", "/private/AddOrder"), _op("cancel_order", "/private/CancelOrder")
    order, placed = {"pair": "XBTUSD", "ordertype": "limit"}, SimpleNamespace(txid=["OBENCH"])
    spot.record(add, order, placed) if spot.acquire(add, order) == 0 else None
    send, batch = (
        _op("send_order", "/derivatives/api/v3/sendorder"),
        _op("send_batch_order", "/derivatives/api/v3/batchorder"),
    )
    batch_fields = {"json": json.dumps({"batchOrder": [{"order": "send"}] * 5})}
    log = _op("account_log", "/api/history/v3/account-log")
    child = _op("send_child_order", "/v1/me/sendchildorder")
    return [
        ("Kraken Spot private read (call counter)", lambda: spot.acquire(balance, {})),
        ("Kraken Spot public read (per IP)", lambda: spot.acquire(ticker, {})),
        ("Kraken Spot add_order (engine counter)", lambda: spot.acquire(add, order)),
        ("Kraken Spot add_order record", lambda: spot.record(add, order, placed)),
        ("Kraken Spot cancel_order of a tracked order", lambda: spot.acquire(cancel, {"txid": "OBENCH"})),
        ("Kraken Futures send_order (window)", lambda: futures.acquire(send, {})),
        ("Kraken Futures send_batch_order (cost from the body)", lambda: futures.acquire(batch, batch_fields)),
        ("Kraken Futures account_log (cost from count)", lambda: futures.acquire(log, {"count": 100})),
        ("bitFlyer send_child_order (three windows)", lambda: bitflyer.acquire(child, {})),
    ]


def main() -> None:
    print("| acquire | µs |\n| --- | ---: |")
    for label, call in cases():
        best = min(timeit.repeat(call, number=CALLS, repeat=5)) / CALLS
        print(f"| {label} | {best * 1e6:.2f} |")


if __name__ == "__main__":
    main()
