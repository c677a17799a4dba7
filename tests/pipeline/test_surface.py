"""The API surface summary: one line per thing users touch, full types, deprecations; removals refused unless
acknowledged, everything else reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from _pipeline import GENERATED, PipelineError, load_packages, load_yaml
from surface import read_models, spec_deprecations, summary
from surface_diff import compare, load_acknowledgements, removal_check, removals, render

PACKAGES = load_packages()

OLD = """# header
operation get_x: GET /x -> X | None  [api.a]
parameter get_x(pair): str | Unset
operation gone: GET /gone -> None  [api.a]
parameter gone(id): str
model Balance: dict[str, str]
model X
field X.a: str
field X.b: int | Unset
enum Side: str
member Side.BUY: "buy"
member Side.SELL: "sell"
"""


def _changed(old: str, new: str) -> dict[str, str]:
    return {change.name: change.what for change in compare(old, new)}


def test_changes_are_classified_line_by_line() -> None:
    new = (
        OLD.replace("field X.b: int | Unset", "field X.b: int | Unset  (deprecated)\nfield X.c: str")
        .replace("model Balance: dict[str, str]", "model Balance: dict[str, Decimal]")
        .replace('member Side.SELL: "sell"\n', "")
        .replace("parameter get_x(pair): str | Unset", "parameter get_x(pair): int | Unset")
    )
    assert _changed(OLD, new) == {
        "parameter get_x(pair)": "changed",
        "model Balance": "changed",
        "field X.b": "deprecated",
        "field X.c": "added",
        "member Side.SELL": "removed",
    }


def test_what_goes_with_a_removed_operation_or_model_is_not_listed_again() -> None:
    new = "\n".join(
        line for line in OLD.splitlines() if "gone" not in line and not line.startswith(("model X", "field X"))
    )
    assert removals(compare(OLD, new)) == ["operation gone", "model X"]


def _surfaces(tmp_path: Path, committed: str, generated: str) -> dict[str, tuple[Path, str]]:
    (tmp_path / "p.txt").write_text(committed, encoding="utf-8")
    return {"p": (tmp_path / "p.txt", generated)}


def test_removal_is_refused_naming_what_to_acknowledge(tmp_path: Path) -> None:
    new = OLD.replace('member Side.SELL: "sell"\n', "").replace("field X.a: str\n", "")
    with pytest.raises(PipelineError) as caught:
        removal_check(_surfaces(tmp_path, OLD, new), {})
    message = str(caught.value)
    assert "specs/removals.yaml" in message
    assert '- {removed: "field X.a", reason: "..."}' in message
    assert '- {removed: "member Side.SELL", reason: "..."}' in message


def test_the_review_lists_a_whole_model_once() -> None:
    new = OLD.replace("model X\nfield X.a: str\nfield X.b: int | Unset\n", "") + "model Y\nfield Y.c: str\n"
    assert render(compare(OLD, new)) == ["models removed (1):", "  X", "models added (1):", "  Y"]


def test_acknowledged_removals_and_additions_pass_and_are_reported(tmp_path: Path) -> None:
    new = OLD.replace('member Side.SELL: "sell"\n', "") + "operation new_one: GET /new -> None  [api.a]\n"
    notes = removal_check(_surfaces(tmp_path, OLD, new), {"p": ["member Side.*"]})
    assert notes[0] == "surface: p: 1 added, 1 removed (acknowledged)"
    assert "  operations added (1):" in notes
    assert removal_check(_surfaces(tmp_path, OLD, OLD), {}) == []


def test_acknowledgements_need_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "removals.yaml"
    path.write_text("p:\n  - {removed: model X}\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="needs `removed` and a `reason`"):
        load_acknowledgements(path)
    path.write_text("p:\n  - {removed: model X, reason: upstream retired the X endpoint family}\n", encoding="utf-8")
    assert load_acknowledgements(path) == {"p": ["model X"]}


def test_committed_acknowledgements_are_well_formed() -> None:
    assert set(load_acknowledgements()) <= {package.name for package in PACKAGES}


# --- the summaries of the generated packages ---------------------------------------------------------


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_field_is_one_line_with_its_full_type(package: Any) -> None:
    text = summary(package.name, GENERATED / package.name, load_yaml(package.final_spec))
    lines = set(text.splitlines())
    for model in read_models(GENERATED / package.name):
        if model.enum_of:
            assert f"enum {model.name}: {model.enum_of}" in lines
            assert all(any(line.startswith(f"member {model.name}.{m}: ") for line in lines) for m, _ in model.members)
            continue
        head = f"model {model.name}" + (f": {model.map_values}" if model.map_values else "")
        assert head in lines or f"{head}  (deprecated)" in lines
        for field, annotation, _ in model.fields:
            assert any(line.startswith(f"field {model.name}.{field}: {annotation}") for line in lines)


def test_map_value_types_are_shown() -> None:
    spot = next(p for p in PACKAGES if p.name == "kraken_spot_api")
    maps = [m for m in read_models(GENERATED / spot.name) if m.map_values]
    assert maps, "Kraken Spot answers pair- and asset-keyed maps"
    assert all(m.map_values != "dict[str, Any]" for m in maps)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_deprecation_of_the_final_spec_is_marked(package: Any) -> None:
    spec = load_yaml(package.final_spec)
    deprecated = spec_deprecations(spec)
    marked = [
        line for line in summary(package.name, GENERATED / package.name, spec).splitlines() if "(deprecated)" in line
    ]
    expected = len(deprecated.operations) + len(deprecated.parameters) + len(deprecated.models) + len(deprecated.fields)
    assert len(marked) == expected
