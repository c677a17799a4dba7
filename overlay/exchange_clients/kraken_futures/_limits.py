"""Kraken Futures' REST limits (docs "Futures Rate Limits"; reference kraken.md §4.3), as data for the limiter.

Public endpoints cost nothing. Every private /derivatives and /api/history operation has an explicit cost
here: a test checks the tables against the generated operations, so a new endpoint fails loudly instead of
being priced by a guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from exchange_clients._ratelimit import Cost, Limit, VenueLimits, Window

__all__ = ["DERIVATIVES_COSTS", "HISTORY_COSTS", "futures_rate_limits"]

# The documented windows plus an allowance for a request's time in transit (the venue counts arrivals).
_DERIVATIVES_WINDOW = Window(500, 10.0 + 0.2)
_HISTORY_WINDOW = Window(100, 600.0 + 1.0)


def _batch_cost(fields: Mapping[str, Any]) -> float:
    """9 + the number of instructions in the batch (the form field ``json`` holds them as JSON text)."""
    instructions: Any = fields.get("json")
    try:
        batch: Any = json.loads(instructions) if isinstance(instructions, str | bytes) else instructions
        size = len(batch["batchOrder"])
    except (TypeError, ValueError, KeyError):
        size = 1  # the venue refuses a batch it cannot read; the fixed part is what it costs
    return 9.0 + size


def _fills_cost(fields: Mapping[str, Any]) -> float:
    return 25.0 if fields.get("lastFillTime") is not None else 2.0


# account-log: cost by the requested ``count`` (default 500): up to 25 costs 1, ..., up to 5,000 costs 6.
_ACCOUNT_LOG_BANDS = ((25, 1.0), (50, 2.0), (1000, 3.0), (5000, 6.0))
_ACCOUNT_LOG_MOST = 10.0  # 5,001 to 100,000
_ACCOUNT_LOG_DEFAULT_COUNT = 500


def _account_log_cost(fields: Mapping[str, Any]) -> float:
    count = fields.get("count", _ACCOUNT_LOG_DEFAULT_COUNT)
    try:
        count = int(count)
    except (TypeError, ValueError):
        return _ACCOUNT_LOG_MOST
    return next((cost for most, cost in _ACCOUNT_LOG_BANDS if count <= most), _ACCOUNT_LOG_MOST)


# /derivatives: 500 every 10 seconds. Documented costs, then the ones the docs do not list, priced like the
# documented calls they resemble (a write 10, a read 2).
DERIVATIVES_COSTS: Mapping[str, Cost] = {
    "send_order": 10, "edit_order": 10, "cancel_order": 10, "send_batch_order": _batch_cost,
    "get_accounts": 2, "get_open_positions": 2, "get_open_orders": 2, "get_fills": _fills_cost,
    "cancel_all_orders": 25, "cancel_all_orders_after": 25, "withdrawal": 100, "get_order_status": 1,
    "get_unwind_queue": 200, "get_leverage_setting": 2, "set_leverage_setting": 10,
    "get_pnl_currency_preference": 2, "set_pnl_currency_preference": 10, "transfer": 10,
    "sub_account_transfer": 10, "get_subaccount_trading_capability": 2,
    "update_subaccount_trading_capability": 2, "get_self_trade_strategy": 2, "set_self_trade_strategy": 2,
    # Not in the docs' table:
    "add_assignment_program": 10, "delete_assignment_program": 10, "get_assignment_program_current": 2,
    "get_assignment_program_history": 2, "get_notifications": 2, "get_open_rfq_offers": 2,
    "place_rfq_offer": 10, "replace_rfq_offer": 10, "cancel_rfq_offer": 10,
    "get_portfolio_margining_parameters": 2, "simulate_portfolio": 2, "list_subaccounts": 2,
    "get_user_fee_schedule_volumes_v3": 2,
}  # fmt: skip

# /history: 100 tokens, 100 more every 10 minutes. Positions history is not in the docs' table; it is priced
# like the other event histories.
HISTORY_COSTS: Mapping[str, Cost] = {
    "get_order_events": 1, "get_trigger_events": 1, "get_execution_events": 1, "get_position_events": 1,
    "account_log": _account_log_cost, "account_log_csv": 6,
}  # fmt: skip


def _derivatives(path: str, private: bool) -> bool:
    return private and path.startswith("/derivatives/")


def _history(path: str, private: bool) -> bool:
    return private and path.startswith("/api/history/")


def futures_rate_limits() -> VenueLimits:
    """The /derivatives budget (500 per 10 s) and the /history pool (100 per 10 min), per key, each held in
    any window of its length. A 429's ``rate-limit-reset`` holds back the pool of the refused call."""
    return VenueLimits(
        venue="Kraken Futures",
        limits=(
            Limit("derivatives", _DERIVATIVES_WINDOW, per_key=True, covers=_derivatives,
                  costs=DERIVATIVES_COSTS, default_cost=None),
            Limit("history", _HISTORY_WINDOW, per_key=True, covers=_history, costs=HISTORY_COSTS,
                  default_cost=None),
        ),
    )  # fmt: skip
