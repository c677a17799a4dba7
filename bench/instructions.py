"""Cost in CPU instructions, which a busy or shared machine does not blur: per call, per parse, and for import.

Wall-clock ratios on a small virtual machine move by 15% from one run to the next, more than the regressions we
guard against. Instructions counted under valgrind's callgrind do not: the same code makes the same count to
within half a percent. Each call runs in a fresh process under callgrind, ``FEW`` times and then ``MANY`` times,
against the loopback server; the difference divided by ``MANY - FEW`` is the client's instructions for one call,
import and set-up cancelled out. The server runs outside valgrind and costs nothing here. Parsing counts the same
way (``bench.parsing``'s bodies and path); import counts bench.imports' script once, less ``import httpx`` alone.

``python -m bench.instructions [--root CHECKOUT ...] [--parsing | --imports]`` prints a table: ours and its baseline
(bare httpx, ``json.loads``), and their ratio, for each checkout given (default: this one), so that two revisions
compare like for like. Needs ``valgrind`` on the PATH; about a minute per call or body and checkout.
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
from bench.imports import HTTPX_ALONE, OURS
from bench.parsing import CASES, FLOORS

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


# One parse of a large body (bench.parsing's cases) by ours, or ``json.loads`` of the same bytes.
_PARSE_CHILD = """
import json, sys
import httpx
from bench.bodies import large_bodies
from bench.parsing import CASES
name, side, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
((body_name, facade_class, op, _),) = [case for case in CASES if case[0].startswith(name)]
body = large_bodies()[body_name]
facade = facade_class(rate_limit=False)
response = httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
facade._finish(op, response)
run = {"ours": lambda: facade._finish(op, response), "baseline": lambda: json.loads(body)}
if side == "floor":  # only this checkout's bench has floors
    from bench.parsing import FLOORS
    run["floor"] = lambda: FLOORS[body_name](body)
for _ in range(count):
    run[side]()
"""
# Parses per run, in multiples of each body's repetitions in bench.parsing: enough that a garbage collection more or
# less in one run does not show (small bodies need many).
PARSE_FEW, PARSE_MANY = 1, 4
_REPEAT = {name: repeat for name, _, _, repeat in CASES}


def _environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(root / part) for part in ("overlay", "generated", "."))
    # Bytecode cached per checkout, so that no run compiles (compiling would count).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONHASHSEED"] = "0"  # dict and set layouts, and so their costs, the same in every run
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), f"exchange-clients-ir-{digest}")
    return env


def _count(root: Path, script: str, *args: str) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        command = [*_VALGRIND, f"--callgrind-out-file={scratch}/out", sys.executable, "-c", script, *args]
        env = _environment(root)
        completed = subprocess.run(command, check=False, capture_output=True, text=True, cwd=root, env=env)
    found = re.search(r"Collected : (\d+)", completed.stderr)
    if completed.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed in {root}:\n{completed.stderr[-2000:]}")
    return int(found.group(1))


def per_call(root: Path, base: str, name: str, side: str) -> float:
    """Instructions of one call (``side``: "ours" or "baseline") in the checkout at ``root``."""
    many, few = (_count(root, _CHILD, base, name, side, f"{count}") for count in (MANY, FEW))
    return (many - few) / (MANY - FEW)


def per_parse(root: Path, name: str, side: str) -> float:
    """Instructions of one parse of the large body ``name`` (``side``: "ours" or "baseline", ``json.loads``)."""
    repeat = _REPEAT[name]
    few, many = PARSE_FEW * repeat, PARSE_MANY * repeat
    return (_count(root, _PARSE_CHILD, name, side, f"{many}") - _count(root, _PARSE_CHILD, name, side, f"{few}")) / (
        many - few
    )


def above_httpx(root: Path, base: str) -> float:
    """Instructions of ``import exchange_clients``, constructing the three facades and a first call through each,
    above ``import httpx`` alone (bench.imports' script, run once)."""
    return _count(root, OURS, base) - _count(root, HTTPX_ALONE)


def _warm(root: Path, script: str, *args: str) -> None:
    """Fill the checkout's bytecode cache outside valgrind."""
    subprocess.run(
        [sys.executable, "-c", script, *args], cwd=root, env=_environment(root), check=True, capture_output=True
    )


def _calls(roots: list[Path], names: list[str], base: str) -> None:
    for root in roots:
        for name in names:
            for side in ("ours", "baseline"):
                _warm(root, _CHILD, base, name, side, "2")
    print("| call | checkout | ours k instr. | httpx k instr. | ratio |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name in names:
        for root in roots:
            ours, plain = per_call(root, base, name, "ours"), per_call(root, base, name, "baseline")
            print(f"| {name} | {root.name} | {ours / 1e3:,.1f} | {plain / 1e3:,.1f} | {ours / plain:.3f} |", flush=True)


def _parsing(roots: list[Path], bodies: list[str]) -> None:
    for root in roots:
        for name in bodies:
            _warm(root, _PARSE_CHILD, name, "ours", "1")
    for name in bodies:
        if name in FLOORS:  # measured in this checkout, whichever are compared
            _warm(ROOT, _PARSE_CHILD, name, "floor", "1")
    print("| body | checkout | ours M instr. | json.loads M instr. | ratio | floor M instr. | ours / floor |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in bodies:
        low = per_parse(ROOT, name, "floor") if name in FLOORS else None  # the same code for every checkout
        for root in roots:
            ours, plain = per_parse(root, name, "ours"), per_parse(root, name, "baseline")
            floor = f"{low / 1e6:,.2f} | {ours / low:.2f}" if low else "n/a | n/a"
            row = f"| {name} | {root.name} | {ours / 1e6:,.2f} | {plain / 1e6:,.2f} | {ours / plain:.2f} | {floor} |"
            print(row, flush=True)


def _imports(roots: list[Path], base: str) -> None:
    for root in roots:
        for _ in range(2):
            _warm(root, OURS, base)
    print("| checkout | import, construct, first calls above `import httpx`: M instr. |")
    print("| --- | ---: |")
    for root in roots:
        print(f"| {root.name} | {above_httpx(root, base) / 1e6:,.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", action="append", type=Path, help="a checkout (repeat to compare); default: this")
    parser.add_argument("--call", action="append", help="one of the measured calls (repeat); default: all six")
    parser.add_argument("--parsing", action="store_true", help="the large bodies of bench.parsing instead of calls")
    parser.add_argument("--body", action="append", help="with --parsing: bodies whose name starts so (repeat)")
    parser.add_argument("--imports", action="store_true", help="import and first use instead of calls")
    args = parser.parse_args()
    roots = [root.resolve() for root in args.root or [ROOT]]
    if args.parsing:
        _parsing(roots, [name for name in _REPEAT if not args.body or name.startswith(tuple(args.body))])
        return
    with local_server() as base:
        if args.imports:
            _imports(roots, base)
        else:
            _calls(roots, args.call or [*PUBLIC, *SIGNED], base)


if __name__ == "__main__":
    main()
