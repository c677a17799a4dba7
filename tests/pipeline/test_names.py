"""Naming: operation-based names, file stems and titles for the rest, nested models without generator artifacts."""

from __future__ import annotations

from typing import Any

import pytest

from _pipeline import PipelineError
from name_components import name_components
from nested_models import MAX_LENGTH

REF = "#/components/schemas/"


def _document(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"paths": paths or {}, "components": {"schemas": schemas}}


def _answering(operation_id: str, ref: str) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": REF + ref}}}
    return {"post": {"operationId": operation_id, "responses": {"200": {"content": content}}}}


def test_inline_bodies_and_responses_are_named_after_the_operation() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/private/AddOrder": {
                "post": {
                    "operationId": "addOrder",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": REF + "schemas.requests.add"}}}
                    },
                    "responses": {"200": {"content": {"application/json": {"schema": {"properties": {"result": {}}}}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "schemas.requests.add": {"title": "Add Standard Order Request Body", "properties": {}},
                "schemas.objects.ledger": {"title": "LedgerEntry"},
            }
        },
    }
    name_components(doc)
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == ["AddOrderRequest", "AddOrderResponse", "LedgerEntry"]
    assert all("title" not in schema for schema in schemas.values())
    operation = doc["paths"]["/private/AddOrder"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": REF + "AddOrderResponse"}


def test_titles_win_then_stems_qualified_by_folders_until_unique() -> None:
    doc = _document(
        {
            "schemas.objects.public.trade": {"title": "TickData", "type": "array"},
            "schemas.objects.public.tickData": {"title": "TickData", "type": "array"},
            "schemas.objects.user.trades.trade": {"title": "Trade", "type": "object"},
            "schemas.objects.funding.deposit": {"title": "deposit", "type": "object"},
            "OrderJson": {"title": "Something else", "type": "object"},
        }
    )
    name_components(doc)
    assert sorted(doc["components"]["schemas"]) == ["Deposit", "OrderJson", "PublicTrade", "TickData", "Trade"]


def test_names_listed_in_the_pipeline_win_and_a_stale_one_fails() -> None:
    answer = {"type": "object", "properties": {"count": {"type": "integer"}}}
    doc = _document(
        {"schemas.responses.cancel": answer}, {"/CancelAll": _answering("cancelAll", "schemas.responses.cancel")}
    )
    name_components(doc, {"schemas.responses.cancel": "CancelOrderResponse"})  # even when one operation uses it
    assert list(doc["components"]["schemas"]) == ["CancelOrderResponse"]
    with pytest.raises(PipelineError, match=r"do not exist: \['schemas.gone'\]"):
        name_components(_document({}), {"schemas.gone": "Gone"})


def _named(schema: dict[str, Any]) -> dict[str, Any]:
    doc = _document({"Top": schema})
    name_components(doc)
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def test_nested_objects_get_components_named_like_the_generator_would_without_type0_or_items_item() -> None:
    schemas = _named(
        {
            "type": "object",
            "properties": {
                "result": {
                    "nullable": True,
                    "description": "the envelope's result",
                    "properties": {"items": {"type": "array", "items": {"properties": {"a": {"type": "string"}}}}},
                }
            },
        }
    )
    assert sorted(schemas) == ["Top", "TopResult", "TopResultItem"]
    assert schemas["Top"]["properties"]["result"] == {"allOf": [{"$ref": REF + "TopResult"}], "nullable": True}
    assert schemas["TopResult"]["properties"]["items"]["items"] == {"$ref": REF + "TopResultItem"}
    assert schemas["TopResult"]["description"] == "the envelope's result"


def test_openapi_31_nullable_object_becomes_a_union_with_null() -> None:
    schemas = _named({"type": "object", "properties": {"cred": {"type": ["object", "null"], "properties": {}}}})
    assert schemas["Top"]["properties"]["cred"] == {"oneOf": [{"$ref": REF + "TopCred"}, {"type": "null"}]}
    assert schemas["TopCred"]["type"] == "object"


def test_union_members_are_told_apart_by_a_constant_then_by_their_one_required_property() -> None:
    def member(kind: str) -> dict[str, Any]:
        return {"type": "object", "properties": {"type": {"type": "string", "enum": [kind]}}}

    def wrapper(name: str) -> dict[str, Any]:
        return {"type": "object", "required": [name], "properties": {name: {"type": "string"}}}

    schemas = _named(
        {
            "type": "object",
            "properties": {
                "lock_type": {"oneOf": [member("flex"), member("bonded")]},
                "event": {"oneOf": [wrapper("OrderPlaced"), wrapper("OrderCancelled")]},
                "only": {"oneOf": [{"type": "string"}, {"type": "object", "properties": {}}]},
            },
        }
    )
    assert {"TopLockTypeFlex", "TopLockTypeBonded", "TopEventOrderPlaced", "TopEventOrderCancelled"} <= set(schemas)
    assert "TopOnly" in schemas  # the only object member takes the union's name


def test_enums_move_only_when_the_generator_would_name_them_badly() -> None:
    enum = {"type": "string", "enum": ["a", "b"]}
    schemas = _named(
        {
            "type": "object",
            "properties": {
                "plain": dict(enum),
                "lock_type": {"nullable": True, "type": "array", "items": dict(enum)},
            },
        }
    )
    assert schemas["Top"]["properties"]["plain"] == enum  # TopPlain either way: stays inline
    assert schemas["Top"]["properties"]["lock_type"]["items"] == {"$ref": REF + "TopLockTypeItem"}  # not ...Type0Item


def test_a_name_over_the_limit_keeps_the_root_and_the_last_two_segments() -> None:
    deep: dict[str, Any] = {"type": "object", "properties": {"converted": {"type": "string"}}}
    for name in ("allocations_list", "unbonding_amounts", "amount_allocated_now", "entries_of_the_account"):
        deep = {"type": "object", "properties": {name: deep}}
    schemas = _named(deep)
    assert max(len(name) for name in schemas) <= MAX_LENGTH
    assert "TopUnbondingAmountsAllocationsList" in schemas
