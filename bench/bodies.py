"""Response bodies for the benchmark: the documented examples from specs/build/final, and large ones built
by replicating those examples with varied values."""

from __future__ import annotations

import copy
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs" / "build" / "final"
# Where each package's paths live on the wire, relative to the server root.
PREFIX = {"kraken_spot_api": "/0", "kraken_futures_api": "", "bitflyer_api": ""}


@cache
def spec(package: str) -> dict[str, Any]:
    with (SPECS / f"{package}.yaml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return loaded


def _resolve(document: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return None  # an external file the bundle did not inline
        node = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        seen += 1
    return node


def _has_external_ref(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_external_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_external_ref(v) for v in value)
    return False


def documented_example(package: str, path: str, method: str = "get") -> Any:
    """The first usable example of the 200 answer: media ``example``, then ``examples``, then the schema's."""
    document = spec(package)
    operation = document["paths"][path][method]
    response = _resolve(document, operation["responses"].get("200") or operation["responses"].get("default"))
    media = (response or {}).get("content", {}).get("application/json", {})
    candidates: list[Any] = []
    if "example" in media:
        candidates.append(media["example"])
    for named in media.get("examples", {}).values():
        example = _resolve(document, named)
        if isinstance(example, dict) and "value" in example:
            candidates.append(_resolve(document, example["value"]))
    raw_schema = media.get("schema")
    if isinstance(raw_schema, dict) and "example" in raw_schema:  # an example next to a $ref
        candidates.append(raw_schema["example"])
    schema = _resolve(document, raw_schema)
    if isinstance(schema, dict) and "example" in schema:
        candidates.append(schema["example"])
    for candidate in candidates:
        if candidate is not None and not _has_external_ref(candidate):
            return copy.deepcopy(candidate)
    return None


def all_examples() -> dict[str, bytes]:
    """Every documented 200 example, keyed by the path as sent on the wire (for the local server)."""
    routes: dict[str, bytes] = {}
    for package, prefix in PREFIX.items():
        for path, item in spec(package)["paths"].items():
            for method in ("get", "post"):
                if method in item and f"{prefix}{path}" not in routes:
                    example = documented_example(package, path, method)
                    if example is not None:
                        routes[f"{prefix}{path}"] = dumps(example)
    return routes


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# -- the bodies of the per-call benchmark -----------------------------------------------------------------


def call_bodies() -> dict[str, bytes]:
    """The answers of the six measured calls (documented examples; AddOrder from the schema's example)."""
    return {
        "/0/public/Ticker": dumps(documented_example("kraken_spot_api", "/public/Ticker")),
        "/0/private/AddOrder": dumps(documented_example("kraken_spot_api", "/private/AddOrder", "post")),
        "/derivatives/api/v3/tickers": dumps(documented_example("kraken_futures_api", "/derivatives/api/v3/tickers")),
        "/derivatives/api/v3/sendorder": dumps(
            documented_example("kraken_futures_api", "/derivatives/api/v3/sendorder", "post")
        ),
        "/v1/getticker": dumps(documented_example("bitflyer_api", "/v1/getticker")),
        "/v1/me/sendchildorder": dumps(documented_example("bitflyer_api", "/v1/me/sendchildorder", "post")),
    }


# -- large bodies for the parsing benchmark ---------------------------------------------------------------

_ASSETS = [
    "XBT",
    "ETH",
    "SOL",
    "ADA",
    "DOT",
    "LTC",
    "XRP",
    "DOGE",
    "AVAX",
    "LINK",
    "ATOM",
    "MATIC",
    "UNI",
    "AAVE",
    "XLM",
    "ALGO",
    "FIL",
    "TRX",
    "EOS",
    "XTZ",
    "NEAR",
    "ICP",
]
_ASSETS += [
    "APT",
    "ARB",
    "OP",
    "SUI",
    "SEI",
    "TIA",
    "INJ",
    "RUNE",
    "KSM",
    "MINA",
    "FLOW",
    "GRT",
    "SAND",
    "MANA",
    "AXS",
    "CRV",
    "COMP",
    "MKR",
    "SNX",
    "YFI",
    "BAL",
]
_QUOTES = ["USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD", "USDT", "USDC", "XBT", "ETH", "DAI"]


def _decimal_text(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def spot_asset_pairs(count: int = 1500, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    templates = list(documented_example("kraken_spot_api", "/public/AssetPairs")["result"].values())
    result: dict[str, Any] = {}
    index = 0
    while len(result) < count:
        base = _ASSETS[index % len(_ASSETS)] + ("" if index < len(_ASSETS) * len(_QUOTES) else str(index))
        quote = _QUOTES[(index // len(_ASSETS)) % len(_QUOTES)]
        pair = copy.deepcopy(templates[index % len(templates)])
        pair.update(
            altname=f"{base}{quote}",
            wsname=f"{base}/{quote}",
            base=base,
            quote=quote,
            cost_decimals=rng.randint(2, 8),
            pair_decimals=rng.randint(1, 6),
            lot_decimals=rng.randint(4, 10),
            ordermin=_decimal_text(rng.uniform(0.0001, 10), 4),
            costmin=_decimal_text(rng.uniform(0.00001, 1), 5),
            tick_size=_decimal_text(10 ** -rng.randint(1, 6), 6),
            status=rng.choice(["online", "online", "online", "cancel_only", "post_only"]),
            long_position_limit=rng.randint(10, 2000),
            short_position_limit=rng.randint(10, 2000),
        )
        result[f"{base}{quote}"] = pair
        index += 1
    return dumps({"error": [], "result": result})


def spot_ohlc(rows: int = 720, seed: int = 2) -> bytes:
    rng = random.Random(seed)
    example = documented_example("kraken_spot_api", "/public/OHLC")
    ((pair, template),) = ((k, v) for k, v in example["result"].items() if k != "last")
    start = template[0][0]
    price = 30300.0
    data = []
    for row in range(rows):
        open_ = price
        high = open_ + rng.uniform(0, 40)
        low = open_ - rng.uniform(0, 40)
        close = rng.uniform(low, high)
        vwap = (open_ + high + low + close) / 4
        data.append([
            start + 60 * row, _decimal_text(open_, 1), _decimal_text(high, 1), _decimal_text(low, 1),
            _decimal_text(close, 1), _decimal_text(vwap, 1), _decimal_text(rng.uniform(0.01, 20), 8),
            rng.randint(1, 300),
        ])  # fmt: skip
        price = close
    return dumps({"error": [], "result": {pair: data, "last": start + 60 * (rows - 1)}})


def futures_instruments(count: int = 500, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    templates = documented_example("kraken_futures_api", "/derivatives/api/v3/instruments")["instruments"]
    instruments = []
    for index in range(count):
        entry = copy.deepcopy(templates[index % len(templates)])
        base = _ASSETS[index % len(_ASSETS)]
        entry["symbol"] = f"{entry['symbol'].split('_')[0]}_{base}USD_{index:03d}"
        entry["pair"] = f"{base}:USD"
        entry["base"] = base
        entry["tickSize"] = rng.choice([0.5, 1, 0.01, 0.0001, 0.001])
        entry["maxPositionSize"] = rng.randint(10_000, 5_000_000)
        for level in entry.get("marginLevels", []):
            level["initialMargin"] = round(rng.uniform(0.01, 0.5), 4)
            level["maintenanceMargin"] = round(level["initialMargin"] / 2, 4)
        instruments.append(entry)
    body = documented_example("kraken_futures_api", "/derivatives/api/v3/instruments")
    body["instruments"] = instruments
    return dumps(body)


def bitflyer_executions(count: int = 500, seed: int = 4) -> bytes:
    rng = random.Random(seed)
    templates = documented_example("bitflyer_api", "/v1/getexecutions")
    rows = []
    price = 31690.0
    for index in range(count):
        row = copy.deepcopy(templates[index % len(templates)])
        price += rng.uniform(-20, 20)
        row.update(
            id=39287 + count - index,
            side=rng.choice(["BUY", "SELL"]),
            price=round(price),
            size=round(rng.uniform(0.001, 30), 8),
            exec_date=f"2015-07-08T02:{(index // 60) % 60:02d}:{index % 60:02d}.{rng.randint(0, 999):03d}",
            buy_child_order_acceptance_id=f"JRF20150708-0243{index % 100:02d}-{rng.randint(0, 999999):06d}",
            sell_child_order_acceptance_id=f"JRF20150708-0243{index % 100:02d}-{rng.randint(0, 999999):06d}",
        )
        rows.append(row)
    return dumps(rows)


def large_bodies() -> dict[str, bytes]:
    return {
        "spot AssetPairs (1,500 pairs)": spot_asset_pairs(),
        "spot OHLC (720 rows)": spot_ohlc(),
        "futures instruments (500)": futures_instruments(),
        "bitFlyer executions (500)": bitflyer_executions(),
    }
