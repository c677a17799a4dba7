"""``client.markets()`` on the metadata the venues really sent (../shared/realworld, read in place): names,
asset codes, precision, minimums and rounding, with the edge cases a trader meets."""

from __future__ import annotations

import asyncio
import json
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from exchange_clients import AsyncKrakenSpot, Bitflyer, InvalidArguments, KrakenFutures, KrakenSpot
from realworld.replay import REALWORLD


def _body(relative: str) -> bytes:
    path = REALWORLD / relative
    if not path.is_file():
        pytest.skip(f"real venue answers not found at {REALWORLD}")
    return json.dumps(json.loads(path.read_text(encoding="utf-8"))["body"]).encode()


def _answering(routes: dict[str, str], asked: list[str]) -> httpx.MockTransport:
    """Answers each path with the captured body of ``routes[path]``; notes each path asked."""

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(
            200, content=_body(routes[request.url.path]), headers={"Content-Type": "application/json"}
        )

    return httpx.MockTransport(handler)


SPOT_2020 = {
    "/0/public/Assets": "kraken_spot/assets_all_2020.json",
    "/0/public/AssetPairs": "kraken_spot/assetpairs_all_2020.json",
}


def _spot(pairs: str = "kraken_spot/assetpairs_all_2020.json", asked: list[str] | None = None) -> KrakenSpot:
    routes = {**SPOT_2020, "/0/public/AssetPairs": pairs}
    transport = _answering(routes, [] if asked is None else asked)
    return KrakenSpot(base_url="https://api.kraken.com", transport=transport, rate_limit=False)


def test_every_kraken_name_finds_the_same_pair_and_gives_the_others() -> None:
    markets = _spot().markets()
    assert len(markets) == 179
    market = markets.get("XBTUSD")
    assert market.symbol == "XXBTZUSD"
    assert {markets.get(name).symbol for name in ("XXBTZUSD", "xbtusd", "XBT/USD", "BTC/USD")} == {"XXBTZUSD"}
    assert market.names[:2] == ("XXBTZUSD", "XBTUSD")
    assert (market.base, market.quote) == ("XBT", "USD")
    assert markets.asset("XXBT") == "XBT"
    assert markets.asset("ZUSD") == "USD"
    assert markets.asset("ADA") == "ADA"
    with pytest.raises(KeyError, match="XBTUSDX"):
        markets.get("XBTUSDX")


def test_kraken_precision_from_pair_decimals_when_there_is_no_tick_size() -> None:
    market = _spot().markets().get("XBTEUR")  # 2020: pair_decimals 1, lot_decimals 8, ordermin 0.002
    assert (market.tick_size, market.lot_size, market.min_size) == (Decimal("0.1"), Decimal("1E-8"), Decimal("0.002"))
    assert (market.price_decimals, market.size_decimals) == (1, 8)
    assert market.round_price("9123.456", rounding=ROUND_DOWN) == Decimal("9123.4")
    assert market.round_price(Decimal("9123.45"), rounding=ROUND_UP) == Decimal("9123.5")
    assert market.round_price("9123.45") == Decimal("9123.4")  # half-even by default
    assert str(market.round_price("9123")) == "9123.0"  # written with the tick's places, as Kraken accepts
    assert market.round_size("0.123456789") == Decimal("0.12345678")  # down by default: never more than meant


def test_kraken_2023_tick_size_cost_minimum_and_refusals() -> None:
    market = _spot("kraken_spot/assetpairs_xbtusd_2023.json").markets().get("XBT/USD")
    assert (market.tick_size, market.min_size, market.min_cost) == (Decimal("0.1"), Decimal("0.0001"), Decimal("0.5"))
    assert market.order_problems("0.001", "30000.1") == []
    assert market.order_problems("0.00005", "30000.15") == [
        "size 0.00005 is below the minimum order 0.0001",
        "price 30000.15 is not a multiple of the tick size 0.1",
    ]
    assert market.order_problems("0.000000001", "1") == [
        "size 1E-9 is not a multiple of the lot size 1E-8",
        "size 1E-9 is below the minimum order 0.0001",
        "cost 1E-9 is below the minimum cost 0.5",
    ]
    with pytest.raises(InvalidArguments, match="float"):
        market.round_price(30000.15)  # type: ignore[arg-type]


