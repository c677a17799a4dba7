"""Compare two API surface summaries (scripts/surface.py): what was added, removed, retyped and deprecated.

``make generate`` refuses a removal users can touch (an operation, parameter, model, field, enum or enum member
the committed summary has and the new one lacks) unless specs/removals.yaml acknowledges it with a reason;
additions and other changes are printed, never fatal. ``make check-upstream`` renders every change for review.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from _pipeline import SPECS, PipelineError, load_yaml

REMOVALS = SPECS / "removals.yaml"
DEPRECATED = "  (deprecated)"
KINDS = ("operation", "parameter", "model", "field", "enum", "member")
_PLURALS = {"parameter": "parameters", "member": "enum values", "model": "models", "enum": "enums"}


@dataclass(frozen=True)
class Change:
    kind: str
    key: str
    old: str | None  # the line's detail before (None: it did not exist)
    new: str | None  # and after (None: it is gone)

    @property
    def what(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        if self.new.endswith(DEPRECATED) and not self.old.endswith(DEPRECATED):
            return "deprecated"
        return "changed"

    @property
    def name(self) -> str:
        return f"{self.kind} {self.key}"


def parse(text: str) -> dict[tuple[str, str], str]:
    """``(kind, key) -> detail`` for every line of a summary."""
    entries = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, _, rest = line.partition(" ")
        key, _, detail = rest.partition(": ")
        if kind not in KINDS:
            raise PipelineError(
                f"{line[:80]!r} is not an API surface line: the summary predates this format or holds merge conflict "
                "markers. Restore one written by this scripts/surface.py (deleting it skips the removal check once)"
            )
        entries[(kind, key)] = detail
    return entries


def compare(old_text: str, new_text: str) -> list[Change]:
    old, new = parse(old_text), parse(new_text)
    changes = [Change(kind, key, old.get((kind, key)), new.get((kind, key))) for kind, key in old.keys() | new.keys()]
    return sorted((c for c in changes if c.old != c.new), key=lambda c: (KINDS.index(c.kind), c.key))


def _owner(change: Change) -> tuple[str, str] | None:
    """The operation, model or enum a parameter, field or member belongs to."""
    if change.kind == "parameter":
        return ("operation", change.key.split("(", 1)[0])
    if change.kind in ("field", "member"):
        return ("model" if change.kind == "field" else "enum", change.key.rsplit(".", 1)[0])
    return None


def _operation_model(change: Change, operations: set[str]) -> bool:
    """A model or enum named after a removed operation (``GetRecentSpreadsResponse``, ``GetOhlcDataInterval``)."""
    squashed = change.key.lower()
    return change.kind in ("model", "enum") and any(squashed.startswith(op.replace("_", "")) for op in operations)


def removals(changes: list[Change]) -> list[str]:
    """Removed things users can touch. What goes with a removed operation, model or enum is not listed again: its
    parameters, fields and members, and the models the naming step named after the operation."""
    removed = {(c.kind, c.key) for c in changes if c.what == "removed"}
    operations = {key for kind, key in removed if kind == "operation"}
    return [
        c.name
        for c in changes
        if c.what == "removed" and _owner(c) not in removed and not _operation_model(c, operations)
    ]


def unacknowledged(changes: list[Change], patterns: list[str]) -> list[str]:
    """The removals among ``changes`` that no acknowledged pattern covers."""
    return [name for name in removals(changes) if not any(fnmatchcase(name, pattern) for pattern in patterns)]


def acknowledgement_entries(names: list[str], indent: str) -> list[str]:
    """What to add to specs/removals.yaml for ``names``, the reason left for a human to write."""
    return [f'{indent}- {{removed: "{name}", reason: "..."}}' for name in names]


def load_acknowledgements(path: Path = REMOVALS) -> dict[str, list[str]]:
    """Package -> the removals (``fnmatch`` patterns over ``"<kind> <name>"``) acknowledged in ``path``."""
    if not path.exists():
        return {}
    data: Any = load_yaml(path) or {}
    found: dict[str, list[str]] = {}
    for package, entries in data.items():
        for entry in entries or ():
            if not isinstance(entry, dict) or not entry.get("removed") or len(str(entry.get("reason", ""))) < 10:
                raise PipelineError(f"{path.name}: {package}: every entry needs `removed` and a `reason`: {entry!r}")
            found.setdefault(package, []).append(str(entry["removed"]))
    return found


def removal_check(surfaces: dict[str, tuple[Path, str]], acknowledged: dict[str, list[str]]) -> list[str]:
    """Notes on what changed per package; raises naming every removal nobody acknowledged.

    ``surfaces`` maps a package to its committed summary file and the newly generated text."""
    notes, problems = [], []
    for package, (committed, text) in surfaces.items():
        if not committed.exists():
            notes.append(f"surface: {package}: no committed summary yet, nothing to compare")
            continue
        changes = compare(committed.read_text(encoding="utf-8"), text)
        gone = removals(changes)
        refused = unacknowledged(changes, acknowledged.get(package, []))
        if refused:
            problems += [f"  {package}:", *acknowledgement_entries(refused, "    ")]
        if changes:
            counts = {what: sum(1 for c in changes if c.what == what) for what in ("added", "changed", "deprecated")}
            counted = [f"{n} {what}" for what, n in counts.items() if n] + [
                f"{len(gone)} removed (acknowledged)"
            ] * bool(gone)
            notes.append(f"surface: {package}: {', '.join(counted)}")
            notes += [f"  {line}" for line in render(changes)]
    if problems:
        raise PipelineError(
            "the generated API lost things users can touch. If upstream really removed them, acknowledge each in "
            f"specs/{REMOVALS.name} with the reason users lose it:\n" + "\n".join(problems)
        )
    return notes


def render(changes: list[Change]) -> list[str]:
    """Changes grouped for review: ``operations added``, ``fields retyped``, ``enum values removed``, ...
    The parameters, fields and members of an operation, model or enum added or removed as a whole go with it."""
    whole = {(c.kind, c.key) for c in changes if c.what in ("added", "removed")}
    sections: dict[str, list[str]] = {}
    for change in changes:
        if _owner(change) in whole:
            continue
        what = "retyped" if change.what == "changed" and change.kind in ("parameter", "model", "field") else change.what
        title = f"{_PLURALS.get(change.kind, change.kind + 's')} {what}"
        if change.what == "added":
            line = f"{change.key}: {change.new}" if change.new else change.key
        elif change.what == "removed":
            line = f"{change.key}: {change.old}" if change.old else change.key
        else:
            line = f"{change.key}: {change.old}  ->  {change.new}"
        sections.setdefault(title, []).append(line)
    return [
        line for title, lines in sections.items() for line in (f"{title} ({len(lines)}):", *(f"  {x}" for x in lines))
    ]
