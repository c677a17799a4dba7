"""Kraken Futures' REST limits (docs: "Futures Rate Limits"), as data for the rate limiter."""

from __future__ import annotations

from exchange_clients._ratelimit import BucketRule

# /derivatives: a budget of 500 every 10 seconds; each private call has a cost.
_DERIVATIVES_COST = {
    "send_order": 10, "edit_order": 10, "cancel_order": 10, "send_batch_order": 10,
    "get_accounts": 2, "get_open_positions": 2, "get_open_orders": 2, "get_fills": 2,
    "cancel_all_orders": 25, "cancel_all_orders_after": 25, "withdrawal": 100, "get_order_status": 1,
    "get_unwind_queue": 200, "get_leverage_setting": 2, "set_leverage_setting": 10,
    "get_pnl_currency_preference": 2, "set_pnl_currency_preference": 10, "transfer": 10,
    "sub_account_transfer": 10, "get_subaccount_trading_capability": 2,
    "update_subaccount_trading_capability": 2, "get_self_trade_strategy": 2, "set_self_trade_strategy": 2,
}  # fmt: skip
# /history: 100 tokens refilled at 100 per 10 minutes; account-log's default count (500) costs 3.
_HISTORY_COST = {"account_log": 3, "account_log_csv": 6}


def futures_rate_limits() -> tuple[BucketRule, ...]:
    return (
        BucketRule(
            "derivatives",
            500,
            50.0,
            lambda path, private: private and path.startswith("/derivatives/"),
            lambda name: float(_DERIVATIVES_COST.get(name, 1)),
        ),
        BucketRule(
            "history",
            100,
            100 / 600,
            lambda path, private: private and path.startswith("/api/history/"),
            lambda name: float(_HISTORY_COST.get(name, 1)),
        ),
    )
