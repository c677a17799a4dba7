"""What the stand-in learned from real answers: where the venues leave out a field the spec documents, or spell a
value with another JSON type, the stand-in's answers do the same, so that the cassettes (recorded from it) are not
the specs' examples alone.

Each edit names the real answer that shows the difference (``../shared/realworld/<venue>/<file>``, or another public
capture, as the matching fix in ``specs/fixes/*.reality.overlay.yaml`` cites it); the values stay the documented
example's, never the real answer's. ``tests/integration/test_standin.py`` checks that every edit still finds a place
to apply, so that an upstream change cannot leave one silently idle.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Step = str  # a key; "*" any element of a list or value of an object; "**" any depth
Action = Literal["drop", "as_number", "as_string", "null"]


@dataclass(frozen=True)
class Edit:
    where: tuple[Step, ...]
    action: Action
    evidence: str


LEARNED: Mapping[tuple[str, str], tuple[Edit, ...]] = {
    ("futures", "getAccounts"): (Edit(("accounts", "cash", "balances", "*"), "as_number", "accounts_demo_2023"),),
    ("futures", "getTickers"): (
        Edit(("tickers", "*", "change24h"), "drop", "python-kraken-sdk market.py get_tickers (2023)"),
    ),
    ("futures", "getHistory"): (Edit(("history", "*", "size"), "as_number", "python-kraken-sdk get_trade_history"),),
    ("futures", "getOrderStatus"): (
        Edit(("orders", "*", "order", "priceTriggerOptions"), "drop", "magnusblondal/lucy exchange.py (2023)"),
        Edit(("orders", "*", "order", "triggerTime"), "drop", "magnusblondal/lucy exchange.py (2023)"),
    ),
    ("futures", "getOrderEvents"): (Edit(("**", "spotData"), "drop", "order_events_2023"),),
    ("futures", "getExecutionEvents"): (Edit(("**", "spotData"), "drop", "magnusblondal/lucy position.py (2023)"),),
    ("futures", "accountLog"): (Edit(("logs", "*", "liquidation_fee"), "drop", "accountlog_demo_2023"),),
    ("spot", "getLedgers"): (Edit(("result", "count"), "as_string", "ledgers_2024 (count as a string of digits)"),),
    ("spot", "getTradeVolume"): (
        Edit(("result", "fees"), "null", "tradevolume_nopair_2023"),
        Edit(("result", "fees_maker"), "null", "tradevolume_nopair_2023"),
    ),
    ("bitflyer", "getTicker"): (
        Edit(("market_bid_size",), "drop", "ticker answers before the field existed"),
        Edit(("market_ask_size",), "drop", "ticker answers before the field existed"),
    ),
    ("bitflyer", "getMarkets"): (Edit(("*", "market_type"), "drop", "markets answers before the field existed"),),
}


def learned(venue: str, operation_id: str, value: Any) -> tuple[Any, int]:
    """``value`` with the operation's edits made (a copy), and how many places they changed."""
    return edit_answer(LEARNED.get((venue, operation_id), ()), value)


def edit_answer(edits: tuple[Edit, ...], value: Any) -> tuple[Any, int]:
    """``value`` with ``edits`` made (a copy, if any), and how many places they changed."""
    if not edits:
        return value, 0
    edited = copy.deepcopy(value)
    changed = 0
    for edit in edits:
        for parent, key in list(_places(edited, edit.where)):
            _apply(parent, key, edit.action)
            changed += 1
    return edited, changed


def _places(node: Any, where: tuple[Step, ...]) -> Iterator[tuple[Any, Any]]:
    """(container, key) for each place ``where`` names in ``node``."""
    step, rest = where[0], where[1:]
    if step == "**":
        yield from _places(node, rest)
        for child in _children(node):
            yield from _places(child, where)
        return
    keys = _keys(node) if step == "*" else ([step] if isinstance(node, dict) and step in node else [])
    for key in keys:
        if rest:
            yield from _places(node[key], rest)
        else:
            yield node, key


def _keys(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node)
    return list(range(len(node))) if isinstance(node, list) else []


def _children(node: Any) -> list[Any]:
    return [node[key] for key in _keys(node)]


def _apply(parent: Any, key: Any, action: Action) -> None:
    if action == "drop":
        del parent[key]
    elif action == "null":
        parent[key] = None
    elif action == "as_number":
        parent[key] = Decimal(str(parent[key]))
    else:
        parent[key] = str(parent[key])
