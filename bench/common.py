"""Shared pieces: the local server process, fake credentials, the baselines' minimal signers, statistics."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.server import BITFLYER_SECRET, KRAKEN_SECRET

ROOT = Path(__file__).resolve().parent.parent
# The library runs from the working tree, installed or not (as in the tests).
PYTHONPATH = os.pathsep.join(str(ROOT / part) for part in (".", "overlay", "generated"))

KRAKEN_SECRET_BYTES = base64.b64decode(KRAKEN_SECRET)
BITFLYER_SECRET_BYTES = BITFLYER_SECRET.encode()
# One API key per client under test, so the server counts each one's nonces on their own.
OURS_KEY = "bench-ours"
OURS_UNORDERED_KEY = "bench-ours-unordered"  # ours with sequential=False
BASELINE_KEY = "bench-httpx"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = PYTHONPATH + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """Start ``bench.server`` in its own process; yield its base URL (``http://127.0.0.1:<port>``)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=child_env(),
        cwd=ROOT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the bench server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_json(module: str, *args: str, timeout: float = 300) -> Any:
    """Run ``python -m <module> args...`` in a fresh process; its last stdout line is JSON."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{module} failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def server_stats(base: str) -> dict[str, Any]:
    with httpx.Client() as client:
        stats: dict[str, Any] = client.get(f"{base}/__stats").json()
        return stats


def reset_server(base: str) -> None:
    with httpx.Client() as client:
        client.post(f"{base}/__reset")


# -- the baselines' minimal signers (kraken.md §1.2, §2.2; bitflyer.md §2.2) ------------------------------


def spot_sign(uri_path: str, nonce: str, body: bytes) -> str:
    inner = hashlib.sha256(nonce.encode() + body).digest()
    return base64.b64encode(hmac.new(KRAKEN_SECRET_BYTES, uri_path.encode() + inner, hashlib.sha512).digest()).decode()


def futures_sign(post_data: str, nonce: str, endpoint_path: str) -> str:
    digest = hashlib.sha256((post_data + nonce + endpoint_path).encode()).digest()
    return base64.b64encode(hmac.new(KRAKEN_SECRET_BYTES, digest, hashlib.sha512).digest()).decode()


def bitflyer_sign(timestamp: str, method: str, path: str, body: bytes) -> str:
    return hmac.new(BITFLYER_SECRET_BYTES, f"{timestamp}{method}{path}".encode() + body, hashlib.sha256).hexdigest()


class Counter:
    """The baseline's nonce: time in ns, kept strictly increasing."""

    def __init__(self) -> None:
        self.last = 0

    def __call__(self) -> int:
        self.last = max(time.time_ns(), self.last + 1)
        return self.last


# -- measuring --------------------------------------------------------------------------------------------


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Wall and CPU seconds per call over ``repeat`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - wall) / repeat, (time.process_time() - cpu) / repeat


def interleaved(contenders: dict[str, Callable[[], Any]], rounds: int, repeat: int) -> dict[str, dict[str, float]]:
    """Median wall/CPU seconds per call of each contender, alternating their order round by round.

    Each round runs every contender ``repeat`` times; odd rounds reverse the order, so slow drift of the
    machine (other load, frequency changes) lands on both sides. ``ratio`` is the median of the per-round
    ratios to the contender named ``"baseline"`` when there is one.
    """
    names = list(contenders)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for name in order:
            wall, cpu = timed(contenders[name], repeat)
            walls[name].append(wall)
            cpus[name].append(cpu)
    result = {name: {"wall": statistics.median(walls[name]), "cpu": statistics.median(cpus[name])} for name in names}
    if "baseline" in walls:
        for name in names:
            pairs = zip(walls[name], walls["baseline"], strict=True)
            result[name]["ratio"] = statistics.median(ours / base for ours, base in pairs)
            cpu_pairs = zip(cpus[name], cpus["baseline"], strict=True)
            result[name]["cpu_ratio"] = statistics.median(ours / base for ours, base in cpu_pairs)
    return result


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "httpx": httpx.__version__,
    }


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))
