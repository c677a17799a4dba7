"""``iter_<method>`` against the stand-in paging 600+ rows the way each venue pages: every row once, none skipped
while new rows arrive, ``limit`` honoured, each page through the rate limiter; and the paging tables match the
generated operations."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from exchange_clients import AsyncBitflyer, Bitflyer, KrakenFutures, KrakenSpot
from exchange_clients._facades import bitflyer, kraken_futures, kraken_spot
from exchange_clients._paging import Offset, paging_table_problems
from exchange_clients._ratelimit import RateLimiter
from exchange_clients.bitflyer import _paging as bitflyer_paging
from exchange_clients.bitflyer import bitflyer_rate_limits
from exchange_clients.kraken_futures import _paging as futures_paging
from exchange_clients.kraken_futures import futures_rate_limits
from exchange_clients.kraken_spot import _paging as spot_paging
from exchange_clients.kraken_spot import spot_rate_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from standin import StandIn, keys

ROWS = 640


class CountingLimiter(RateLimiter):
    """The venue's real limits, counting the calls that passed through (never waiting: the test is about pages)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, sleep=lambda seconds: None, **kwargs)
        self.acquired: list[str] = []

    def acquire(self, op: Any, fields: Mapping[str, Any]) -> float:
        self.acquired.append(op.name)
        return 0.0

    async def acquire_async(self, op: Any, fields: Mapping[str, Any]) -> float:
        self.acquired.append(op.name)
        return 0.0


def _spot(venues: StandIn) -> tuple[KrakenSpot, CountingLimiter]:
    limiter = CountingLimiter(spot_rate_limits(), "k")
    return KrakenSpot(*keys.FAKE_KEYS["spot"], base_url=venues.spot_url, rate_limit=limiter), limiter


def _futures(venues: StandIn) -> tuple[KrakenFutures, CountingLimiter]:
    limiter = CountingLimiter(futures_rate_limits(), "k")
    client = KrakenFutures(*keys.FAKE_KEYS["futures"], base_url=venues.futures_url, rate_limit=limiter)
    return client, limiter


def _bitflyer(venues: StandIn) -> tuple[Bitflyer, CountingLimiter]:
    limiter = CountingLimiter(bitflyer_rate_limits(), "k")
    return Bitflyer(*keys.FAKE_KEYS["bitflyer"], base_url=venues.bitflyer_url, rate_limit=limiter), limiter


@pytest.mark.parametrize(
    ("operation_id", "method"),
    [("getTradeHistory", "get_trade_history"), ("getLedgers", "get_ledgers"), ("getClosedOrders", "get_closed_orders")],
)
def test_kraken_spot_offsets_yield_every_row_once_while_rows_arrive(
    venues: StandIn, operation_id: str, method: str
) -> None:
    paged = venues.serve_pages("spot", operation_id, rows=ROWS, arriving=7)
    before = set(paged.ids())
    client, limiter = _spot(venues)
    with client:
        got = [key for key, _ in getattr(client, f"iter_{method}")()]
    assert len(got) == len(set(got))  # never twice, though every page after the first repeats 7 rows
    assert before <= set(got)  # none skipped
    assert paged.pages_served > ROWS // 50  # the arrivals cost extra pages
    assert limiter.acquired == [method] * paged.pages_served


