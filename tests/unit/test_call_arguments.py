"""How calls are written: body fields as keyword arguments, enum strings, argument rules, base URLs, exact numbers."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from exchange_clients import (
    KRAKEN_FUTURES_DEMO_URL,
    Bitflyer,
    ExchangeError,
    InvalidArguments,
    KrakenFutures,
    KrakenSpot,
)

SECRET = "a2V5IGZvciB0ZXN0cyBvbmx5IC0tIG5vdCBhIHJlYWwgc2VjcmV0IC0tIDAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMw=="
SPOT_ORDER = {"error": [], "result": {"descr": {"order": "buy 1.25 XBTUSD @ limit 27500"}, "txid": ["OU22CG"]}}


class Venue:
    """A transport that records every request and answers with one JSON body."""

    def __init__(self, answer: Any) -> None:
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._handle)
        self._answer = answer

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self._answer)

    def body(self) -> dict[str, Any]:
        (request,) = self.requests
        sent: dict[str, Any] = json.loads(request.content, parse_float=Decimal)
        return sent


def _spot(venue: Venue) -> KrakenSpot:
    return KrakenSpot("key", SECRET, transport=venue.transport, rate_limit=False, retry=False)


def test_spot_order_from_keyword_arguments_and_enum_strings() -> None:
    venue = Venue(SPOT_ORDER)
    _spot(venue).add_order(
        pair="XBTUSD", type="buy", ordertype="limit", volume=Decimal("1.25"), price=Decimal("2.75E+4")
    )
    sent = venue.body()
    assert {k: sent[k] for k in ("pair", "type", "ordertype", "volume", "price")} == {
        "pair": "XBTUSD", "type": "buy", "ordertype": "limit", "volume": "1.25", "price": "27500"
    }  # fmt: skip  # Kraken's decimal strings, in plain notation


@pytest.mark.parametrize("price", ["+1.5", "-2", "#2%", "5%", "27500.1"])
def test_spot_prices_may_be_relative_strings(price: str) -> None:
    venue = Venue(SPOT_ORDER)
    _spot(venue).add_order(pair="XBTUSD", type="buy", ordertype="stop-loss", volume=Decimal("1"), price=price)
    assert venue.body()["price"] == price


def test_a_spot_amount_read_from_an_answer_goes_back_into_an_order() -> None:
    ticker = {"XXBTZUSD": {"a": ["30300.10000", "1", "1.000"], "b": ["30300.00000", "1", "1.000"], "o": "30000.0"}}
    answers = iter([{"error": [], "result": ticker}, SPOT_ORDER])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=next(answers))

    spot = KrakenSpot("key", SECRET, transport=httpx.MockTransport(handler), rate_limit=False, retry=False)
    ask = spot.get_ticker_information(pair="XBTUSD")["XXBTZUSD"].a[0]
    assert isinstance(ask, Decimal)
    spot.add_order(pair="XBTUSD", type="sell", ordertype="limit", volume=Decimal("0.5"), price=ask)
    assert json.loads(seen[1].content)["price"] == "30300.10000"  # exactly as the venue wrote it


@pytest.mark.parametrize("volume", [1.25, "1.25"])  # an int is exact, and accepted
def test_a_spot_volume_must_be_a_decimal(volume: Any) -> None:
    venue = Venue(SPOT_ORDER)
    with pytest.raises(InvalidArguments, match="volume"):
        _spot(venue).add_order(pair="XBTUSD", type="buy", ordertype="market", volume=volume)
    assert venue.requests == []


def test_keyword_arguments_and_body_model_send_the_same_request() -> None:
    from kraken_spot_api.models import AddOrderRequest, AddOrderRequestType, Ordertype

    by_fields, by_model = Venue(SPOT_ORDER), Venue(SPOT_ORDER)
    _spot(by_fields).add_order(pair="XBTUSD", type="buy", ordertype="limit", volume=Decimal("1.25"))
    model = AddOrderRequest(
        ordertype=Ordertype.LIMIT, type_=AddOrderRequestType.BUY, volume=Decimal("1.25"), pair="XBTUSD"
    )
    _spot(by_model).add_order(body=model)
    strip = {"nonce", "cl_ord_id"}  # a fresh nonce and a fresh client order id for each request
    assert {k: v for k, v in by_fields.body().items() if k not in strip} == {
        k: v for k, v in by_model.body().items() if k not in strip
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"pair": "XBTUSD", "type": "buy", "ordertype": "limit"}, "argument 'volume' is required"),
        ({"pair": "XBTUSD", "type": "hold", "ordertype": "limit", "volume": Decimal("1")}, "argument 'type' must be a"),
        ({"pair": "XBTUSD", "type": "buy", "ordertype": "limit", "volume": Decimal("1"), "userref": 7,
          "cl_ord_id": "a"}, "give at most one of userref, cl_ord_id"),
    ],
)  # fmt: skip
def test_bad_keyword_arguments_are_refused_before_sending(arguments: dict[str, Any], message: str) -> None:
    venue = Venue(SPOT_ORDER)
    with pytest.raises(InvalidArguments, match=message):
        _spot(venue).add_order(**arguments)
    assert venue.requests == []


def test_body_and_its_fields_together_are_refused() -> None:
    from kraken_spot_api.models import CancelOrderRequest

    venue = Venue({"error": [], "result": {"count": 1}})
    with pytest.raises(InvalidArguments, match="not both"):
        _spot(venue).cancel_order(body=CancelOrderRequest(txid="OU22CG"), cl_ord_id="x")  # type: ignore[call-overload]
    assert venue.requests == []


@pytest.mark.parametrize("arguments", [{}, {"txid": "OU22CG", "cl_ord_id": "mine-1"}])
def test_cancel_naming_no_order_or_two_is_refused(arguments: dict[str, Any]) -> None:
    venue = Venue({"error": [], "result": {"count": 1}})
    with pytest.raises(InvalidArguments, match="give exactly one of txid, cl_ord_id"):
        _spot(venue).cancel_order(**arguments)
    assert venue.requests == []


def test_futures_rule_names_the_python_arguments() -> None:
    venue = Venue({"result": "success", "cancelStatus": {"status": "cancelled"}})
    futures = KrakenFutures("key", SECRET, transport=venue.transport, rate_limit=False, retry=False)
    with pytest.raises(InvalidArguments, match="give exactly one of order_id, cli_ord_id"):
        futures.cancel_order()
    futures.cancel_order(cli_ord_id="mine-1")
    assert venue.requests[0].url.params["cliOrdId"] == "mine-1"


def test_bitflyer_order_from_keyword_arguments_keeps_json_numbers_exact() -> None:
    venue = Venue({"child_order_acceptance_id": "JRF1"})
    bitflyer = Bitflyer("key", "secret", transport=venue.transport, rate_limit=False, retry=False)
    bitflyer.send_child_order(
        product_code="BTC_JPY", child_order_type="LIMIT", side="BUY", price=Decimal("3.0E+6"), size=Decimal("0.010")
    )
    raw = venue.requests[0].content
    assert b'"price":3000000' in raw  # plain notation, never 3.0E+6
    assert b'"size":0.010' in raw  # the literal as given


@pytest.mark.parametrize(
    ("facade", "base_url", "path", "expected"),
    [
        (KrakenSpot, "https://api.kraken.com", "get_server_time", "https://api.kraken.com/0/public/Time"),
        (KrakenSpot, "https://api.kraken.com/0/", "get_server_time", "https://api.kraken.com/0/public/Time"),
        (KrakenSpot, "http://proxy.test/kraken", "get_server_time", "http://proxy.test/kraken/0/public/Time"),
        (KrakenFutures, "https://futures.kraken.com/derivatives/api/v3", "get_tickers",
         "https://futures.kraken.com/derivatives/api/v3/tickers"),
        (KrakenFutures, KRAKEN_FUTURES_DEMO_URL, "get_tickers", "https://demo-futures.kraken.com/derivatives/api/v3/tickers"),
        (Bitflyer, "https://api.bitflyer.com/v1", "get_markets", "https://api.bitflyer.com/v1/getmarkets"),
    ],
)  # fmt: skip
def test_base_url_is_scheme_and_host_and_a_given_api_prefix_is_not_doubled(
    facade: type[Any], base_url: str, path: str, expected: str
) -> None:
    venue = Venue({})
    options = {"transport": venue.transport, "rate_limit": False, "retry": False, "on_warning": lambda _: None}
    with facade(base_url=base_url, **options) as client, contextlib.suppress(ExchangeError):
        getattr(client, path)()  # the (empty) answer does not matter: the URL does
    assert str(venue.requests[0].url) == expected


def test_open_positions_read_in_both_shapes() -> None:
    by_txid = {
        "TF5GVO-T7ZZ2-6NBKBI": {
            "ordertxid": "O6A7Q2",
            "pair": "XXBTZUSD",
            "type": "buy",
            "cost": "3700.00000",
            "fee": "9.62000",
            "vol": "0.10000000",
            "margin": "740.00000",
            "class": "forex",
        }
    }
    totals = [{"pair": "XXBTZUSD", "positions": "2", "type": "buy", "leverage": "5.00000", "cost": "7400.0",
               "fee": "19.24", "vol": "0.2", "vol_closed": "0.0", "margin": "1480.0"}]  # fmt: skip
    default = KrakenSpot("key", SECRET, transport=Venue({"error": [], "result": by_txid}).transport, rate_limit=False)
    positions = default.get_open_positions()
    assert not isinstance(positions, list)
    assert positions["TF5GVO-T7ZZ2-6NBKBI"].cost == Decimal("3700.00000")
    assert positions["TF5GVO-T7ZZ2-6NBKBI"].class_ == "forex"
    consolidated = KrakenSpot("key", SECRET, transport=Venue({"error": [], "result": totals}).transport)
    rows = consolidated.get_open_positions(consolidation="market")
    assert isinstance(rows, list)
    assert (rows[0].pair, rows[0].leverage, rows[0].vol) == ("XXBTZUSD", Decimal("5.00000"), Decimal("0.2"))
