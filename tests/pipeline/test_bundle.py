"""Bundling: components keyed by where they came from, sections merged, clashes resolved deliberately."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from _pipeline import Package, PipelineError, Section
from anchors import anchor_components
from bundle_specs import drop_error_branches, merge_sections, redocly_bundle


def _section(server: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "x", "version": "1"},
        "servers": [{"url": f"https://futures.example{server}"}],
        "paths": {"/ping": {"get": {"operationId": f"ping{server.count('/')}", "responses": {}}}},
        "components": {"schemas": {"Account": schema}},
    }


def _package(**extra: Any) -> Package:
    return Package(
        name="p", sections=(Section("a", "a.yml"), Section("b", "b.yml")), fixes=(), base_url="https://x", **extra
    )


def test_paths_carry_their_server_prefix() -> None:
    merged = merge_sections(
        _package(), {"a": _section("/api/a/v1", {"type": "object"}), "b": _section("/api/b", {"type": "object"})}
    )
    assert sorted(merged["paths"]) == ["/api/a/v1/ping", "/api/b/ping"]
    assert merged["servers"] == [{"url": "https://x"}]
    assert list(merged["components"]["schemas"]) == ["Account"]  # identical definitions are shared


def test_unresolved_component_clash_is_refused() -> None:
    sections = {"a": _section("/a", {"type": "object"}), "b": _section("/b", {"type": "string"})}
    with pytest.raises(PipelineError, match=r"components/schemas/Account differs between sections 'a' and 'b'"):
        merge_sections(_package(), sections)


def test_rename_resolves_a_clash_and_rewrites_references() -> None:
    b = _section("/b", {"type": "string"})
    b["components"]["schemas"]["User"] = {"properties": {"acct": {"$ref": "#/components/schemas/Account"}}}
    package = _package(renames={"b": {"schemas": {"Account": "BAccount"}}})
    merged = merge_sections(package, {"a": _section("/a", {"type": "object"}), "b": b})
    schemas = merged["components"]["schemas"]
    assert schemas["Account"] == {"type": "object"}
    assert schemas["BAccount"] == {"type": "string"}
    assert schemas["User"]["properties"]["acct"] == {"$ref": "#/components/schemas/BAccount"}


def test_rename_that_matches_nothing_is_stale() -> None:
    package = _package(renames={"b": {"schemas": {"Gone": "X"}}})
    with pytest.raises(PipelineError, match="matches nothing"):
        merge_sections(package, {"a": _section("/a", {}), "b": _section("/b", {})})


def test_error_branch_is_dropped_from_success_unions() -> None:
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    node = {"schema": {"oneOf": [{"properties": {"ok": {}}}, error]}}
    drop_error_branches(node, error["$ref"])
    assert node == {"schema": {"properties": {"ok": {}}}}


def _write(root: Path, files: dict[str, Any]) -> None:
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def _entry(paths: dict[str, str]) -> dict[str, Any]:
    """An entry document with one GET per path, answering the schema file given for it."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1"},
        "paths": {
            path: {
                "get": {
                    "operationId": path.strip("/"),
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}
                    },
                }
            }
            for path, ref in paths.items()
        },
    }


def _bundle(tmp_path: Path, paths: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
    _write(tmp_path, {"api/entry.yaml": _entry(paths), **files})
    redocly_bundle(tmp_path / "api" / "entry.yaml", tmp_path / "bundled.yaml")
    bundled: dict[str, Any] = yaml.safe_load((tmp_path / "bundled.yaml").read_text(encoding="utf-8"))
    return anchor_components(bundled, tmp_path / "api" / "entry.yaml")


FILES = {
    "api/schemas/orders/recent.yaml": {"type": "object", "properties": {"order": {"$ref": "../common.yaml#/Named"}}},
    "api/schemas/deposits/recent.yaml": {"type": "object", "properties": {"deposit": {"type": "string"}}},
    "api/schemas/common.yaml": {"Named": {"type": "object", "properties": {"id": {"type": "string"}}}},
}


def test_components_are_keyed_by_the_file_they_came_from(tmp_path: Path) -> None:
    bundled = _bundle(
        tmp_path, {"/orders": "./schemas/orders/recent.yaml", "/deposits": "./schemas/deposits/recent.yaml"}, FILES
    )
    schemas = bundled["components"]["schemas"]
    assert sorted(schemas) == ["Named", "schemas.deposits.recent", "schemas.orders.recent"]
    assert schemas["schemas.orders.recent"]["properties"]["order"] == {"$ref": "#/components/schemas/Named"}
    response = bundled["paths"]["/deposits"]["get"]["responses"]["200"]["content"]["application/json"]
    assert response["schema"] == {"$ref": "#/components/schemas/schemas.deposits.recent"}


def test_a_new_file_that_shifts_the_bundlers_numbers_changes_no_key(tmp_path: Path) -> None:
    """Redocly numbers same-stem files in the order it meets them: a new one met first renumbers the others."""
    paths = {"/orders": "./schemas/orders/recent.yaml", "/deposits": "./schemas/deposits/recent.yaml"}
    before = _bundle(tmp_path / "before", paths, FILES)
    raw_before = yaml.safe_load((tmp_path / "before" / "bundled.yaml").read_text(encoding="utf-8"))
    shifted = {"/aaa": "./schemas/aaa/recent.yaml", **paths}
    files = {**FILES, "api/schemas/aaa/recent.yaml": {"type": "object", "properties": {"a": {"type": "integer"}}}}
    after = _bundle(tmp_path / "after", shifted, files)
    raw_after = yaml.safe_load((tmp_path / "after" / "bundled.yaml").read_text(encoding="utf-8"))
    assert raw_before["components"]["schemas"]["recent-2"] != raw_after["components"]["schemas"]["recent-2"]
    for key, schema in before["components"]["schemas"].items():
        assert after["components"]["schemas"][key] == schema
    assert "schemas.aaa.recent" in after["components"]["schemas"]


def test_named_fragments_that_clash_are_qualified_by_their_file(tmp_path: Path) -> None:
    files = {
        **FILES,
        "api/schemas/deposits/recent.yaml": {"type": "object", "properties": {"d": {"$ref": "../other.yaml#/Named"}}},
        "api/schemas/other.yaml": {"Named": {"type": "string"}},
    }
    bundled = _bundle(
        tmp_path, {"/orders": "./schemas/orders/recent.yaml", "/deposits": "./schemas/deposits/recent.yaml"}, files
    )
    assert {"schemas.common.Named", "schemas.other.Named"} <= set(bundled["components"]["schemas"])
