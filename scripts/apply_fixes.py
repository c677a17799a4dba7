"""Apply our committed fix documents (OpenAPI Overlay 1.0) to a bundled spec, and judge every fix.

Each action names one upstream defect (``x-fix``) and says why (``description``). Every action ends in one of:

* changed: it matched and changed the document;
* no-op: it matched, but the document already says what it would write (upstream corrected the defect);
* gone: what it removes, or the defect its filter selects, is no longer there although the place still is;
* stale: its target matches nothing where it must, so upstream changed shape and the fix must be reviewed.
  An ``update`` that would add a component upstream now defines differently, or merge over a whole component
  that differs from the one the fix was written against (``x-target-sha256``), is stale too.

A fix is stale if any action is, redundant if none changed anything. A normal build fails on every stale or
redundant fix and names them all at once; ``--report-only`` (used by check-upstream) only reports redundancy and
skips stale actions, so the rest of the pipeline can still show what upstream changed. Every verdict is written
to specs/build/fixes.json.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import jsonpath_rfc9535 as jsonpath
from jsonpath_rfc9535.selectors import FilterSelector

from _pipeline import (
    BUILD,
    BUNDLED_DIR,
    FIXED_DIR,
    ROOT,
    PipelineError,
    dump_yaml,
    load_yaml,
    run_step,
    select_packages,
)

FIXES_REPORT = BUILD / "fixes.json"
DIGEST_KEY = "x-target-sha256"
_DIGEST_LENGTH = 16


@dataclass(frozen=True)
class ActionResult:
    index: int
    target: str
    status: str  # changed | no-op | gone | stale
    detail: str = ""


@dataclass(frozen=True)
class FixVerdict:
    """One named fix (all actions of one ``x-fix`` in one file) and what became of it."""

    package: str
    file: str
    fix: str
    actions: tuple[ActionResult, ...]

    @property
    def status(self) -> str:
        statuses = {action.status for action in self.actions}
        if "stale" in statuses:
            return "stale"
        if "changed" not in statuses:
            return "redundant"
        return "partly redundant" if statuses != {"changed"} else "applied"

    def describe(self) -> str:
        lines = [f"{self.file}: fix {self.fix!r} is {self.status}"]
        lines += [
            f"    action {action.index} ({action.status}): {action.target}"
            + (f": {action.detail}" if action.detail else "")
            for action in self.actions
            if action.status != "changed"
        ]
        return "\n".join(lines)


def digest(node: Any) -> str:
    """A short fingerprint of a document part, as ``x-target-sha256`` records it."""
    canonical = json.dumps(node, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]


def _deep_merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _container_at(root: Any, location: tuple[str | int, ...]) -> Any:
    node = root
    for step in location:
        node = node[step]
    return node


def _check_overlay(overlay: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(overlay, dict) or not str(overlay.get("overlay", "")).startswith("1."):
        raise PipelineError(f"{name}: not an OpenAPI Overlay 1.x document (needs `overlay: 1.0.0`)")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise PipelineError(f"{name}: `actions` must be a non-empty list")
    for index, action in enumerate(actions):
        label = f"{name}: action {index}"
        if not isinstance(action, dict) or not isinstance(action.get("target"), str):
            raise PipelineError(f"{label}: needs a JSONPath `target`")
        if not action.get("x-fix") or not action.get("description"):
            raise PipelineError(f"{label} ({action['target']}): every fix needs a name (`x-fix`) and a reason")
        if ("update" in action) == bool(action.get("remove")):
            raise PipelineError(f"{label} ({action['x-fix']}): give exactly one of `update` or `remove: true`")
        try:
            jsonpath.compile(action["target"])
        except jsonpath.JSONPathError as exc:
            raise PipelineError(f"{label}: fix {action['x-fix']!r} has an invalid target: {exc}") from None
    return actions


def _where_it_looks(target: str, *, filters_only: bool) -> str | None:
    """The query for the place a target looks in: the part before its last filter selector, or (unless
    ``filters_only``) its parent. None when there is no such place to look at."""
    segments = jsonpath.compile(target).segments
    cut = next(
        (
            i
            for i in range(len(segments) - 1, -1, -1)
            if any(isinstance(s, FilterSelector) for s in segments[i].selectors)
        ),
        None,
    )
    if cut is None:
        if filters_only or not segments:
            return None
        cut = len(segments) - 1
    return "$" + "".join(str(segment) for segment in segments[:cut])


def _unmatched(document: dict[str, Any], action: dict[str, Any], index: int) -> ActionResult:
    place = _where_it_looks(action["target"], filters_only="update" in action)
    if place is not None and jsonpath.find(place, document):
        what = "the defect it selects" if "update" in action else "what it removes"
        return ActionResult(index, action["target"], "gone", f"{what} is no longer there")
    hint = _close_component_keys(action["target"], document)
    return ActionResult(index, action["target"], "stale", "matches nothing" + hint)


def _close_component_keys(target: str, document: dict[str, Any]) -> str:
    """For a target naming a component that does not exist, the keys that look like it."""
    keys = [key for entries in document.get("components", {}).values() for key in entries]
    quoted = [part.split("'")[1] for part in target.split("[")[1:] if part.startswith("'")]
    missing = [name for name in quoted if name not in keys and "." in name]
    close = [match for name in missing for match in difflib.get_close_matches(name, keys, n=3, cutoff=0.6)]
    return f" (components with a similar key: {', '.join(close)})" if close else ""


def _update(document: dict[str, Any], node: Any, action: dict[str, Any], index: int) -> ActionResult:
    update, target = action["update"], action["target"]
    location = node.location
    if isinstance(node.value, list):
        if update in node.value:
            return ActionResult(index, target, "no-op")
        node.value.append(copy.deepcopy(update))
        return ActionResult(index, target, "changed")
    if not isinstance(node.value, dict) or not isinstance(update, dict):
        raise PipelineError(
            f"fix {action['x-fix']!r} targets a {type(node.value).__name__} at {node.path()}; "
            "`update` needs an object or array target"
        )
    if len(location) == 2 and location[0] == "components":  # adding components: never over upstream's own
        clashes = sorted(key for key in update if key in node.value and node.value[key] != update[key])
        if clashes:
            where = ", ".join(f"components/{location[1]}/{key}" for key in clashes)
            return ActionResult(index, target, "stale", f"upstream now defines {where}: compare, then rename or drop")
    if len(location) == 3 and location[0] == "components":  # merging over a whole component
        actual = digest(node.value)
        expected = action.get(DIGEST_KEY)
        if expected != actual:
            said = f"it was written against {expected}" if expected else f"it records no `{DIGEST_KEY}`"
            return ActionResult(
                index, target, "stale",
                f"merges over the whole component {location[2]!r} (now {DIGEST_KEY}: {actual}); {said}. Review "
                "the component against the fix, then record the digest",
            )  # fmt: skip
    before = copy.deepcopy(node.value)
    _deep_merge(node.value, update)
    return ActionResult(index, target, "no-op" if node.value == before else "changed")


def apply_overlay(document: dict[str, Any], overlay: Any, name: str, package: str = "") -> list[FixVerdict]:
    """Apply every action in order (mutating ``document``, skipping stale ones); return the verdict per fix."""
    results: dict[str, list[ActionResult]] = {}
    for index, action in enumerate(_check_overlay(overlay, name)):
        nodes = list(jsonpath.find(action["target"], document))
        if not nodes:
            result = _unmatched(document, action, index)
        elif action.get("remove"):
            # Remove deepest/last first so earlier array indices stay valid.
            for node in sorted(nodes, key=lambda n: n.location, reverse=True):
                del _container_at(document, node.location[:-1])[node.location[-1]]
            result = ActionResult(index, action["target"], "changed")
        else:
            outcomes = [_update(document, node, action, index) for node in nodes]
            result = next((o for o in outcomes if o.status == "stale"), None) or next(
                (o for o in outcomes if o.status == "changed"), outcomes[0]
            )
        results.setdefault(action["x-fix"], []).append(result)
    return [FixVerdict(package, name, fix, tuple(actions)) for fix, actions in results.items()]


def judge(verdicts: list[FixVerdict], *, report_only: bool) -> list[str]:
    """Warnings to print; raises one PipelineError naming every stale (and, in a build, redundant) fix."""
    stale = [v.describe() for v in verdicts if v.status == "stale"]
    redundant = [v.describe() for v in verdicts if v.status in ("redundant", "partly redundant")]
    if report_only:
        return stale + redundant
    if stale or redundant:
        parts = []
        if stale:
            parts.append(
                f"{len(stale)} stale fix(es): upstream changed where they apply; review each and update or delete it"
            )
        if redundant:
            parts.append(f"{len(redundant)} redundant fix(es): upstream corrected the defect; delete them")
        raise PipelineError("; ".join(parts) + ":\n  " + "\n  ".join(stale + redundant))
    return []


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("packages", nargs="*", help="package names (default: all)")
    parser.add_argument("--report-only", action="store_true", help="report stale and redundant fixes, do not fail")
    args = parser.parse_args(argv)
    verdicts: list[FixVerdict] = []
    for package in select_packages(args.packages):
        document = load_yaml(BUNDLED_DIR / f"{package.name}.yaml")
        found: list[FixVerdict] = []
        for fix_file in package.fixes:
            found += apply_overlay(document, load_yaml(ROOT / fix_file), fix_file, package.name)
        dump_yaml(document, FIXED_DIR / f"{package.name}.yaml")
        applied = sum(1 for verdict in found if verdict.status == "applied")
        print(f"fixes: {package.name}: {applied} of {len(found)} applied")
        verdicts += found
    FIXES_REPORT.parent.mkdir(parents=True, exist_ok=True)
    FIXES_REPORT.write_text(
        json.dumps([{**asdict(v), "status": v.status} for v in verdicts], indent=2) + "\n", encoding="utf-8"
    )
    for warning in judge(verdicts, report_only=args.report_only):
        print(f"warning: {warning}")


if __name__ == "__main__":
    run_step(main)