def test_tokenized_pair_keeps_its_own_codes() -> None:
    market = _spot("kraken_spot/assetpairs_tokenized_2025.json").markets().get("AAPLx/USD")
    assert (market.symbol, market.base, market.quote, market.tick_size) == ("AAPLxUSD", "AAPLx", "USD", Decimal("0.01"))
    assert market.round_price("201.005", rounding=ROUND_HALF_EVEN) == Decimal("201.00")


def test_pair_keyed_results_answer_the_name_asked_with() -> None:
    markets = _spot().markets()
    ticker = KrakenSpot(
        base_url="https://api.kraken.com",
        transport=_answering({"/0/public/Ticker": "kraken_spot/ticker_3pairs_2020.json"}, []),
        rate_limit=False,
    ).get_ticker_information(pair="XETHZCAD,XTZXBT,XXBTZEUR")
    assert markets.for_pair(ticker, "XBTEUR") is ticker["XXBTZEUR"]
    assert markets.for_pair(ticker, "XBT/EUR") is ticker["XXBTZEUR"]
    with pytest.raises(KeyError):
        markets.for_pair(ticker, "XBTUSD")


def test_markets_load_once_and_refresh_on_request() -> None:
    asked: list[str] = []
    client = _spot(asked=asked)
    assert client.markets() is client.markets()
    assert asked == ["/0/public/Assets", "/0/public/AssetPairs"]
    client.markets(refresh=True)
    assert len(asked) == 4


def test_async_markets_are_awaited() -> None:
    async def load() -> Any:
        transport = httpx.MockTransport(
            lambda request: httpx.Response(
                200, content=_body(SPOT_2020[request.url.path]), headers={"Content-Type": "application/json"}
            )
        )
        async with AsyncKrakenSpot(base_url="https://api.kraken.com", transport=transport, rate_limit=False) as c:
            return (await c.markets()).get("XBTUSD")

    assert asyncio.run(load()).symbol == "XXBTZUSD"


@pytest.fixture
def futures_2025() -> KrakenFutures:
    transport = _answering({"/derivatives/api/v3/instruments": "kraken_futures/instruments_nautilus_2025.json"}, [])
    return KrakenFutures(base_url="https://futures.kraken.com", transport=transport, rate_limit=False)


def test_futures_tick_and_negative_size_precision(futures_2025: KrakenFutures) -> None:
    markets = futures_2025.markets()
    inverse, pepe = markets.get("pi_xbtusd"), markets.get("PF_PEPEUSD")
    assert (inverse.tick_size, inverse.lot_size, inverse.base, inverse.quote) == (Decimal("0.5"), 1, "BTC", "USD")
    assert inverse.round_price("50000.74") == Decimal("50000.5")
    assert inverse.round_price("50000.75", rounding=ROUND_UP) == Decimal("50001.0")
    assert pepe.tick_size == Decimal("1E-10")
    assert pepe.lot_size == Decimal("1E+3")
    assert pepe.round_price("0.0000123456789", rounding=ROUND_DOWN) == Decimal("0.0000123456")
    assert pepe.round_size("12345") == Decimal("12000")  # sizes in whole thousands
    assert pepe.order_problems("999") == [
        "size 999 is not a multiple of the lot size 1E+3",
        "size 999 is below the minimum order 1E+3",
    ]
    assert markets.get("ETH/USD").symbol == "PF_ETHUSD"


def test_bitflyer_markets_by_code_and_no_guessed_precision() -> None:
    transport = _answering(
        {"/v1/getmarkets/eu": "bitflyer/markets_eu_2018.json", "/v1/getmarkets": "bitflyer/markets_eu_2018.json"}, []
    )
    client = Bitflyer(base_url="https://api.bitflyer.com", transport=transport, rate_limit=False)
    market = client.markets().get("BTC/EUR")
    assert (market.symbol, market.base, market.quote, market.tick_size) == ("BTC_EUR", "BTC", "EUR", None)
    with pytest.raises(InvalidArguments, match="no tick size"):
        market.round_price("100.5")
    assert market.order_problems("0.0001", "100") == []


def test_realworld_folder_is_read_in_place() -> None:
    assert Path(REALWORLD).name == "realworld"
