"""``python -m bench``: every benchmark, a Markdown table on stdout and in ``bench/results.md``.

The local server runs in its own process for the whole run; each section runs in a fresh process of its
own, so one section's caches, connections and memory do not colour the next.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import imports
from bench.common import local_server, machine, run_json

RESULTS = Path(__file__).resolve().parent / "results.md"

TARGET_IMPORT_MS = 100.0
TARGET_CALL_RATIO = 1.15
TARGET_PARSE_RATIO = 3.0
TARGET_ASYNC_RATIO = 0.9
SOAK_RSS_MIB = 2.0


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f}"


def section_import(result: dict[str, Any]) -> list[str]:
    ours, alone, first = (result["medians"][name] for name in ("ours", "httpx", "httpx first use"))
    above = result["paired_difference"] * 1e3
    return [
        f"## 1. Import and first use (fresh processes, median of {result['runs']} interleaved runs)",
        "",
        "| what | ms |",
        "| --- | ---: |",
        f"| `import httpx` alone | {_ms(alone['total'])} |",
        f"| ours: `import httpx` (same process) | {_ms(ours['httpx'])} |",
        f"| ours: `import exchange_clients` | {_ms(ours['import'])} |",
        f"| ours: construct the three facades | {_ms(ours['construct'])} |",
        f"| ours: first call through each facade (Ticker, tickers, getticker) | {_ms(ours['calls'])} |",
        f"| ours: total, from before `import httpx` | {_ms(ours['total'])} |",
        f"| for context: httpx's own first use (import, one client, the same three GETs) | {_ms(first['total'])} |",
        f"| whole process, ours / `import httpx` alone | {_ms(ours['process'])} / {_ms(alone['process'])} |",
        "",
        f"**Ours above `import httpx` alone: {above:.1f} ms** (median of paired differences); target < "
        f"{TARGET_IMPORT_MS:.0f} ms: {_verdict(above < TARGET_IMPORT_MS)}. Constructing includes httpx's default TLS "
        "context (its CA bundle loaded once per process, shared by the facades' clients); an httpx user pays "
        "that too, on their first `httpx.Client()`.",
        "",
    ]


def section_calls(result: dict[str, Any]) -> list[str]:
    lines = [
        "## 2. Per-call overhead (sync, keep-alive, loopback; median of interleaved rounds)",
        "",
        "Baseline: the same request with a bare `httpx.Client`, parsed with `response.json()`; signed baselines "
        "sign with a minimal inline function. Wall time per call includes the local server's answer (same for "
        "both); client CPU is this process's CPU time per call.",
        "",
        "| call | ours µs | httpx µs | ratio | ours CPU µs | httpx CPU µs | CPU ratio | ≤ 1.15x |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, row in result.items():
        ours, base = row["ours"], row["baseline"]
        lines.append(
            f"| {name} | {_us(ours['wall'])} | {_us(base['wall'])} | {ours['ratio']:.3f} | {_us(ours['cpu'])} | "
            f"{_us(base['cpu'])} | {ours['cpu_ratio']:.3f} | {_verdict(ours['ratio'] <= TARGET_CALL_RATIO)} |"
        )
    return [*lines, ""]


def section_parsing(result: dict[str, Any]) -> list[str]:
    lines = [
        "## 3. Parsing large responses (median of interleaved rounds)",
        "",
        "Ours: `_Core._finish(op, response)` on a prepared `httpx.Response`, i.e. the full call minus the network "
        "part (exact-decimal decode, envelope check, generated `from_dict`, unwrap). Of which decode: "
        "`decode_json` alone. Baseline: `json.loads` of the same bytes. Floor, where every value is an amount sent "
        "as text: `json.loads`, then one `Decimal` per decimal string in a bare comprehension, the least a client "
        "that returns exact amounts does (`bench/parsing.py`).",
        "",
        "| body | size | ours ms | of which decode ms | json.loads ms | ratio | floor ms | ours / floor | ≤ 3x |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, row in result.items():
        ratio = row["ours"]["ratio"]
        floor = row.get("floor")
        floor_cells = f"{_ms(floor['wall'])} | {ratio / floor['ratio']:.2f}" if floor else "n/a | n/a"
        lines.append(
            f"| {name} | {row['bytes'] / 1024:,.0f} KiB | {_ms(row['ours']['wall'])} | {_ms(row['decode']['wall'])} | "
            f"{_ms(row['baseline']['wall'])} | {ratio:.2f} | {floor_cells} | {_verdict(ratio <= TARGET_PARSE_RATIO)} |"
        )
    return [*lines, ""]


def _nonces(stats: dict[str, int]) -> str:
    return (
        f"{stats.get('calls', 0)} received, {stats.get('duplicates', 0)} duplicate, "
        f"{stats.get('bad_signatures', 0)} bad signature, {stats.get('out_of_order', 0)} arrived out of order"
    )


def section_async(result: dict[str, Any]) -> list[str]:
    lines = [
        f"## 4. Async: {result['calls']:,} concurrent signed calls (spot AddOrder), one `AsyncKrakenSpot` vs "
        f"bare `httpx.AsyncClient` (same limits: 100 connections, 20 kept alive; median of {result['rounds']} "
        "interleaved rounds)",
        "",
        "| mode | ours calls/s | httpx calls/s | throughput ratio | ≥ 0.9 | ours, `sequential=False`, calls/s |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for mode, label in (("gather", "all at once (`gather`)"), ("bounded", f"{result['in_flight']} in flight")):
        row = result[mode]
        lines.append(
            f"| {label} | {row['ours_per_s']:,.0f} | {row['baseline_per_s']:,.0f} | {row['ratio']:.3f} | "
            f"{_verdict(row['ratio'] >= TARGET_ASYNC_RATIO) if mode == 'gather' else '(context)'} | "
            f"{row.get('unordered_per_s', 0):,.0f} |"
        )
    lines += ["", "Nonces seen by the server (all rounds of both modes, warm-up bursts included):", ""]
    for mode in ("gather", "bounded"):
        row = result[mode]
        lines.append(f"* {mode}, ours: {_nonces(row['ours_nonces'])}")
        lines.append(f"* {mode}, ours with `sequential=False`: {_nonces(row.get('unordered_nonces', {}))}")
        lines.append(f"* {mode}, httpx: {_nonces(row['baseline_nonces'])}")
    errors = sum(
        result[m]["ours_nonces"].get(k, 0) for m in ("gather", "bounded") for k in ("duplicates", "bad_signatures")
    )
    lines += [
        "",
        f"Nonce errors (duplicates or bad signatures) through our facade: **{errors}** ({_verdict(errors == 0)}).",
        "Every out-of-order arrival is a call Kraken would refuse with `EAPI:Invalid nonce` (without a nonce "
        "window on the key). Each request is signed (nonce drawn) *before* the connection pool hands it a "
        "connection; with more requests than connections they wait in the pool's queue and leave in whatever "
        "order connections free up. The bare-httpx baseline shows it, and so does ours with `sequential=False`. "
        "Ours as shipped holds Kraken Spot's signed calls of one key to one in flight, from signing until the "
        "answer's headers arrive, so they arrive in order; the table shows what that costs in calls per second.",
        "",
    ]
    return lines


def section_soak(result: dict[str, Any]) -> list[str]:
    lines = [
        f"## 5. Soak: {result['calls']:,} calls through one `KrakenSpot` (Ticker and AddOrder alternating, "
        f"{result['seconds']:.1f} s)",
        "",
        "| after calls | RSS MiB | open fds | pool connections | gc-tracked objects |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for point in result["checkpoints"]:
        lines.append(
            f"| {point['calls']:,} | {point['rss_mib']:.2f} | {point['fds']} | {point['pool_connections']} | "
            f"{point['gc_objects']:,} |"
        )
    first, last = result["checkpoints"][0], result["checkpoints"][-1]
    growth = last["rss_mib"] - first["rss_mib"]
    flat = (
        growth < SOAK_RSS_MIB and first["fds"] == last["fds"] and first["pool_connections"] == last["pool_connections"]
    )
    lines += [
        "",
        f"RSS growth {growth:+.2f} MiB; fds {first['fds']} → {last['fds']}; pool connections "
        f"{first['pool_connections']} → {last['pool_connections']}: flat {_verdict(flat)}.",
        "",
    ]
    return lines


def section_coordination(result: dict[str, Any]) -> list[str]:
    from bench import coordination  # noqa: PLC0415 - imports the overlay and redis only when rendered

    return [
        "## 7. Coordination: what one key shared through Redis costs per call (best of 3 runs)",
        "",
        "`python -m bench.coordination`: the in-process default against `RedisCoordination` on a loopback "
        "`redis-server`; budgets sized so that nothing waits. The lock's cost is what it serialises: the most "
        "signed calls per second of one key, for a few venue round trips.",
        "",
        *coordination.render(result),
        "",
    ]


def section_peers(result: dict[str, Any]) -> list[str]:
    status = result["status"]
    lines = [
        "## 6. Peers (same calls, same local server, same interleaved rounds; ratio to bare httpx)",
        "",
    ]
    for peer in ("ccxt", "python-kraken-sdk", "krakenex", "pybitflyer"):
        lines.append(f"* {peer}: {status.get(peer, 'not installed')}")
    failures = [f"* {key}: {value}" for key, value in status.items() if " " in key]
    lines += [*failures, ""]
    names = ["ours", "baseline", "ccxt", "python-kraken-sdk", "krakenex", "pybitflyer"]
    present = [n for n in names if any(n in row for row in result["calls"].values())]
    header = ["call", *[("httpx" if n == "baseline" else n) for n in present]]
    lines += ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * len(present)]
    for call, row in result["calls"].items():
        cells = [f"{_us(row[n]['wall'])} µs ({row[n]['ratio']:.2f}x)" if n in row else "n/a" for n in present]
        lines.append(f"| {call} | " + " | ".join(cells) + " |")
    return [
        *lines,
        "",
        "ccxt: implicit REST methods (raw JSON, no unified parsing), rate limiter off. pybitflyer opens a new "
        "HTTP session (so a new connection) for every call. Peers return untyped dicts with floats or strings; "
        "ours returns typed models with exact decimals.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run, not for numbers)")
    args = parser.parse_args()
    quick = args.quick
    started = time.perf_counter()
    info = machine()
    out = [
        "# exchange-clients benchmark",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on: {info['cpu']}, {info['cores']} "
        f"cores, {info['python']}, httpx {info['httpx']} ({info['platform']}). Rate limiter off. Loopback "
        "keep-alive server (`bench/server.py`) in its own process.",
        "",
    ]
    failed = []
    with local_server() as base:

        def options(full: list[str], smoke: list[str]) -> list[str]:
            return smoke if quick else full

        sections: list[tuple[str, Callable[[], Any], Callable[[Any], list[str]]]] = [
            ("import", lambda: imports.run(base, 5 if quick else 15), section_import),
            (
                "per-call",
                lambda: run_json("bench.percall", "--base", base, *options([], ["--rounds", "3", "--repeat", "50"])),
                section_calls,
            ),
            ("parsing", lambda: run_json("bench.parsing", *options([], ["--rounds", "3"])), section_parsing),
            (
                "async",
                lambda: run_json("bench.concurrency", "--base", base, *options([], ["--rounds", "2"])),
                section_async,
            ),
            (
                "soak",
                lambda: run_json("bench.soak", "--base", base, *options([], ["--calls", "2000", "--every", "500"])),
                section_soak,
            ),
            (
                "coordination",
                lambda: run_json("bench.coordination", *options([], ["--calls", "300"])),
                section_coordination,
            ),
            (
                "peers",
                lambda: run_json("bench.peers", "--base", base, *options([], ["--rounds", "2", "--repeat", "20"])),
                section_peers,
            ),
        ]
        for name, run, render in sections:
            print(f"[bench] {name} …", file=sys.stderr, flush=True)
            try:
                out += render(run())
            except Exception:  # one failed section is reported; the others still run
                failed.append(name)
                out += [f"## {name}: FAILED", "", "```", traceback.format_exc()[-3000:], "```", ""]
    out.append(f"Total benchmark time: {time.perf_counter() - started:.0f} s.")
    text = "\n".join(out) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    if failed:
        sys.exit(f"bench: sections failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
