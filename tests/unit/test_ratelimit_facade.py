"""The limiter in the call path: priced from the request's wire fields, fed the results, held back by the
venue's penalties (fake clock; the transport records when each request was sent)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from limits_support import FakeClock, limiter

from exchange_clients import AsyncKrakenSpot, Bitflyer, KrakenFutures, KrakenSpot, RateLimited
from exchange_clients._ratelimit import DEFAULT_BACKEND, InProcessBackend, Limit, RateLimiter, VenueLimits, Window
from exchange_clients.bitflyer import bitflyer_rate_limits
from exchange_clients.kraken_futures import futures_rate_limits
from exchange_clients.kraken_spot import spot_rate_limits
from kraken_spot_api.models import AddOrderRequest, AddOrderRequestType, CancelOrderRequest, Ordertype

SECRET = "a2V5IGZvciB0ZXN0cyBvbmx5IC0tIG5vdCBhIHJlYWwgc2VjcmV0IC0tIDAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMw=="
BASE = "https://exchange.test"


def _transport(
    clock: FakeClock, answer: Callable[[httpx.Request], httpx.Response]
) -> tuple[list[float], httpx.MockTransport]:
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(clock.now)
        return answer(request)

    return sent, httpx.MockTransport(handler)


def _spot(
    clock: FakeClock, answer: Callable[[httpx.Request], httpx.Response], **options: object
) -> tuple[list[float], KrakenSpot]:
    sent, transport = _transport(clock, answer)
    lim = limiter(spot_rate_limits("starter"), clock, "key")
    return sent, KrakenSpot("key", SECRET, base_url=f"{BASE}/0", transport=transport, rate_limit=lim, retry=False)


def _spot_answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/AddOrder"):
        return httpx.Response(200, json={"error": [], "result": {"descr": {"order": "buy"}, "txid": ["OYOUNG"]}})
    if request.url.path.endswith("/CancelOrder"):
        return httpx.Response(200, json={"error": [], "result": {"count": 1}})
    return httpx.Response(200, json={"error": [], "result": {"ZUSD": "1.0"}})


def _order(pair: str = "XBTUSD") -> AddOrderRequest:
    return AddOrderRequest(
        ordertype=Ordertype.LIMIT, type_=AddOrderRequestType.BUY, volume=Decimal("1"), pair=pair, price="1"
    )


def test_the_facade_tracks_placed_orders_and_charges_their_cancels_by_age() -> None:
    clock = FakeClock()
    sent, spot = _spot(clock, _spot_answer)
    spot.add_order(body=_order())
    for _ in range(58):
        spot.add_order(body=_order())  # 59 on XBTUSD
    spot.cancel_order(body=CancelOrderRequest(txid="OYOUNG"))  # the txid the venue answered: young, +8
    spot.add_order(body=_order("ETHUSD"))  # another pair: free to go
    spot.add_order(body=_order())
    assert sent[-1] - sent[-2] == pytest.approx(8.0)  # 59 + 8 + 1 over 60, decaying 1 per second


def test_a_throttle_answer_holds_back_the_next_call_of_the_key_until_its_time() -> None:
    clock = FakeClock()
    until = int(time.time()) + 6
    answers = iter([httpx.Response(200, json={"error": [f"EService:Throttled:{until}"]})])
    sent, spot = _spot(clock, lambda request: next(answers, None) or _spot_answer(request))
    with pytest.raises(RateLimited):
        spot.get_account_balance()
    spot.get_account_balance()
    assert 4.0 < sent[1] - sent[0] <= 6.0


def test_a_lockout_fails_the_next_calls_without_sending_them() -> None:
    clock = FakeClock()
    answers = iter([httpx.Response(200, json={"error": ["EGeneral:Temporary lockout"]})])
    sent, spot = _spot(clock, lambda request: next(answers, None) or _spot_answer(request))
    with pytest.raises(Exception, match="lockout"):
        spot.get_account_balance()
    with pytest.raises(RateLimited) as raised:
        spot.add_order(body=_order())
    assert raised.value.retry_after == pytest.approx(900.0)
    assert len(sent) == 1
    spot.get_server_time()  # public calls are not the key's
    assert len(sent) == 2


def test_async_clients_share_penalties_through_the_backend() -> None:
    clock = FakeClock()
    backend = InProcessBackend(clock=clock)
    until = int(time.time()) + 6
    answers = iter([httpx.Response(200, json={"error": [f"EService:Throttled:{until}"]})])
    sent, transport = _transport(clock, lambda request: next(answers, None) or _spot_answer(request))

    def client() -> AsyncKrakenSpot:
        lim = limiter(spot_rate_limits(), clock, "key", backend=backend)
        return AsyncKrakenSpot("key", SECRET, base_url=f"{BASE}/0", transport=transport, rate_limit=lim, retry=False)

    async def main() -> None:
        first, second = client(), client()
        with pytest.raises(RateLimited):
            await first.get_account_balance()
        await second.get_trade_balance()

    asyncio.run(main())
    assert 4.0 < sent[1] - sent[0] <= 6.0


def test_bitflyer_rate_limit_reset_holds_back_later_calls() -> None:
    clock = FakeClock()
    reset = str(int(time.time()) + 30)
    answers = iter([httpx.Response(429, headers={"X-RateLimit-Reset": reset}, json={"status": -1})])
    sent, transport = _transport(clock, lambda request: next(answers, None) or httpx.Response(200, json=[]))
    lim = limiter(bitflyer_rate_limits(), clock, "key")
    client = Bitflyer("key", "secret", base_url=BASE, transport=transport, rate_limit=lim, retry=False)
    with pytest.raises(RateLimited):
        client.get_markets()
    client.get_markets()
    assert 28.0 < sent[1] - sent[0] <= 30.0


def test_futures_history_reset_holds_the_history_pool_and_not_the_derivatives_budget() -> None:
    clock = FakeClock()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/history") and len(sent) == 1:
            return httpx.Response(429, headers={"rate-limit-reset": "40"}, text="Too many requests")
        if request.url.path.startswith("/api/history"):
            return httpx.Response(
                200, json={"accountUid": "f7d5571c-6d10-4cf1-944a-048d25682ed0", "elements": [], "len": 0}
            )
        return httpx.Response(
            200, json={"result": "success", "serverTime": "2026-01-01T00:00:00Z", "openPositions": []}
        )

    sent, transport = _transport(clock, answer)
    lim = limiter(futures_rate_limits(), clock, "key")
    futures = KrakenFutures("key", SECRET, base_url=BASE, transport=transport, rate_limit=lim, retry=False)
    with pytest.raises(RateLimited):
        futures.get_order_events()
    futures.get_open_positions()
    assert sent[1] == sent[0]
    futures.get_order_events()
    assert sent[2] - sent[0] == pytest.approx(40.0)


def test_futures_fills_are_priced_by_last_fill_time_from_the_query() -> None:
    clock = FakeClock()
    ok = {"result": "success", "serverTime": "2026-01-01T00:00:00Z", "fills": []}
    sent, transport = _transport(clock, lambda request: httpx.Response(200, json=ok))
    lim = limiter(futures_rate_limits(), clock, "key")
    futures = KrakenFutures("key", SECRET, base_url=BASE, transport=transport, rate_limit=lim, retry=False)
    for _ in range(20):
        futures.get_fills(last_fill_time="2026-01-01T00:00:00.000Z")  # 25 each: the whole 500
    futures.get_fills()
    assert sent[-1] - sent[0] == pytest.approx(10.2)


def test_rate_limit_option_takes_limits_a_backend_a_limiter_or_off() -> None:
    backend = InProcessBackend()
    assert KrakenSpot("k", SECRET, rate_limit=False)._limiter is None
    assert KrakenSpot("k", SECRET)._limiter._backend is DEFAULT_BACKEND
    assert KrakenSpot("k", SECRET, rate_limit=backend)._limiter._backend is backend
    pro = KrakenSpot("k", SECRET, rate_limit=spot_rate_limits("pro"))._limiter
    assert pro is not None
    assert pro._limits.limits[0].rule == spot_rate_limits("pro").limits[0].rule
    assert type(pro._limits.limits[0].rule) is type(spot_rate_limits("pro").limits[0].rule)
    own = RateLimiter(VenueLimits("v", (Limit("r", Window(1, 1.0), True, lambda p, private: True),)), "k")
    assert KrakenSpot("k", SECRET, rate_limit=own)._limiter is own
