"""10,000 calls through one facade (sync ``KrakenSpot``: public Ticker and signed AddOrder, alternating),
with RSS, open file descriptors and the connection pool's size at checkpoints.

``python -m bench.soak --base URL`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import time

from bench.calls import spot_order_request
from bench.common import KRAKEN_SECRET, OURS_KEY, open_fds, rss_bytes
from exchange_clients import KrakenSpot


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=2_000)
    args = parser.parse_args()
    spot = KrakenSpot(OURS_KEY, KRAKEN_SECRET, base_url=f"{args.base}/0", rate_limit=False)
    order = spot_order_request()
    pool = spot._http._transport._pool

    def call(index: int) -> None:
        if index % 2:
            spot.add_order(body=order)
        else:
            spot.get_ticker_information(pair="XBTUSD")

    for index in range(200):  # warm-up: caches, lazy imports, the connection
        call(index)
    gc.collect()
    checkpoints = []
    started = time.perf_counter()
    for index in range(args.calls + 1):
        if index % args.every == 0:
            checkpoints.append({
                "calls": index,
                "rss_mib": rss_bytes() / 2**20,
                "fds": open_fds(),
                "pool_connections": len(pool.connections),
                "gc_objects": len(gc.get_objects()),
            })  # fmt: skip
        if index < args.calls:
            call(index)
    elapsed = time.perf_counter() - started
    spot.close()
    print(json.dumps({"calls": args.calls, "seconds": elapsed, "checkpoints": checkpoints}))


if __name__ == "__main__":
    main()
