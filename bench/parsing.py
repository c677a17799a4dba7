"""Typed parsing of large responses through the facade's parse path, against ``json.loads`` of the same bytes.

What is timed is ``_Core._finish(op, response)`` on a prepared ``httpx.Response`` (status 200, JSON media
type, body already read): exactly what a facade call does after the network part: decode with exact
decimals, the venue's envelope check, the generated ``_parse_response``/``from_dict``, unwrap. The decode
step alone (``decode_json``) is timed too, to show where the time goes.

Where every value of a body is an amount sent as text (Kraken Spot's OHLC rows), the *floor* is timed too: what
any client returning exact amounts must do at the least, ``json.loads`` and then one ``Decimal`` per decimal string
in a bare comprehension. Against it, a ratio shows what the client adds, apart from the conversion itself.

``python -m bench.parsing`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from bench.bodies import large_bodies
from bench.common import interleaved
from exchange_clients import Bitflyer, KrakenFutures, KrakenSpot
from exchange_clients._facades import bitflyer, kraken_futures, kraken_spot
from exchange_clients._responses import CallContext, decode_json

# (body name, facade, operation, repetitions per round)
CASES = [
    ("spot AssetPairs (1,500 pairs)", KrakenSpot, kraken_spot.OPERATIONS["get_tradable_asset_pairs"], 1),
    ("spot OHLC (720 rows)", KrakenSpot, kraken_spot.OPERATIONS["get_ohlc_data"], 20),
    ("futures instruments (500)", KrakenFutures, kraken_futures.OPERATIONS["get_instruments"], 2),
    ("bitFlyer executions (500)", Bitflyer, bitflyer.OPERATIONS["get_executions"], 10),
]


def ohlc_floor(body: bytes) -> dict[str, list[list[Any]]]:
    """Kraken's OHLC answer decoded, with each decimal string made a ``Decimal``: no checks, no model."""
    result = json.loads(body)["result"]
    return {
        pair: [[Decimal(value) if value.__class__ is str else value for value in row] for row in rows]
        for pair, rows in result.items()
        if pair != "last"
    }


FLOORS: dict[str, Callable[[bytes], Any]] = {"spot OHLC (720 rows)": ohlc_floor}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    bodies = large_bodies()
    results: dict[str, Any] = {}
    for name, facade_class, op, repeat in CASES:
        body = bodies[name]
        facade = facade_class(rate_limit=False)
        response = httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
        ctx = CallContext(venue=facade.profile.name, method=op.method, path=op.path)
        parsed = facade._finish(op, response)  # warm-up, and a check that the body parses
        count = len(parsed.additional_properties) if hasattr(parsed, "additional_properties") else None
        contenders: dict[str, Callable[[], Any]] = {
            "ours": lambda facade=facade, op=op, response=response: facade._finish(op, response),
            "decode": lambda response=response, ctx=ctx: decode_json(response, ctx),
            "baseline": lambda body=body: json.loads(body),
        }
        if name in FLOORS:
            contenders["floor"] = lambda body=body, floor=FLOORS[name]: floor(body)
        timings = interleaved(contenders, args.rounds, repeat)
        results[name] = {"bytes": len(body), "entries": count, **timings}
        facade.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
