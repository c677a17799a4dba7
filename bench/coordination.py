"""``python -m bench.coordination``: what sharing a key through Redis costs per call, against this process alone.

Three things a signed call may ask of its coordination: a rate-limit acquire, a nonce, and the sequencing lock
(taken and released, uncontended). Each is timed on the in-process default and on ``RedisCoordination``
against a ``redis-server`` on loopback, started here (tests/redis_server.py). The limits are sized so that
nothing ever waits: this measures the admit path. Best of 3 runs, in microseconds; the last stdout line is JSON
(``make bench`` renders it), and ``--table`` prints the table instead.

The lock's real cost is not its own latency but what it serialises: one signed call of a key in flight at a
time, in every process. A key then makes at most 1 / (round trip + lock) calls per second, printed for a few
round trips.
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

from exchange_clients._coordination import LOCAL, Coordination
from exchange_clients._ratelimit import DecayingCounter, Limit, RateLimiter, VenueLimits, Window
from exchange_clients._runtime import Operation
from exchange_clients.redis import RedisCoordination

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from redis_server import RedisServer

KEY = "bench-key-not-a-real-one"
ROUND_TRIPS_MS = (5.0, 20.0, 50.0)
_OP = Operation(name="probe", module="", method="POST", path="/probe", private=True, read=True)


def _everything(path: str, private: bool) -> bool:
    return True


# Budgets that never run out: a counter that empties at once, a window whose entries live 10 ms.
_LIMITS = {
    "decaying counter": Limit("counter", DecayingCounter(1e12, 1e12), True, _everything),
    "window": Limit("window", Window(1e12, 0.01), True, _everything),
}


def cases(coordination: Coordination) -> dict[str, Callable[[], object]]:
    limiters = {
        name: RateLimiter(VenueLimits("bench", (limit,)), KEY, backend=coordination.limits)
        for name, limit in _LIMITS.items()
    }
    key, sequencer = coordination.key_name(KEY), coordination.sequencer

    def hold() -> None:
        with sequencer.hold(key):
            pass

    return {
        **{f"acquire ({name})": lambda limiter=limiter: limiter.acquire(_OP, {}) for name, limiter in limiters.items()},
        "nonce": lambda: coordination.nonces.next(key),
        "sequencing lock, take and release": hold,
    }


def measure(coordination: Coordination, calls: int) -> dict[str, float]:
    return {
        label: min(timeit.repeat(call, number=calls, repeat=3)) / calls * 1e6
        for label, call in cases(coordination).items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--table", action="store_true")
    options = parser.parse_args()
    with RedisServer() as server:
        shared = RedisCoordination(server.url)
        result = {"in process": measure(LOCAL, options.calls * 10), "redis": measure(shared, options.calls)}
        shared.close()
    if options.table:
        print("\n".join(render(result)))
    else:
        print(json.dumps(result))


def render(result: dict[str, dict[str, float]]) -> list[str]:
    local, shared = result["in process"], result["redis"]
    lines = ["| per call | in process µs | Redis (loopback) µs |", "| --- | ---: | ---: |"]
    lines += [f"| {label} | {local[label]:.2f} | {shared[label]:.1f} |" for label in local]
    lock = shared["sequencing lock, take and release"] / 1000
    lines += ["", "| venue round trip | most calls/s per key, ordered in process | … ordered through Redis |"]
    lines += ["| ---: | ---: | ---: |"]
    for trip in ROUND_TRIPS_MS:
        lines.append(f"| {trip:g} ms | {1000 / trip:.1f} | {1000 / (trip + lock):.1f} |")
    return lines


if __name__ == "__main__":
    main()