def test_futures_history_follows_the_continuation_token(venues: StandIn) -> None:
    paged = venues.serve_pages("futures", "getExecutionEvents", rows=ROWS, arriving=5)
    before = paged.ids()
    client, limiter = _futures(venues)
    with client:
        got = [element.uid for element in client.iter_get_execution_events()]
    assert got == before  # in order, none twice, none skipped; rows that arrived later are newer than the first
    assert len(limiter.acquired) == paged.pages_served == -(-ROWS // 100)


@pytest.mark.parametrize(
    ("operation_id", "method", "identity"),
    [("getFills", "get_fills", "fill_id"), ("accountLog", "account_log", "id")],
)
def test_futures_cursors_page_back_through_fills_and_the_account_log(
    venues: StandIn, operation_id: str, method: str, identity: str
) -> None:
    paged = venues.serve_pages("futures", operation_id, rows=ROWS, arriving=3)
    before = [str(i) for i in paged.ids()]
    client, _ = _futures(venues)
    with client:
        got = [str(getattr(item, identity)) for item in getattr(client, f"iter_{method}")()]
    assert got == before


@pytest.mark.parametrize("operation_id", ["getMyExecutions", "getChildOrders", "getBalanceHistory", "getCoinIns"])
def test_bitflyer_pages_before_the_last_id(venues: StandIn, operation_id: str) -> None:
    paged = venues.serve_pages("bitflyer", operation_id, rows=ROWS, arriving=4)
    before = paged.ids()
    method = {"getMyExecutions": "get_my_executions", "getChildOrders": "get_child_orders"}.get(
        operation_id, "get_balance_history" if operation_id == "getBalanceHistory" else "get_coin_ins"
    )
    client, limiter = _bitflyer(venues)
    arguments = {"product_code": "BTC_JPY"} if method == "get_child_orders" else {}
    with client:
        got = [item.id for item in getattr(client, f"iter_{method}")(**arguments, count=250)]
    assert got == before
    assert len(limiter.acquired) == paged.pages_served == 3  # 250 + 250 + 140: the short page is the last
    assert all("count=250" in r.query for r in venues.requests)


def test_kraken_without_count_pages_until_an_empty_page(venues: StandIn) -> None:
    paged = venues.serve_pages("spot", "getClosedOrders", rows=120)
    client, _ = _spot(venues)
    with client:
        got = [key for key, _ in client.iter_get_closed_orders(without_count=True)]
    assert got == paged.ids()
    assert paged.pages_served == 3  # the stand-in sends the count anyway; the client did not need it


def test_the_account_log_pages_only_newest_first(venues: StandIn) -> None:
    client, _ = _futures(venues)
    with client, pytest.raises(ValueError, match="newest first"):
        next(client.iter_account_log(sort="asc"))


def test_limit_stops_early_without_fetching_more_pages(venues: StandIn) -> None:
    paged = venues.serve_pages("bitflyer", "getMyExecutions", rows=ROWS)
    client, _ = _bitflyer(venues)
    with client:
        got = list(client.iter_get_my_executions(limit=150))
        assert list(client.iter_get_my_executions(limit=0)) == []
    assert [item.id for item in got] == paged.ids()[:150]
    assert paged.pages_served == 2


def test_async_iterators_page_the_same_way(venues: StandIn) -> None:
    paged = venues.serve_pages("bitflyer", "getChildOrders", rows=ROWS, arriving=2)
    before = paged.ids()

    async def collect() -> list[int]:
        async with AsyncBitflyer(*keys.FAKE_KEYS["bitflyer"], base_url=venues.bitflyer_url) as client:
            return [order.id async for order in client.iter_get_child_orders(product_code="BTC_JPY")]

    assert asyncio.run(collect()) == before


def test_iterators_take_the_methods_arguments_plus_limit() -> None:
    method = inspect.signature(KrakenSpot.get_ledgers)
    iterator = inspect.signature(KrakenSpot.iter_get_ledgers)
    assert set(iterator.parameters) - {"limit"} == set(method.parameters) - {"body"}
    with pytest.raises(ValueError, match="limit"):
        list(KrakenSpot("k", "c2VjcmV0", base_url="http://127.0.0.1:9/0").iter_get_ledgers(limit=-1))


# --- the tables are data, checked against the generated operations --------------------------------------------


def _arguments(op: Any) -> set[str]:
    module = __import__(op.module, fromlist=["_get_kwargs"])
    names = set(inspect.signature(module._get_kwargs).parameters)
    return names | ({name for name, _ in op.body.fields} if op.body else set())


TABLES = {
    "Kraken Spot": (spot_paging, kraken_spot.OPERATIONS),
    "Kraken Futures": (futures_paging, kraken_futures.OPERATIONS),
    "bitFlyer": (bitflyer_paging, bitflyer.OPERATIONS),
}


@pytest.mark.parametrize("venue", sorted(TABLES))
def test_paging_tables_match_the_generated_operations(venue: str) -> None:
    table, operations = TABLES[venue]
    assert paging_table_problems(venue, table.PAGES, operations, _arguments, table.PAGED_BY) == []
    for name in table.PAGES:
        assert hasattr(KrakenSpot if venue == "Kraken Spot" else KrakenFutures if "Futures" in venue else Bitflyer,
                       f"iter_{name}")  # fmt: skip


def test_a_new_paged_operation_without_an_entry_and_a_wrong_argument_are_named() -> None:
    operations = dict(kraken_spot.OPERATIONS)
    operations["get_more_history"] = operations["get_ledgers"]._replace(name="get_more_history")
    table = {**spot_paging.PAGES, "get_trade_history": Offset(items="trades", param="offset")}
    assert paging_table_problems("Kraken Spot", table, operations, _arguments, spot_paging.PAGED_BY) == [
        "Kraken Spot pagination: operation 'get_more_history' (/0/private/Ledgers) has no entry, and it needs one; "
        "add it",
        "Kraken Spot pagination: 'get_trade_history' takes no argument 'offset'; fix the entry",
    ]
