"""Merging sections and naming components: clashes are resolved deliberately, names are readable."""

from __future__ import annotations

from typing import Any

import pytest

from _pipeline import Package, PipelineError, Section
from bundle_specs import drop_error_branches, merge_sections
from name_components import name_components, pascal_case


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


def test_inline_bodies_and_responses_are_named_after_the_operation() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/private/AddOrder": {
                "post": {
                    "operationId": "addOrder",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/add"}}}},
                    "responses": {"200": {"content": {"application/json": {"schema": {"properties": {"result": {}}}}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "add": {"title": "Add Standard Order Request Body", "properties": {}},
                "info-3": {"title": "LedgerEntry"},
            }
        },
    }
    name_components(doc)
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == ["AddOrderRequest", "AddOrderResponse", "LedgerEntry"]
    assert all("title" not in schema for schema in schemas.values())
    operation = doc["paths"]["/private/AddOrder"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AddOrderResponse"
    }


@pytest.mark.parametrize(
    ("raw", "expected"), [("info-3", "Info3"), ("getOHLCData", "GetOHLCData"), ("nonce_only", "NonceOnly")]
)
def test_pascal_case(raw: str, expected: str) -> None:
    assert pascal_case(raw) == expected
