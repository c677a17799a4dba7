"""Fix documents (OpenAPI Overlay 1.0) apply exactly, and a stale fix fails the build."""

from __future__ import annotations

from typing import Any

import pytest

from _pipeline import ROOT, PipelineError, load_packages, load_yaml
from apply_fixes import apply_overlay


def _overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


def _doc() -> dict[str, Any]:
    return {
        "components": {
            "schemas": {
                "A": {"type": "object", "required": ["nonce", "x"], "properties": {"x": {"type": "ISO"}}},
                "B": {"type": "object", "required": ["nonce"]},
            }
        }
    }


def test_update_merges_into_every_match() -> None:
    doc = _doc()
    fix = {
        "x-fix": "t",
        "description": "why",
        "target": "$.components.schemas.A.properties.x",
        "update": {"type": "string"},
    }
    assert apply_overlay(doc, _overlay(fix), "f") == ["t"]
    assert doc["components"]["schemas"]["A"]["properties"]["x"] == {"type": "string"}


def test_remove_deletes_every_match_including_array_items() -> None:
    doc = _doc()
    fix = {"x-fix": "n", "description": "why", "target": "$..required[?@ == 'nonce']", "remove": True}
    apply_overlay(doc, _overlay(fix), "f")
    assert doc["components"]["schemas"]["A"]["required"] == ["x"]
    assert doc["components"]["schemas"]["B"]["required"] == []


def test_stale_fix_fails_and_names_itself() -> None:
    fix = {"x-fix": "gone-upstream", "description": "why", "target": "$.paths['/nope']", "update": {"a": 1}}
    with pytest.raises(PipelineError, match=r"fix 'gone-upstream' is stale"):
        apply_overlay(_doc(), _overlay(fix), "f")


@pytest.mark.parametrize(
    ("action", "complaint"),
    [
        ({"target": "$.a", "update": {}, "description": "why"}, "needs a name"),
        ({"target": "$.a", "update": {}, "x-fix": "n"}, "needs a name"),
        ({"x-fix": "n", "description": "why", "target": "$.a"}, "exactly one of"),
        ({"x-fix": "n", "description": "why", "update": {}}, "JSONPath `target`"),
    ],
)
def test_malformed_fix_document_is_refused(action: dict[str, Any], complaint: str) -> None:
    with pytest.raises(PipelineError, match=complaint):
        apply_overlay(_doc(), _overlay(action), "f")


def test_document_that_is_not_an_overlay_is_refused() -> None:
    with pytest.raises(PipelineError, match="not an OpenAPI Overlay"):
        apply_overlay(_doc(), {"openapi": "3.0.0"}, "f")


def test_invalid_jsonpath_is_refused() -> None:
    fix = {"x-fix": "n", "description": "why", "target": "$[?", "remove": True}
    with pytest.raises(PipelineError, match="invalid target"):
        apply_overlay(_doc(), _overlay(fix), "f")


def test_every_committed_fix_names_a_reason() -> None:
    for package in load_packages():
        for fix_file in package.fixes:
            for action in load_yaml(ROOT / fix_file)["actions"]:
                assert action["x-fix"]
                assert len(action["description"]) > 10
