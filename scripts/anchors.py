"""Deterministic component keys for a bundled section, so that fixes can target stable anchors.

Redocly names a component hoisted from a file after the file's stem and numbers repeats in the order it meets
them (``recent``, ``recent-2``): an unrelated new upstream file can shift every number. Here each component is
traced back to where it came from, by walking the bundled document beside the upstream files it was made from,
and re-keyed from that alone:

* a component made from a whole file is keyed by the file's path relative to the section's entry document,
  without its extension, ``/`` written as ``.`` (``schemas/objects/user/orders/closed.yaml`` ->
  ``schemas.objects.user.orders.closed``);
* a component that upstream named (an entry under ``components``, or a named fragment such as
  ``_schemas.yml#/OrderJson``) keeps that name (``OrderJson``); only when two different fragments of one section
  share a name are they qualified by their file's key (``_schemas.OrderJson``).
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from _pipeline import PipelineError, load_yaml

Origin = tuple[Path, str]  # (file, JSON pointer inside it; "" for the whole file)
_COMPONENTS = "#/components/"


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class _Upstream:
    """The upstream files of one section, parsed once each."""

    def __init__(self) -> None:
        self._documents: dict[Path, Any] = {}

    def node(self, origin: Origin) -> Any:
        path, pointer = origin
        if path not in self._documents:
            self._documents[path] = load_yaml(path)
        node = self._documents[path]
        for token in filter(None, pointer.split("/")):
            node = node[int(token)] if isinstance(node, list) else node[_unescape(token)]
        return node


def component_origins(bundled: dict[str, Any], entry: Path) -> dict[tuple[str, str], set[Origin]]:
    """Where each bundled component came from, found by walking the bundle beside the upstream documents."""
    upstream = _Upstream()
    origins: dict[tuple[str, str], set[Origin]] = {}
    components = bundled.get("components", {})

    def walk(made: Any, source: Any, file: Path) -> None:
        if isinstance(source, dict) and isinstance(source.get("$ref"), str):
            part, _, pointer = source["$ref"].partition("#")
            target: Origin = ((file.parent / part).resolve() if part else file, pointer)
            ref = made.get("$ref") if isinstance(made, dict) else None
            if isinstance(ref, str) and ref.startswith(_COMPONENTS):
                kind, _, name = ref.removeprefix(_COMPONENTS).partition("/")
                key = (kind, _unescape(name))
                first_visit = key not in origins
                origins.setdefault(key, set()).add(target)
                if first_visit and key[1] in components.get(kind, {}):
                    walk(components[kind][key[1]], upstream.node(target), target[0])
            elif not isinstance(ref, str):  # inlined by the bundler: its content follows the target's
                walk(made, upstream.node(target), target[0])
            return
        if isinstance(source, dict) and isinstance(made, dict):
            for key, value in source.items():
                if key in made:
                    walk(made[key], value, file)
        elif isinstance(source, list) and isinstance(made, list) and len(source) == len(made):
            for made_item, source_item in zip(made, source, strict=True):
                walk(made_item, source_item, file)

    walk(bundled, upstream.node((entry.resolve(), "")), entry.resolve())
    return origins


def _file_key(path: Path, entry_dir: Path) -> str:
    relative = posixpath.relpath(path.as_posix(), entry_dir.as_posix())
    return posixpath.splitext(relative)[0].replace("/", ".")


def anchor_keys(origins: dict[tuple[str, str], set[Origin]], entry: Path) -> dict[tuple[str, str], str]:
    """The stable key of every traced component (``(kind, bundled name) -> key``)."""
    entry_dir = entry.resolve().parent
    wanted: dict[tuple[str, str], str] = {}
    for (kind, name), sources in origins.items():
        if len(sources) != 1:
            listed = ", ".join(sorted(f"{path.name}#{pointer}" for path, pointer in sources))
            raise PipelineError(f"the bundler merged different sources into components/{kind}/{name}: {listed}")
        ((path, pointer),) = sources
        tokens = [_unescape(token) for token in pointer.split("/") if token]
        wanted[(kind, name)] = tokens[-1] if tokens else _file_key(path, entry_dir)
    claimants: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for (kind, name), key in wanted.items():
        claimants.setdefault((kind, key), []).append((kind, name))
    for (_, key), names in claimants.items():
        if len(names) > 1:
            for clash in names:
                ((path, pointer),) = origins[clash]
                if pointer:
                    wanted[clash] = f"{_file_key(path, entry_dir)}.{key}"
    return wanted


def _rewrite_refs(node: Any, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in renames:
            node["$ref"] = renames[ref]
        for value in node.values():
            _rewrite_refs(value, renames)
    elif isinstance(node, list):
        for item in node:
            _rewrite_refs(item, renames)


def anchor_components(bundled: dict[str, Any], entry: Path) -> dict[str, Any]:
    """Re-key the bundled section's components by their origin (see the module docstring); returns it."""
    keys = anchor_keys(component_origins(bundled, entry), entry)
    components = bundled.get("components", {})
    refs: dict[str, str] = {}
    for kind, entries in components.items():
        renamed = {keys.get((kind, name), name): value for name, value in entries.items()}
        if len(renamed) != len(entries):
            raise PipelineError(f"two components/{kind} entries would share one anchor key; see scripts/anchors.py")
        components[kind] = dict(sorted(renamed.items()))
        for name in entries:
            key = keys.get((kind, name), name)
            if key != name:
                refs[f"{_COMPONENTS}{kind}/{_escape(name)}"] = f"{_COMPONENTS}{kind}/{_escape(key)}"
    _rewrite_refs(bundled, refs)
    return bundled
