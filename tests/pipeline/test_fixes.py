"""Fix documents (OpenAPI Overlay 1.0) apply exactly, and every fix is judged: applied, redundant or stale."""

from __future__ import annotations

from typing import Any

import pytest

from _pipeline import ROOT, PipelineError, load_packages, load_yaml
from apply_fixes import DIGEST_KEY, FixVerdict, apply_overlay, digest, judge


def _overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


def _fix(name: str, target: str, **change: Any) -> dict[str, Any]:
    return {"x-fix": name, "description": "why it is needed", "target": target, **change}


def _doc() -> dict[str, Any]:
    return {
        "components": {
            "schemas": {
                "A": {"type": "object", "required": ["nonce", "x"], "properties": {"x": {"type": "ISO"}}},
                "B": {"type": "object", "required": ["nonce"]},
            }
        }
    }


def _statuses(verdicts: list[FixVerdict]) -> dict[str, str]:
    return {verdict.fix: verdict.status for verdict in verdicts}


def test_update_merges_into_every_match() -> None:
    doc = _doc()
    verdicts = apply_overlay(
        doc, _overlay(_fix("t", "$.components.schemas.A.properties.x", update={"type": "string"})), "f"
    )
    assert _statuses(verdicts) == {"t": "applied"}
    assert doc["components"]["schemas"]["A"]["properties"]["x"] == {"type": "string"}


def test_remove_deletes_every_match_including_array_items() -> None:
    doc = _doc()
    apply_overlay(doc, _overlay(_fix("n", "$..required[?@ == 'nonce']", remove=True)), "f")
    assert doc["components"]["schemas"]["A"]["required"] == ["x"]
    assert doc["components"]["schemas"]["B"]["required"] == []


def test_stale_fix_is_skipped_and_named_with_the_target_that_matched_nothing() -> None:
    doc = _doc()
    verdicts = apply_overlay(doc, _overlay(_fix("gone-upstream", "$.paths['/nope']", update={"a": 1})), "f")
    assert _statuses(verdicts) == {"gone-upstream": "stale"}
    with pytest.raises(PipelineError, match=r"fix 'gone-upstream' is stale\n.*\$\.paths\['/nope'\]: matches nothing"):
        judge(verdicts, report_only=False)


def test_every_stale_fix_is_reported_in_one_run() -> None:
    overlay = _overlay(
        _fix("first", "$.components.schemas.Gone.properties.x", update={"type": "string"}),
        _fix("applied", "$.components.schemas.A.properties.x", update={"type": "string"}),
        _fix("second", "$.components.schemas.AlsoGone", update={"type": "object"}),
    )
    verdicts = apply_overlay(_doc(), overlay, "f")
    with pytest.raises(PipelineError, match="2 stale fix") as caught:
        judge(verdicts, report_only=False)
    assert "fix 'first' is stale" in str(caught.value)
    assert "fix 'second' is stale" in str(caught.value)
    assert "'applied'" not in str(caught.value)


def test_update_that_changes_nothing_is_redundant() -> None:
    doc = _doc()
    doc["components"]["schemas"]["A"]["properties"]["x"]["type"] = "string"  # upstream corrected it
    verdicts = apply_overlay(
        doc, _overlay(_fix("t", "$.components.schemas.A.properties.x", update={"type": "string"})), "f"
    )
    assert _statuses(verdicts) == {"t": "redundant"}
    with pytest.raises(PipelineError, match=r"1 redundant fix.*delete them"):
        judge(verdicts, report_only=False)
    assert judge(verdicts, report_only=True) == [verdicts[0].describe()]  # check-upstream: a warning


def test_removal_whose_defect_is_gone_is_redundant_not_stale() -> None:
    doc = _doc()
    for schema in doc["components"]["schemas"].values():
        schema["required"] = [name for name in schema["required"] if name != "nonce"]
    overlay = _overlay(
        _fix("n", "$..required[?@ == 'nonce']", remove=True),
        _fix("x", "$.components.schemas.A.properties.x.format", remove=True),
    )
    assert _statuses(apply_overlay(doc, overlay, "f")) == {"n": "redundant", "x": "redundant"}


def test_removal_whose_place_is_gone_is_stale() -> None:
    verdicts = apply_overlay(_doc(), _overlay(_fix("x", "$.components.schemas.Z.properties.x", remove=True)), "f")
    assert _statuses(verdicts) == {"x": "stale"}


