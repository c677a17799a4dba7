"""Bundle each upstream entry into one self-contained document with named components, then merge
the sections of a package into one document whose paths carry their server's path prefix.

Bundling is Redocly CLI's ``bundle`` (pinned in package-lock.json): openapi-python-client cannot
follow references into other files, and bundling keeps component names, which become class names.
Each section's components are then re-keyed by where they came from (scripts/anchors.py), so the names
that fixes target do not depend on the bundler's numbering.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _pipeline import (
    BUNDLED_DIR,
    ROOT,
    UPSTREAM_DIR,
    Package,
    PipelineError,
    dump_yaml,
    load_yaml,
    packages_from_args,
    run_step,
)
from anchors import anchor_components

REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def redocly_bundle(source: Path, target: Path) -> None:
    if not REDOCLY.exists():
        raise PipelineError(f"{REDOCLY.relative_to(ROOT)} is missing: run `make install` (it runs `npm ci`)")
    if not source.is_file():
        raise PipelineError(f"{source} is missing: run `make specs` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    result = subprocess.run(
        [str(REDOCLY), "bundle", str(source), "--output", str(target)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0 or not target.is_file():
        raise PipelineError(f"redocly could not bundle {source}:\n{result.stdout}{result.stderr}")


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: renames.get(value, value)
            if key == "$ref" and isinstance(value, str)
            else _rewrite_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _apply_renames(document: dict[str, Any], section: str, renames: dict[str, dict[str, str]]) -> dict[str, Any]:
    ref_renames: dict[str, str] = {}
    components = document.get("components", {})
    for kind, names in renames.items():
        for old, new in names.items():
            if old not in components.get(kind, {}):
                raise PipelineError(f"rename {section}:{kind}/{old} matches nothing: the upstream changed, review it")
            components[kind] = {new if key == old else key: value for key, value in components[kind].items()}
            ref_renames[f"#/components/{kind}/{old}"] = f"#/components/{kind}/{new}"
    renamed: dict[str, Any] = _rewrite_refs(document, ref_renames)
    return renamed


def inline_example_files(node: Any, base: Path) -> None:
    """Replace examples given as ``{$ref: ./file.yaml}`` with the file's content.

    Redocly resolves ``$ref`` where the spec allows one, but an Example Object's ``value`` is literal data, so
    a ``$ref`` there survives bundling as a meaningless object (Kraken Spot's AddOrder examples do this).
    """
    if isinstance(node, dict):
        for key, value in node.items():
            ref = value.get("$ref") if isinstance(value, dict) and key in ("value", "example") else None
            if isinstance(ref, str) and len(value) == 1 and not ref.startswith("#"):
                target = (base / ref).resolve()
                if not target.is_file():
                    raise PipelineError(f"example file {ref} (relative to {base}) is missing: is it pinned?")
                node[key] = load_yaml(target)
            else:
                inline_example_files(value, base)
    elif isinstance(node, list):
        for item in node:
            inline_example_files(item, base)


def drop_error_branches(node: Any, error_ref: str) -> None:
    """Drop ``error_ref`` from every ``oneOf`` (and collapse one left): the overlay raises on error bodies
    before parsing, and without this every success would be typed ``Success | ErrorResponse``."""
    if isinstance(node, dict):
        members = node.get("oneOf")
        if isinstance(members, list) and {"$ref": error_ref} in members:
            kept = [member for member in members if member != {"$ref": error_ref}]
            del node["oneOf"]
            if len(kept) == 1:
                node.update(kept[0])
            else:
                node["oneOf"] = kept
        for value in node.values():
            drop_error_branches(value, error_ref)
    elif isinstance(node, list):
        for item in node:
            drop_error_branches(item, error_ref)


def merge_sections(package: Package, documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge bundled section documents; identical components are shared, different ones must be renamed."""
    first = next(iter(documents.values()))
    merged: dict[str, Any] = {
        "openapi": first["openapi"],
        "info": copy.deepcopy(first["info"]),
        "servers": [{"url": package.base_url}],
        "tags": [],
        "paths": {},
        "components": {},
    }
    component_origin: dict[tuple[str, str], str] = {}
    for section, raw in documents.items():
        document = _apply_renames(copy.deepcopy(raw), section, package.renames.get(section, {}))
        prefix = urlsplit(document["servers"][0]["url"]).path.rstrip("/")
        global_security = document.get("security")
        for path, item in document["paths"].items():
            full = prefix + path
            if full in merged["paths"]:
                raise PipelineError(f"{package.name}: path {full} is defined by two sections")
            for method in _HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                if global_security is not None:
                    operation.setdefault("security", global_security)
                if "servers" in operation:
                    # The generator ignores operation servers; keep what upstream said for readers.
                    operation["x-upstream-servers"] = operation.pop("servers")
            merged["paths"][full] = item
        known_tags = {tag["name"] for tag in merged["tags"]}
        merged["tags"].extend(tag for tag in document.get("tags", []) if tag["name"] not in known_tags)
        for kind, entries in document.get("components", {}).items():
            target = merged["components"].setdefault(kind, {})
            for name, value in entries.items():
                if name in target and target[name] != value:
                    if name in package.same_as_first.get(kind, ()):
                        continue
                    owner = component_origin[(kind, name)]
                    raise PipelineError(
                        f"{package.name}: components/{kind}/{name} differs between sections {owner!r} and "
                        f"{section!r}; add a rename for one of them under `renames` in specs/pipeline.yaml"
                    )
                target[name] = value
                component_origin.setdefault((kind, name), section)
    merged["info"]["title"] = f"{package.name} (merged: {', '.join(documents)})"
    return merged


def bundle_package(package: Package, upstream: Path, out_dir: Path) -> Path:
    target = out_dir / f"{package.name}.yaml"
    if package.local_spec:
        source = ROOT / package.local_spec
        if not source.is_file():
            raise PipelineError(f"{package.local_spec} is missing")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target
    documents: dict[str, dict[str, Any]] = {}
    for section in package.sections:
        section_file = out_dir / package.name / f"{section.name}.yaml"
        redocly_bundle(upstream / section.path, section_file)
        documents[section.name] = anchor_components(load_yaml(section_file), upstream / section.path)
        inline_example_files(documents[section.name], (upstream / section.path).parent)
    if len(documents) == 1 and package.base_url is None:
        document = next(iter(documents.values()))
    else:
        document = merge_sections(package, documents)
    if package.error_schema:
        drop_error_branches(document, package.error_schema)
    dump_yaml(document, target)
    return target


def main(argv: list[str]) -> None:
    for package in packages_from_args(argv, __doc__):
        target = bundle_package(package, UPSTREAM_DIR, BUNDLED_DIR)
        print(f"bundle: {package.name} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    run_step(main)
