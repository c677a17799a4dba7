"""Import and first use, in fresh processes: ``import exchange_clients`` plus one call through each of the
three facades, against ``import httpx`` alone (and, for context, httpx's own first use: a client and the
same three GETs).

Bytecode is cached the way an installed package has it: the child processes write and read ``.pyc`` files
under a private ``PYTHONPYCACHEPREFIX`` (this environment sets ``PYTHONDONTWRITEBYTECODE``, which would
otherwise make every run compile the library from source). Two warm-up runs fill that cache.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.common import ROOT, child_env

OURS = """
import json, sys, time
t0 = time.perf_counter()
import httpx
t1 = time.perf_counter()
import exchange_clients
from exchange_clients import Bitflyer, KrakenFutures, KrakenSpot
t2 = time.perf_counter()
base = sys.argv[1]
spot = KrakenSpot(base_url=base + "/0", rate_limit=False)
futures = KrakenFutures(base_url=base, rate_limit=False)
bitflyer = Bitflyer(base_url=base, rate_limit=False)
t3 = time.perf_counter()
spot.get_ticker_information(pair="XBTUSD")
futures.get_tickers()
bitflyer.get_ticker(product_code="BTC_JPY")
t4 = time.perf_counter()
print(json.dumps({"httpx": t1 - t0, "import": t2 - t1, "construct": t3 - t2, "calls": t4 - t3, "total": t4 - t0}))
"""

HTTPX_ALONE = """
import json, sys, time
t0 = time.perf_counter()
import httpx
t1 = time.perf_counter()
print(json.dumps({"total": t1 - t0}))
"""

HTTPX_FIRST_USE = """
import json, sys, time
t0 = time.perf_counter()
import httpx
client = httpx.Client()
base = sys.argv[1]
client.get(base + "/0/public/Ticker", params={"pair": "XBTUSD"}).json()
client.get(base + "/derivatives/api/v3/tickers").json()
client.get(base + "/v1/getticker", params={"product_code": "BTC_JPY"}).json()
t1 = time.perf_counter()
print(json.dumps({"total": t1 - t0}))
"""

SCRIPTS = {"ours": OURS, "httpx": HTTPX_ALONE, "httpx first use": HTTPX_FIRST_USE}


def _run(script: str, base: str, env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", script, base], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"import benchmark failed:\n{completed.stderr[-3000:]}")
    timings: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    timings["process"] = wall
    return timings


def run(base: str, runs: int = 15) -> dict[str, Any]:
    cache = os.path.join(tempfile.gettempdir(), "exchange-clients-bench-pycache")
    env = child_env(PYTHONPYCACHEPREFIX=cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for script in SCRIPTS.values():  # warm-up: fills the bytecode cache
        for _ in range(2):
            _run(script, base, env)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in SCRIPTS}
    names = list(SCRIPTS)
    for index in range(runs):
        for name in names if index % 2 == 0 else names[::-1]:
            samples[name].append(_run(SCRIPTS[name], base, env))
    medians = {
        name: {key: statistics.median(sample[key] for sample in rows) for key in rows[0]}
        for name, rows in samples.items()
    }
    # The difference of medians, and the median of the paired differences (the runs are interleaved).
    paired = statistics.median(
        ours["total"] - alone["total"] for ours, alone in zip(samples["ours"], samples["httpx"], strict=True)
    )
    return {"runs": runs, "medians": medians, "paired_difference": paired}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15)))
