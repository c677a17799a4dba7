"""The six measured calls, each as (our facade call, the same request with a bare ``httpx.Client``).

The baselines send the same request (same path, query, and for signed calls the same fields) and parse
with ``response.json()``; signed baselines sign with the minimal functions in ``bench.common``. Our Kraken orders
carry a fresh client order id (``cl_ord_id``, ``cliOrdId``) by default, so the baselines make one too, with
``uuid.uuid4()``, as a careful user of bare httpx would: the same request, whose cost is the client's.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from bench.common import (
    BASELINE_KEY,
    BITFLYER_SECRET,
    KRAKEN_SECRET,
    OURS_KEY,
    Counter,
    bitflyer_sign,
    futures_sign,
    spot_sign,
)
from bitflyer_api.models import ChildOrderType, SendChildOrderRequest, Side
from exchange_clients import Bitflyer, KrakenFutures, KrakenSpot
from kraken_futures_api.models import SendOrderOrderType, SendOrderSide
from kraken_spot_api.models import AddOrderRequest, AddOrderRequestType, Ordertype

Call = Callable[[], Any]

PUBLIC = ("spot Ticker", "futures tickers", "bitFlyer getticker")
SIGNED = ("spot AddOrder", "futures sendorder", "bitFlyer sendchildorder")

# The order every signed call sends: a limit buy.
SPOT_ORDER = {"ordertype": "limit", "type": "buy", "volume": "1.25", "pair": "XBTUSD", "price": "37500.1"}
FUTURES_ORDER = {"orderType": "lmt", "symbol": "PI_XBTUSD", "side": "buy", "size": "1", "limitPrice": "9400.5"}
BITFLYER_ORDER = {"product_code": "BTC_JPY", "child_order_type": "LIMIT", "side": "BUY", "price": 30000, "size": 0.1}


class Facades:
    """One sync facade per venue, pointed at the local server, rate limiter off."""

    def __init__(self, base: str, **options: Any) -> None:
        self.spot = KrakenSpot(OURS_KEY, KRAKEN_SECRET, base_url=f"{base}/0", rate_limit=False, **options)
        self.futures = KrakenFutures(OURS_KEY, KRAKEN_SECRET, base_url=base, rate_limit=False, **options)
        self.bitflyer = Bitflyer(OURS_KEY, BITFLYER_SECRET, base_url=base, rate_limit=False, **options)

    def close(self) -> None:
        for facade in (self.spot, self.futures, self.bitflyer):
            facade.close()


def spot_order_request() -> Any:
    return AddOrderRequest(
        ordertype=Ordertype.LIMIT,
        type_=AddOrderRequestType.BUY,
        volume=Decimal(SPOT_ORDER["volume"]),
        pair=SPOT_ORDER["pair"],
        price=Decimal(SPOT_ORDER["price"]),
    )


def bitflyer_order_request() -> Any:
    return SendChildOrderRequest(
        product_code="BTC_JPY",
        child_order_type=ChildOrderType.LIMIT,
        side=Side.BUY,
        price=Decimal("30000"),
        size=Decimal("0.1"),
    )


def ours(facades: Facades) -> dict[str, Call]:
    spot_order = spot_order_request()
    child_order = bitflyer_order_request()
    spot, futures, bitflyer = facades.spot, facades.futures, facades.bitflyer
    return {
        "spot Ticker": lambda: spot.get_ticker_information(pair="XBTUSD"),
        "futures tickers": futures.get_tickers,
        "bitFlyer getticker": lambda: bitflyer.get_ticker(product_code="BTC_JPY"),
        "spot AddOrder": lambda: spot.add_order(body=spot_order),
        "futures sendorder": lambda: futures.send_order(
            order_type=SendOrderOrderType.LMT,
            symbol="PI_XBTUSD",
            side=SendOrderSide.BUY,
            size=Decimal("1"),
            limit_price=Decimal("9400.5"),
        ),
        "bitFlyer sendchildorder": lambda: bitflyer.send_child_order(body=child_order),
    }


def spot_fields_as_sent() -> dict[str, Any]:
    """The fields our AddOrder sends (the model's defaults included), so the baseline sends the same."""
    return dict(spot_order_request().to_dict())


def baseline(client: httpx.Client, base: str) -> dict[str, Call]:
    """The same six requests, made with a bare ``httpx.Client`` and minimal inline signing."""
    nonce = Counter()
    spot_fields = spot_fields_as_sent()
    futures_query = "&".join(f"{k}={v}" for k, v in FUTURES_ORDER.items())
    child_body = json.dumps(BITFLYER_ORDER, separators=(",", ":")).encode()

    def spot_add_order() -> Any:
        n = str(nonce())
        fields = {"nonce": n, **spot_fields, "cl_ord_id": str(uuid.uuid4())}
        body = json.dumps(fields, separators=(",", ":")).encode()
        headers = {"API-Key": BASELINE_KEY, "API-Sign": spot_sign("/0/private/AddOrder", n, body),
                   "Content-Type": "application/json"}  # fmt: skip
        return client.post(f"{base}/0/private/AddOrder", content=body, headers=headers).json()

    def futures_send_order() -> Any:
        n = str(nonce())
        query = f"{futures_query}&cliOrdId={uuid.uuid4()}"
        headers = {"APIKey": BASELINE_KEY, "Nonce": n,
                   "Authent": futures_sign(query, n, "/api/v3/sendorder")}  # fmt: skip
        return client.post(f"{base}/derivatives/api/v3/sendorder?{query}", headers=headers).json()

    def bitflyer_send_child_order() -> Any:
        timestamp = str(int(time.time()))
        headers = {"ACCESS-KEY": BASELINE_KEY, "ACCESS-TIMESTAMP": timestamp, "Content-Type": "application/json",
                   "ACCESS-SIGN": bitflyer_sign(timestamp, "POST", "/v1/me/sendchildorder", child_body)}  # fmt: skip
        return client.post(f"{base}/v1/me/sendchildorder", content=child_body, headers=headers).json()

    return {
        "spot Ticker": lambda: client.get(f"{base}/0/public/Ticker", params={"pair": "XBTUSD"}).json(),
        "futures tickers": lambda: client.get(f"{base}/derivatives/api/v3/tickers").json(),
        "bitFlyer getticker": lambda: client.get(f"{base}/v1/getticker", params={"product_code": "BTC_JPY"}).json(),
        "spot AddOrder": spot_add_order,
        "futures sendorder": futures_send_order,
        "bitFlyer sendchildorder": bitflyer_send_child_order,
    }
