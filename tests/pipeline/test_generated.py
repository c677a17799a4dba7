"""The generated packages: complete, importable, lazy, tolerant of new enum values, exact, deterministic."""

from __future__ import annotations

import filecmp
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from _pipeline import GENERATED, ROOT, SURFACE_DIR, Package, load_packages, load_yaml, package_named
from codegen import check_coverage, spec_operations
from nested_models import MAX_LENGTH
from surface import read_endpoints, read_models, summary

PACKAGES = [package.name for package in load_packages()]


@pytest.mark.parametrize("package", load_packages(), ids=lambda p: p.name)
def test_every_operation_of_the_final_spec_was_generated(package: Package, capsys: pytest.CaptureFixture[str]) -> None:
    line = check_coverage(package, GENERATED / package.name)
    n = len(spec_operations(load_yaml(package.final_spec)))
    assert n == len(read_endpoints(GENERATED / package.name))
    assert line.endswith(f"{n}/{n} operations generated, every parameter kept")
    with capsys.disabled():
        print(f"\n{line}")


@pytest.mark.parametrize("name", PACKAGES)
def test_committed_surface_summary_matches_generated_code(name: str) -> None:
    committed = (SURFACE_DIR / f"{name}.txt").read_text(encoding="utf-8")
    spec = load_yaml(package_named(name).final_spec)
    assert committed == summary(name, GENERATED / name, spec), "run `make generate` and commit specs/surface/"


@pytest.mark.parametrize("name", PACKAGES)
def test_class_names_are_short_and_carry_no_counters(name: str) -> None:
    """No generated class name over the limit, none ending in a counter (``Trade2``, ``...Type0``)."""
    names = [model.name for model in read_models(GENERATED / name)]
    assert [n for n in names if len(n) > MAX_LENGTH] == []
    assert [n for n in names if re.search(r"Type\d+(?=[A-Z]|$)|[a-z]\d+$", n)] == []


def _run(code: str) -> str:
    env_path = f"{ROOT / 'generated'}"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": env_path}
    )
    return result.stdout.strip()


@pytest.mark.parametrize("name", PACKAGES)
def test_package_imports_and_models_load_lazily(name: str) -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        f"import {name}.api as api\n"
        "mods = [m.name for m in pkgutil.walk_packages(api.__path__, api.__name__ + '.')]\n"
        "first = next(m for m in mods if m.count('.') == 3)\n"
        "importlib.import_module(first)\n"
        f"loaded = [m for m in sys.modules if m.startswith('{name}.models.')]\n"
        f"import {name}.models as models\n"
        "print(len(loaded), len(models.__all__))"
    )
    loaded, total = map(int, _run(code).split())
    assert total > 10
    assert loaded < total / 4, f"importing one endpoint loaded {loaded} of {total} models"


def test_unknown_enum_value_in_a_response_is_kept_not_fatal() -> None:
    from bitflyer_api.models import ChildOrder, OrderState

    order = ChildOrder.from_dict(
        {
            "id": 1, "child_order_id": "JOR1", "product_code": "BTC_JPY", "side": "BUY",
            "child_order_type": "LIMIT", "price": 30000, "average_price": 0, "size": 0.1,
            "child_order_state": "PARKED", "expire_date": "2024-01-01T00:00:00", "child_order_date":
            "2024-01-01T00:00:00", "child_order_acceptance_id": "JRF1", "outstanding_size": 0.1,
            "cancel_size": 0, "executed_size": 0, "total_commission": 0,
        }
    )  # fmt: skip
    assert order.child_order_state == "PARKED"
    assert isinstance(order.child_order_state, OrderState)
    assert order.child_order_state.name == "UNKNOWN"
    assert OrderState("ACTIVE") is OrderState.ACTIVE
    assert "PARKED" not in OrderState._value2member_map_  # unknown values never become members


def test_json_numbers_are_typed_decimal_and_kept_exact() -> None:
    import typing

    from bitflyer_api.models import TradingCommission

    assert typing.get_type_hints(TradingCommission)["commission_rate"] is Decimal
    parsed = TradingCommission.from_dict({"commission_rate": Decimal("0.0012000000000000001")})
    assert parsed.commission_rate == Decimal("0.0012000000000000001")


def test_integral_amounts_are_decimal_through_a_bounded_cache_and_enums_read_by_value() -> None:
    from bitflyer_api import types
    from bitflyer_api.models import PublicExecution, TakerSide

    row = {
        "id": 1, "side": "BUY", "price": 31690, "size": 2, "exec_date": "2015-07-08T02:43:34.823",
        "buy_child_order_acceptance_id": "JRF1", "sell_child_order_acceptance_id": "JRF2",
    }  # fmt: skip
    types.INT_DECIMALS.clear()  # other tests in this process may have filled it to the point of starting again
    first, second = PublicExecution.from_dict(row), PublicExecution.from_dict(row)
    assert (first.price, first.size) == (Decimal(31690), Decimal(2))
    assert first.price.__class__ is Decimal
    assert first.price is second.price  # one immutable instance serves both
    for value in range(types._INT_DECIMALS_KEPT + 100):  # ever-new values cannot grow the cache without end
        assert PublicExecution.from_dict({**row, "price": 10**12 + value}).price == Decimal(10**12 + value)
    assert len(types.INT_DECIMALS) <= types._INT_DECIMALS_KEPT
    assert PublicExecution.from_dict({**row, "price": 10**12}).price == Decimal(10**12)  # kept after starting again
    assert PublicExecution.from_dict({**row, "price": True}).price is True  # kept as sent (a drift), never 1
    assert first.side is TakerSide.BUY
    assert PublicExecution.from_dict({**row, "side": ["BUY"]}).side == ["BUY"]  # unhashable: kept, not a crash
    assert PublicExecution.from_dict({**row, "side": "AUCTION"}).side.name == "UNKNOWN"


@pytest.mark.slow
def test_generation_is_deterministic(tmp_path: Path) -> None:
    """Generate again from the same final specs; the tree must be byte-identical to generated/."""
    subprocess.run(
        [sys.executable, "codegen.py", "--output-root", str(tmp_path)], cwd=ROOT / "scripts", check=True,
        capture_output=True,
    )  # fmt: skip
    for name in PACKAGES:
        mismatch = _differences(filecmp.dircmp(GENERATED / name, tmp_path / name))
        assert mismatch == [], f"{name} differs between runs: {mismatch[:5]}"


def _differences(cmp: filecmp.dircmp[str]) -> list[str]:
    found = [*cmp.left_only, *cmp.right_only]
    _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
    found += mismatch + errors
    for sub in cmp.subdirs.values():
        found += _differences(sub)
    return [name for name in found if name != "__pycache__"]
