"""1,000 concurrent signed calls (Kraken Spot ``AddOrder``) through one ``AsyncKrakenSpot`` against the same
with a bare ``httpx.AsyncClient`` with the same connection limits (httpx's defaults: 100 connections, 20 kept
alive), rounds interleaved. Two ways of being concurrent:

* ``gather``: all 1,000 started at once (``asyncio.gather``): 900 wait in httpcore's connection pool queue.
* ``bounded``: the same 1,000 calls with at most 20 in flight (an ``asyncio.Semaphore``; 20 is the pool's
  keep-alive limit), so no call waits in the pool queue and no connection is opened and closed again; this
  one shows the library's own cost.

Every timed round starts from the same pool state: a short untimed burst first refreshes the 20 kept-alive
connections (a pool that starts cold, or with connections past their 5 s keep-alive, makes httpcore's queue
handling far slower, for either side, and would swamp the comparison).

The server checks every nonce per API key: duplicates are nonce errors; a nonce lower than the highest
already received is counted as *arrived out of order* (see ``bench.server``): Kraken would refuse each of them
with ``EAPI:Invalid nonce``. Ours runs as users get it (Kraken Spot's signed calls of one key sequenced, so nonces
arrive in order) and, on a key of its own, with ``sequential=False``, to show what the sequencing buys and costs.

``python -m bench.concurrency --base URL`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.calls import spot_fields_as_sent, spot_order_request
from bench.common import (
    BASELINE_KEY,
    KRAKEN_SECRET,
    OURS_KEY,
    OURS_UNORDERED_KEY,
    Counter,
    reset_server,
    server_stats,
    spot_sign,
)
from exchange_clients import AsyncKrakenSpot

LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
# With 900 requests queued for a connection, the last ones wait seconds: no pool timeout on either side.
TIMEOUT = httpx.Timeout(60.0)
IN_FLIGHT = LIMITS.max_keepalive_connections or 20

Call = Callable[[], Awaitable[Any]]


async def _burst(call: Call, calls: int, in_flight: int | None) -> float:
    started = time.perf_counter()
    if in_flight is None:
        await asyncio.gather(*(call() for _ in range(calls)))
    else:
        gate = asyncio.Semaphore(in_flight)

        async def gated() -> Any:
            async with gate:
                return await call()

        await asyncio.gather(*(gated() for _ in range(calls)))
    return time.perf_counter() - started


async def measure(base: str, calls: int, rounds: int) -> dict[str, Any]:
    facade = AsyncKrakenSpot(OURS_KEY, KRAKEN_SECRET, base_url=base, rate_limit=False, timeout=TIMEOUT)
    unordered = AsyncKrakenSpot(
        OURS_UNORDERED_KEY, KRAKEN_SECRET, base_url=base, rate_limit=False, timeout=TIMEOUT, sequential=False
    )
    client = httpx.AsyncClient(limits=LIMITS, timeout=TIMEOUT)
    pools = (facade._http._transport._pool, unordered._http._transport._pool, client._transport._pool)
    for pool in pools:  # the same limits on every side
        assert (pool._max_connections, pool._max_keepalive_connections) == (100, 20)
    order, fields, nonce = spot_order_request(), spot_fields_as_sent(), Counter()

    async def ours() -> Any:
        return await facade.add_order(body=order)

    async def ours_unordered() -> Any:
        return await unordered.add_order(body=order)

    async def baseline() -> Any:
        n = str(nonce())
        body = json.dumps({"nonce": n, **fields}, separators=(",", ":")).encode()
        headers = {"API-Key": BASELINE_KEY, "API-Sign": spot_sign("/0/private/AddOrder", n, body),
                   "Content-Type": "application/json"}  # fmt: skip
        response = await client.post(f"{base}/0/private/AddOrder", content=body, headers=headers)
        return response.json()

    sides = {"ours": ours, "baseline": baseline, "unordered": ours_unordered}
    results: dict[str, Any] = {"calls": calls, "rounds": rounds, "in_flight": IN_FLIGHT}
    for mode, in_flight in (("gather", None), ("bounded", IN_FLIGHT)):
        reset_server(base)
        times: dict[str, list[float]] = {name: [] for name in sides}
        for index in range(rounds):
            for name in ("ours", "baseline", "unordered") if index % 2 == 0 else ("unordered", "baseline", "ours"):
                await _burst(sides[name], 100, None)  # untimed: the pool starts each round the same way
                times[name].append(await _burst(sides[name], calls, in_flight))
        stats = server_stats(base)["keys"]
        results[mode] = {
            "ours_per_s": calls / statistics.median(times["ours"]),
            "baseline_per_s": calls / statistics.median(times["baseline"]),
            # Throughput ratio ours/baseline, the median of the paired rounds.
            "ratio": statistics.median(b / o for o, b in zip(times["ours"], times["baseline"], strict=True)),
            "unordered_per_s": calls / statistics.median(times["unordered"]),
            "ours_nonces": stats.get(OURS_KEY, {}),
            "unordered_nonces": stats.get(OURS_UNORDERED_KEY, {}),
            "baseline_nonces": stats.get(BASELINE_KEY, {}),
        }
    await facade.aclose()
    await unordered.aclose()
    await client.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.base, args.calls, args.rounds))))


if __name__ == "__main__":
    main()
