"""Per-call cost in CPU instructions, which a busy or shared machine does not blur.

Wall-clock ratios on a small virtual machine move by 15% from one run to the next, more than the regressions we
guard against. Instructions counted under valgrind's callgrind do not: the same code makes the same count to
within half a percent. Each call runs in a fresh process under callgrind, ``FEW`` times and then ``MANY`` times,
against the loopback server; the difference divided by ``MANY - FEW`` is the client's instructions for one call,
import and set-up cancelled out. The server runs outside valgrind and costs nothing here.

``python -m bench.instructions [--root CHECKOUT ...]`` prints a table: ours and the bare-httpx baseline per call,
and their ratio, for each checkout given (default: this one), so that two revisions compare like for like. Needs
``valgrind`` on the PATH; about a minute per call and checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.calls import PUBLIC, SIGNED
from bench.common import ROOT, local_server

FEW, MANY = 10, 110
_VALGRIND = ("valgrind", "--tool=callgrind")

_CHILD = """
import sys
import httpx
from bench.calls import Facades, baseline, ours
base, name, side, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
call = ours(Facades(base))[name] if side == "ours" else baseline(httpx.Client(), base)[name]
for _ in range(count):
    call()
"""


def _environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(root / part) for part in ("overlay", "generated", "."))
    # Bytecode cached per checkout, so that no run compiles (compiling would count).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), f"exchange-clients-ir-{digest}")
    return env


def _count(root: Path, base: str, name: str, side: str, calls: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        command = [*_VALGRIND, f"--callgrind-out-file={scratch}/out", sys.executable, "-c", _CHILD]
        completed = subprocess.run(
            [*command, base, name, side, f"{calls}"],
            capture_output=True,
            text=True,
            cwd=root,
            env=_environment(root),
            check=False,
        )
    found = re.search(r"Collected : (\d+)", completed.stderr)
    if completed.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed in {root}:\n{completed.stderr[-2000:]}")
    return int(found.group(1))


def per_call(root: Path, base: str, name: str, side: str) -> float:
    """Instructions of one call (``side``: "ours" or "baseline") in the checkout at ``root``."""
    return (_count(root, base, name, side, MANY) - _count(root, base, name, side, FEW)) / (MANY - FEW)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", action="append", type=Path, help="a checkout (repeat to compare); default: this")
    parser.add_argument("--call", action="append", help="one of the measured calls (repeat); default: all six")
    args = parser.parse_args()
    roots = [root.resolve() for root in args.root or [ROOT]]
    names = args.call or [*PUBLIC, *SIGNED]
    with local_server() as base:
        for root in roots:  # warm-up: each checkout's bytecode cache filled outside valgrind
            for name in names:
                for side in ("ours", "baseline"):
                    warm = [sys.executable, "-c", _CHILD, base, name, side, "2"]
                    subprocess.run(warm, cwd=root, env=_environment(root), check=True)
        print("| call | checkout | ours k instr. | httpx k instr. | ratio |")
        print("| --- | --- | ---: | ---: | ---: |")
        for name in names:
            for root in roots:
                ours, plain = per_call(root, base, name, "ours"), per_call(root, base, name, "baseline")
                row = f"| {name} | {root.name} | {ours / 1e3:,.1f} | {plain / 1e3:,.1f} | {ours / plain:.3f} |"
                print(row, flush=True)


if __name__ == "__main__":
    main()