def test_fix_with_one_dead_action_is_partly_redundant_and_fails_the_build() -> None:
    overlay = _overlay(
        _fix("n", "$..required[?@ == 'nonce']", remove=True),
        _fix("n", "$..required[?@ == 'never-required']", remove=True),
    )
    verdicts = apply_overlay(_doc(), overlay, "f")
    assert _statuses(verdicts) == {"n": "partly redundant"}
    with pytest.raises(PipelineError, match=r"action 1 \(gone\)"):
        judge(verdicts, report_only=False)


def test_a_fix_never_adds_a_component_over_one_upstream_now_defines() -> None:
    overlay = _overlay(_fix("add", "$.components.schemas", update={"A": {"type": "string"}, "C": {"type": "string"}}))
    doc = _doc()
    verdicts = apply_overlay(doc, overlay, "f")
    assert _statuses(verdicts) == {"add": "stale"}
    assert "upstream now defines components/schemas/A" in verdicts[0].describe()
    assert doc["components"]["schemas"]["A"]["type"] == "object"  # untouched
    assert "C" not in doc["components"]["schemas"]


def test_merging_over_a_whole_component_needs_the_digest_it_was_written_against() -> None:
    before = _doc()["components"]["schemas"]["B"]
    fix = _fix("b", "$.components.schemas.B", update={"description": "x"})
    unpinned = apply_overlay(_doc(), _overlay(fix), "f")
    assert _statuses(unpinned) == {"b": "stale"}
    assert f"now {DIGEST_KEY}: {digest(before)}" in unpinned[0].describe()
    doc = _doc()
    assert _statuses(apply_overlay(doc, _overlay({**fix, DIGEST_KEY: digest(before)}), "f")) == {"b": "applied"}
    assert doc["components"]["schemas"]["B"]["description"] == "x"
    changed_upstream = _doc()
    changed_upstream["components"]["schemas"]["B"]["required"] = ["other"]
    stale = apply_overlay(changed_upstream, _overlay({**fix, DIGEST_KEY: digest(before)}), "f")
    assert _statuses(stale) == {"b": "stale"}
    assert "description" not in changed_upstream["components"]["schemas"]["B"]


def test_stale_target_naming_a_missing_component_suggests_the_close_anchor_keys() -> None:
    doc = {"components": {"schemas": {"schemas.responses.user.orders.query": {"properties": {}}}}}
    fix = _fix("q", "$.components.schemas['schemas.responses.user.order.query'].properties", update={"a": {}})
    (verdict,) = apply_overlay(doc, _overlay(fix), "f")
    assert "similar key: schemas.responses.user.orders.query" in verdict.describe()


@pytest.mark.parametrize(
    ("action", "complaint"),
    [
        ({"target": "$.a", "update": {}, "description": "why"}, "needs a name"),
        ({"target": "$.a", "update": {}, "x-fix": "n"}, "needs a name"),
        ({"x-fix": "n", "description": "why", "target": "$.a"}, "exactly one of"),
        ({"x-fix": "n", "description": "why", "update": {}}, "JSONPath `target`"),
        ({"x-fix": "n", "description": "why", "target": "$[?", "remove": True}, "invalid target"),
    ],
)
def test_malformed_fix_document_is_refused(action: dict[str, Any], complaint: str) -> None:
    with pytest.raises(PipelineError, match=complaint):
        apply_overlay(_doc(), _overlay(action), "f")


def test_document_that_is_not_an_overlay_is_refused() -> None:
    with pytest.raises(PipelineError, match="not an OpenAPI Overlay"):
        apply_overlay(_doc(), {"openapi": "3.0.0"}, "f")


def test_every_committed_fix_names_a_reason() -> None:
    for package in load_packages():
        for fix_file in package.fixes:
            for action in load_yaml(ROOT / fix_file)["actions"]:
                assert action["x-fix"]
                assert len(action["description"]) > 10


def test_every_committed_fix_applies_to_the_pinned_specs() -> None:
    """What the build enforces, as a test: no committed fix is stale or redundant against the pinned specs."""
    from _pipeline import BUNDLED_DIR

    for package in load_packages():
        document = load_yaml(BUNDLED_DIR / f"{package.name}.yaml")
        verdicts = [v for f in package.fixes for v in apply_overlay(document, load_yaml(ROOT / f), f, package.name)]
        assert {v.fix: v.status for v in verdicts if v.status != "applied"} == {}
