"""Record the cassettes: every operation and failure scenario against the stand-in, or reads against a venue.

``make record`` (``python -m recording`` with ``tests`` on the path) re-records everything under
``tests/cassettes/<venue>/`` against a local :class:`standin.StandIn`, through the facades, with the
stand-in's fake keys. The cassettes are written to a scratch directory first and swapped in only when
every call was recorded, so a failed run leaves the committed ones alone.

``make record-live VENUE=kraken_spot`` re-records the operations that only read (``Operation.read``)
against the production venue with keys from the environment, into ``tests/cassettes/live/<venue>/``.
Operations that place, amend or cancel orders or move funds are refused unless ``ALLOW_WRITES=1`` is
given *and* each of them is named in ``OPS``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exchange_clients import ExchangeError, ExchangeWarning
from exchange_clients._runtime import Operation, SyncFacade

from .arguments import raw_arguments, typed_arguments
from .cassettes import CASSETTE_ROOT, cassette_path, live_cassette_path, recorder, scenario_cassette_path
from .scenarios import DEFECT_DEMONSTRATIONS, SCENARIO_CALLS, SCENARIO_REPEATS
from .venues import VENUES, VenueInfo, venue

__all__ = ["FIXED_TIME", "LiveRefused", "record_live", "record_standin", "select_live_operations"]

# The stand-in's clock and bitFlyer's signing clock while recording (2026-01-01T00:00:00Z): scripted
# answers that carry a server time are then the same on every run.
FIXED_TIME = 1767225600.0


def _fixed_clock() -> float:
    return FIXED_TIME


@dataclass
class Outcome:
    venue: str
    cassette: str
    result: str  # "ok", or the exception class raised
    interactions: int


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def print(self) -> None:
        for info in VENUES.values():
            mine = [o for o in self.outcomes if o.venue == info.name]
            if not mine:
                continue
            raised = [o for o in mine if o.result != "ok"]
            print(f"{info.name}: {len(mine)} cassettes ({len(raised)} record an error)")
            for outcome in raised:
                print(f"    {outcome.cassette}: {outcome.result}")


def _call(client: SyncFacade, op: Operation, raw: Mapping[str, Any]) -> str:
    try:
        getattr(client, op.name)(**typed_arguments(op, raw))
    except ExchangeError as exc:
        return type(exc).__name__
    return "ok"


def _record_call(
    info: VenueInfo,
    client: SyncFacade,
    op: Operation,
    path: Path,
    metadata: dict[str, Any],
    secrets: Sequence[str],
    root: Path,
) -> Outcome:
    with recorder(info, path, secrets, metadata) as cassette:
        result = _call(client, op, metadata["arguments"])
        interactions = len(cassette)
    expected = SCENARIO_REPEATS.get(metadata.get("scenario", ""), 1)
    if interactions != expected:
        raise RuntimeError(f"{path}: expected {expected} request(s), recorded {interactions}")
    return Outcome(info.name, str(path.relative_to(root)), result, interactions)


# --- against the stand-in --------------------------------------------------------------------------


def record_standin(root: Path = CASSETTE_ROOT) -> Summary:
    """Re-record every operation and scenario cassette of the three venues (``tests/cassettes/<venue>``)."""
    import standin

    scratch = root.parent / ".cassettes-recording"
    shutil.rmtree(scratch, ignore_errors=True)
    summary = Summary()
    warnings: list[ExchangeWarning] = []
    with standin.StandIn(clock=_fixed_clock) as running:
        for info in VENUES.values():
            options: dict[str, Any] = {"clock": _fixed_clock} if info.standin == "bitflyer" else {}
            secrets = (info.fake_key, info.fake_secret)
            with info.facade(
                info.fake_key,
                info.fake_secret,
                base_url=running.url(info.standin),
                rate_limit=False,
                retry=False,
                on_warning=warnings.append,
                **options,
            ) as client:
                arguments: dict[str, dict[str, Any]] = {}
                for name, op in info.operations.items():
                    raw, unsent = raw_arguments(info.standin, op)
                    arguments[name] = raw
                    metadata = {"venue": info.name, "operation": name, "arguments": raw, "recorded_from": "stand-in"}
                    if unsent:
                        metadata["unsent_parameters"] = unsent
                    path = cassette_path(info, name, scratch)
                    summary.outcomes.append(_record_call(info, client, op, path, metadata, secrets, scratch))
                calls = {scenario: (scenario, name) for scenario, name in SCENARIO_CALLS[info.name].items()}
                calls.update(DEFECT_DEMONSTRATIONS.get(info.name, {}))
                for cassette_name, (scenario, name) in calls.items():
                    op = info.operations[name]
                    metadata = {
                        "venue": info.name,
                        "operation": name,
                        "arguments": arguments[name],
                        "scenario": scenario,
                        "recorded_from": "stand-in",
                    }
                    for _ in range(SCENARIO_REPEATS.get(scenario, 1)):
                        running.fail_next(info.standin, scenario)
                    path = scenario_cassette_path(info, cassette_name, scratch)
                    summary.outcomes.append(_record_call(info, client, op, path, metadata, secrets, scratch))
        if running.errors:
            raise RuntimeError(f"the stand-in failed internally: {running.errors!r}")
    for info in VENUES.values():
        target = root / info.name
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(scratch / info.name), str(target))
    shutil.rmtree(scratch, ignore_errors=True)
    return summary


# --- against the live venues ---------------------------------------------------------------------


class LiveRefused(Exception):
    """The live recording was asked for something it will not do (an unnamed write, an unknown name)."""


# Reads whose documented example would change something on a real account.
LIVE_ARGUMENT_CHANGES: dict[tuple[str, str], Mapping[str, Any]] = {
    # {"new": true} generates a new deposit address.
    ("kraken_spot", "get_deposit_addresses"): {"new": None},
}


def select_live_operations(info: VenueInfo, names: Sequence[str] = (), *, allow_writes: bool = False) -> list[str]:
    """The operations a live recording may call: reads only, unless writes are allowed and named one by one."""
    operations = info.operations
    unknown = [name for name in names if name not in operations]
    if unknown:
        raise LiveRefused(f"{info.name} has no operation {', '.join(unknown)}")
    if not names:
        if allow_writes:
            raise LiveRefused("ALLOW_WRITES=1 records only the write operations named in OPS=...; name them")
        return [name for name, op in operations.items() if op.read]
    writes = [name for name in names if not operations[name].read]
    if writes and not allow_writes:
        raise LiveRefused(
            f"{', '.join(writes)} place, amend or cancel orders or move funds on the live venue; "
            "they are only recorded with ALLOW_WRITES=1"
        )
    return list(names)


def live_arguments(info: VenueInfo, op: Operation) -> dict[str, Any]:
    raw, unsent = raw_arguments(info.standin, op)
    if unsent:
        raise LiveRefused(f"{op.name}: the facade cannot send {', '.join(unsent)}")
    changes = LIVE_ARGUMENT_CHANGES.get((info.name, op.name), {})
    body = raw.get("body")
    for name, value in changes.items():
        target = body if isinstance(body, dict) else raw
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return raw


def record_live(
    venue_name: str,
    names: Sequence[str] = (),
    *,
    allow_writes: bool = False,
    base_url: str | None = None,
    root: Path = CASSETTE_ROOT,
    environ: Mapping[str, str] = os.environ,
) -> Summary:
    """Record the selected operations against the venue (production unless ``base_url``), keys from ``environ``."""
    info = venue(venue_name)
    selected = select_live_operations(info, names, allow_writes=allow_writes)
    key, secret = environ.get(info.key_env) or None, environ.get(info.secret_env) or None
    if (key is None) != (secret is None):
        raise LiveRefused(f"set both {info.key_env} and {info.secret_env}, or neither (public reads only)")
    summary = Summary()
    secrets = tuple(s for s in (key, secret) if s)
    with info.facade(key, secret, base_url=base_url, retry=False, rate_limit=True, on_warning=lambda _: None) as client:
        for name in selected:
            op = info.operations[name]
            if op.private and key is None:
                print(f"skipped {name}: private, and {info.key_env}/{info.secret_env} are not set")
                continue
            if not op.read:
                print(f"WRITE: {name} is sent to the live venue because ALLOW_WRITES=1 and OPS names it")
            metadata = {
                "venue": info.name,
                "operation": name,
                "arguments": live_arguments(info, op),
                "recorded_from": "live",
            }
            path = live_cassette_path(info, name, root)
            summary.outcomes.append(_record_call(info, client, op, path, metadata, secrets, root))
    return summary


# --- command line ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m recording", description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", metavar="VENUE", choices=sorted(VENUES), help="record reads against this venue")
    parser.add_argument("--ops", default="", help="live: operation names, separated by spaces or commas")
    parser.add_argument("--allow-writes", action="store_true", help="live: allow the write operations named in --ops")
    parser.add_argument("--base-url", default=None, help="live: another base URL (a demo environment)")
    args = parser.parse_args(argv)
    try:
        if args.live:
            names = [name for name in args.ops.replace(",", " ").split() if name]
            summary = record_live(args.live, names, allow_writes=args.allow_writes, base_url=args.base_url)
        else:
            summary = record_standin()
    except LiveRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    summary.print()
    return 0
