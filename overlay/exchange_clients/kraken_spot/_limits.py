"""Kraken Spot's REST limits (docs: "Spot REST Rate Limits"), as data for the rate limiter."""

from __future__ import annotations

from exchange_clients._ratelimit import BucketRule

# Maximum of the per-key call counter and its decay per second, by verification tier.
TIERS = {"starter": (15, 0.33), "intermediate": (20, 0.5), "pro": (20, 1.0)}
# Ledger and trade-history queries cost 2; order placing and cancelling is counted by the matching engine's
# per-pair limiter instead, not by this counter.
_COSTLY = frozenset({"get_ledgers", "get_ledgers_info", "get_trade_history", "get_trades_info"})
_ENGINE = frozenset(
    {"add_order", "add_order_batch", "amend_order", "edit_order", "cancel_order", "cancel_order_batch",
     "cancel_all_orders", "cancel_all_orders_after"}
)  # fmt: skip


def _private_cost(name: str) -> float:
    return 0.0 if name in _ENGINE else 2.0 if name in _COSTLY else 1.0


def spot_rate_limits(tier: str = "starter") -> tuple[BucketRule, ...]:
    """The limits for a verification tier (``starter``, ``intermediate`` or ``pro``)."""
    if tier not in TIERS:
        raise ValueError(f"unknown Kraken Spot tier {tier!r}; one of {', '.join(TIERS)}")
    capacity, decay = TIERS[tier]
    return (
        BucketRule("private counter", capacity, decay, lambda path, private: private, _private_cost),
        # Public calls are limited per IP address; about one a second is safe, with a small burst.
        BucketRule("public", 3, 1.0, lambda path, private: not private, per_key=False),
    )
