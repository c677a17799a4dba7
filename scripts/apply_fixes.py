"""Apply our committed fix documents (OpenAPI Overlay 1.0) to a bundled spec.

Each action names one upstream defect (``x-fix``) and says why (``description``). An action whose
JSONPath ``target`` matches nothing fails the build: the upstream changed and the fix must be reviewed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpath_rfc9535 as jsonpath

from _pipeline import (
    BUNDLED_DIR,
    FIXED_DIR,
    ROOT,
    PipelineError,
    dump_yaml,
    load_yaml,
    packages_from_args,
    run_step,
)


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
    return actions


def apply_overlay(document: dict[str, Any], overlay: Any, name: str) -> list[str]:
    """Apply every action in order (mutating ``document``); return the names of the fixes applied."""
    applied = []
    for action in _check_overlay(overlay, name):
        fix = action["x-fix"]
        try:
            nodes = list(jsonpath.find(action["target"], document))
        except jsonpath.JSONPathError as exc:
            raise PipelineError(f"{name}: fix {fix!r} has an invalid target {action['target']!r}: {exc}") from None
        if not nodes:
            raise PipelineError(
                f"{name}: fix {fix!r} is stale: its target {action['target']} matches nothing in the spec. "
                "The upstream changed; review the fix and update or delete it."
            )
        if action.get("remove"):
            # Remove deepest/last first so earlier array indices stay valid.
            for node in sorted(nodes, key=lambda n: n.location, reverse=True):
                parent = _container_at(document, node.location[:-1])
                del parent[node.location[-1]]
        else:
            for node in nodes:
                if isinstance(node.value, dict) and isinstance(action["update"], dict):
                    _deep_merge(node.value, action["update"])
                elif isinstance(node.value, list):
                    node.value.append(copy.deepcopy(action["update"]))
                else:
                    raise PipelineError(
                        f"{name}: fix {fix!r} targets a {type(node.value).__name__} at {node.path()}; "
                        "`update` needs an object or array target"
                    )
        applied.append(fix)
    return applied


def main(argv: list[str]) -> None:
    for package in packages_from_args(argv, __doc__):
        document = load_yaml(BUNDLED_DIR / f"{package.name}.yaml")
        applied: list[str] = []
        for fix_file in package.fixes:
            path = ROOT / fix_file
            applied += apply_overlay(document, load_yaml(path), str(Path(fix_file)))
        dump_yaml(document, FIXED_DIR / f"{package.name}.yaml")
        print(f"fixes: {package.name}: {len(applied)} applied")


if __name__ == "__main__":
    run_step(main)
