"""The hand-kept per-operation tables match the generated operations, and drift fails with a clear message."""

from __future__ import annotations

import pytest

from exchange_clients._facades import bitflyer, kraken_futures, kraken_spot
from exchange_clients._operation_tables import OperationTableError, check_table, table_problems
from exchange_clients._ratelimit import limit_table_problems
from exchange_clients.bitflyer import bitflyer_rate_limits
from exchange_clients.kraken_futures import futures_rate_limits
from exchange_clients.kraken_spot import spot_rate_limits

VENUES = {
    "kraken_spot": (spot_rate_limits(), kraken_spot.OPERATIONS),
    "kraken_futures": (futures_rate_limits(), kraken_futures.OPERATIONS),
    "bitflyer": (bitflyer_rate_limits(), bitflyer.OPERATIONS),
}


@pytest.mark.parametrize("venue", sorted(VENUES))
def test_rate_limit_tables_match_the_generated_operations(venue: str) -> None:
    limits, operations = VENUES[venue]
    assert limit_table_problems(limits, operations) == []


def test_every_private_futures_derivatives_and_history_operation_has_an_explicit_cost() -> None:
    limits, operations = VENUES["kraken_futures"]
    priced = {name for limit in limits.limits for name in limit.costs}
    needing = {
        name for name, op in operations.items() if op.private and op.path.startswith(("/derivatives/", "/api/history/"))
    }
    assert needing  # the facades are generated: the check is not vacuous
    assert needing <= priced


def test_a_removed_operation_leaves_an_entry_that_is_named() -> None:
    limits, operations = VENUES["kraken_futures"]
    without = {name: op for name, op in operations.items() if name != "send_order"}
    problems = limit_table_problems(limits, without)
    assert problems == [
        "Kraken Futures 'derivatives' costs: 'send_order' is not an operation of the generated client "
        "(renamed or removed upstream?); rename or delete the entry"
    ]


def test_a_new_private_operation_without_a_cost_is_named() -> None:
    limits, operations = VENUES["kraken_futures"]
    new = operations["send_order"]._replace(name="send_trailing_order", path="/derivatives/api/v3/trail")
    problems = limit_table_problems(limits, {**operations, "send_trailing_order": new})
    assert problems == [
        "Kraken Futures 'derivatives' costs: operation 'send_trailing_order' (/derivatives/api/v3/trail) has no "
        "entry, and it needs one; add it"
    ]


def test_a_new_operation_where_a_default_applies_needs_no_entry() -> None:
    limits, operations = VENUES["kraken_spot"]
    new = operations["get_account_balance"]._replace(name="get_new_thing", path="/private/NewThing")
    assert limit_table_problems(limits, {**operations, "get_new_thing": new}) == []


def test_the_engine_counter_names_only_real_operations() -> None:
    limits, operations = VENUES["kraken_spot"]
    without = {name: op for name, op in operations.items() if name != "amend_order"}
    assert limit_table_problems(limits, without) == [
        "Kraken Spot 'private' costs: 'amend_order' is not an operation of the generated client "
        "(renamed or removed upstream?); rename or delete the entry",
        "Kraken Spot 'engine' operations: 'amend_order' is not an operation of the generated client "
        "(renamed or removed upstream?); rename or delete the entry",
    ]


def test_check_table_raises_every_problem_at_once() -> None:
    operations = VENUES["bitflyer"][1]
    with pytest.raises(OperationTableError) as raised:
        check_table("pagination", ["get_nothing", "get_less"], operations, lambda op: op.name == "get_executions")
    assert str(raised.value).splitlines() == [
        "pagination: 'get_less' is not an operation of the generated client (renamed or removed upstream?); "
        "rename or delete the entry",
        "pagination: 'get_nothing' is not an operation of the generated client (renamed or removed upstream?); "
        "rename or delete the entry",
        "pagination: operation 'get_executions' (/v1/getexecutions) has no entry, and it needs one; add it",
    ]
    assert table_problems("pagination", ["get_executions"], operations, lambda op: op.name == "get_executions") == []


@pytest.mark.parametrize("venue", sorted(VENUES))
def test_client_order_id_tables_name_real_operations(venue: str) -> None:
    from exchange_clients.bitflyer import _orders as bitflyer_orders
    from exchange_clients.kraken_futures import _orders as futures_orders
    from exchange_clients.kraken_spot import _orders as spot_orders

    table = {"kraken_spot": spot_orders, "kraken_futures": futures_orders, "bitflyer": bitflyer_orders}[venue]
    operations = VENUES[venue][1]
    assert table_problems(f"{venue} client order ids", table.CLIENT_ORDER_IDS, operations) == []
    for name in table.CLIENT_ORDER_IDS:
        assert not operations[name].read, f"{name} places orders: it is a write"
