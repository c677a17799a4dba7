"""Other Python clients for the same venues (the optional ``bench`` extra), pointed at the local server, on
the same six calls, in the same interleaved rounds as our facade and the bare-httpx baseline.

* ccxt: the implicit REST methods (``public_get_ticker`` …): raw JSON, no unified parsing, rate limiter off.
* python-kraken-sdk: ``kraken.spot.Market/Trade`` and ``kraken.futures.Market/Trade`` (``url=`` override).
* krakenex: ``query_public``/``query_private`` (``uri`` override).
* pybitflyer: ``ticker``/``sendchildorder`` (``api_url`` override; it opens a new session for every call).

A library that is not installed is reported as such; one whose call fails against the local server is
reported with the error. ``python -m bench.peers --base URL`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable
from importlib import metadata
from typing import Any

import httpx

from bench.calls import BITFLYER_ORDER, FUTURES_ORDER, SPOT_ORDER, Facades, baseline, ours
from bench.common import BITFLYER_SECRET, KRAKEN_SECRET, interleaved

Call = Callable[[], Any]
PEERS = ("ccxt", "python-kraken-sdk", "krakenex", "pybitflyer")
# The module each distribution installs.
MODULES = {"ccxt": "ccxt", "python-kraken-sdk": "kraken", "krakenex": "krakenex", "pybitflyer": "pybitflyer"}


def _ccxt(base: str) -> dict[str, Call]:
    ccxt = importlib.import_module("ccxt")
    options = {"enableRateLimit": False, "apiKey": "bench-ccxt"}
    spot = ccxt.kraken({**options, "secret": KRAKEN_SECRET})
    spot.urls["api"] = {"public": base, "private": base}
    futures = ccxt.krakenfutures({**options, "secret": KRAKEN_SECRET})
    futures.urls["api"] = {
        **futures.urls["api"],
        "public": f"{base}/derivatives/api/",
        "private": f"{base}/derivatives/api/",
    }
    bitflyer = ccxt.bitflyer({**options, "secret": BITFLYER_SECRET})
    bitflyer.urls["api"] = {"rest": base}
    return {
        "spot Ticker": lambda: spot.public_get_ticker({"pair": "XBTUSD"}),
        "futures tickers": futures.public_get_tickers,
        "bitFlyer getticker": lambda: bitflyer.public_get_getticker({"product_code": "BTC_JPY"}),
        "spot AddOrder": lambda: spot.private_post_addorder(dict(SPOT_ORDER)),
        "futures sendorder": lambda: futures.private_post_sendorder(dict(FUTURES_ORDER)),
        "bitFlyer sendchildorder": lambda: bitflyer.private_post_sendchildorder(dict(BITFLYER_ORDER)),
    }


def _python_kraken_sdk(base: str) -> dict[str, Call]:
    spot = importlib.import_module("kraken.spot")
    futures = importlib.import_module("kraken.futures")
    spot_market, spot_trade = spot.Market(url=base), spot.Trade(key="bench-pks", secret=KRAKEN_SECRET, url=base)
    futures_market = futures.Market(url=base)
    futures_trade = futures.Trade(key="bench-pks", secret=KRAKEN_SECRET, url=base)
    return {
        "spot Ticker": lambda: spot_market.get_ticker(pair="XBTUSD"),
        "futures tickers": futures_market.get_tickers,
        "spot AddOrder": lambda: spot_trade.create_order(
            ordertype="limit", side="buy", volume=SPOT_ORDER["volume"], pair="XBTUSD", price=SPOT_ORDER["price"]
        ),
        "futures sendorder": lambda: futures_trade.create_order(
            orderType="lmt",
            side="buy",
            size=FUTURES_ORDER["size"],
            symbol="PI_XBTUSD",
            limitPrice=FUTURES_ORDER["limitPrice"],
        ),
    }


def _krakenex(base: str) -> dict[str, Call]:
    krakenex = importlib.import_module("krakenex")
    api = krakenex.API("bench-krakenex", KRAKEN_SECRET)
    api.uri = base
    return {
        "spot Ticker": lambda: api.query_public("Ticker", {"pair": "XBTUSD"}),
        "spot AddOrder": lambda: api.query_private("AddOrder", dict(SPOT_ORDER)),
    }


def _pybitflyer(base: str) -> dict[str, Call]:
    pybitflyer = importlib.import_module("pybitflyer")
    api = pybitflyer.API("bench-pybitflyer", BITFLYER_SECRET)
    api.api_url = base
    return {
        "bitFlyer getticker": lambda: api.ticker(product_code="BTC_JPY"),
        "bitFlyer sendchildorder": lambda: api.sendchildorder(**BITFLYER_ORDER),
    }


FACTORIES = {"ccxt": _ccxt, "python-kraken-sdk": _python_kraken_sdk, "krakenex": _krakenex, "pybitflyer": _pybitflyer}


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    facades = Facades(args.base)
    client = httpx.Client()
    contenders: dict[str, dict[str, Call]] = {"ours": ours(facades), "baseline": baseline(client, args.base)}
    status: dict[str, str] = {}
    for peer in PEERS:
        version = _version(peer)
        if version is None:
            status[peer] = "not installed"
            continue
        try:
            calls = FACTORIES[peer](args.base)
        except Exception as exc:
            status[peer] = f"{version}: setup failed ({type(exc).__name__}: {exc})"
            continue
        working: dict[str, Call] = {}
        for name, call in calls.items():
            try:
                call()  # one call that must work before it is timed
                working[name] = call
            except Exception as exc:
                status[f"{peer} {name}"] = f"failed against the local server ({type(exc).__name__}: {exc})"[:200]
        contenders[peer] = working
        status[peer] = version
    results: dict[str, Any] = {}
    for name in contenders["ours"]:
        present = {who: calls[name] for who, calls in contenders.items() if name in calls}
        for call in present.values():  # warm-up
            for _ in range(10):
                call()
        results[name] = interleaved(present, args.rounds, args.repeat)
    facades.close()
    client.close()
    print(json.dumps({"status": status, "calls": results}))


if __name__ == "__main__":
    main()
