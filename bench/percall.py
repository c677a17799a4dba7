"""Per-call overhead: each facade call against the same request with a bare ``httpx.Client`` (keep-alive).

``python -m bench.percall --base URL`` prints one JSON line: per call, median µs/call (wall and client CPU)
of ours and of the baseline, and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import json

import httpx

from bench.calls import Facades, baseline, ours
from bench.common import interleaved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    facades = Facades(args.base)
    client = httpx.Client()
    our_calls, base_calls = ours(facades), baseline(client, args.base)
    results = {}
    for name, call in our_calls.items():
        for _ in range(50):  # warm-up: connections open, caches filled
            call()
            base_calls[name]()
        results[name] = interleaved({"ours": call, "baseline": base_calls[name]}, args.rounds, args.repeat)
    facades.close()
    client.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
