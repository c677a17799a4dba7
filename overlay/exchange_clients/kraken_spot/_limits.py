"""Kraken Spot's limits (docs "Spot REST Rate Limits" and "Spot Trading Limits"; reference kraken.md §4.1-4.2),
as data for the rate limiter."""

from __future__ import annotations

from exchange_clients._ratelimit import DecayingCounter, Limit, VenueLimits
from exchange_clients.kraken_spot._engine import ENGINE_TIERS, EngineCounter

__all__ = ["CALL_COUNTER_COSTS", "TIERS", "spot_rate_limits"]

# The per-key call counter, exactly as Kraken models it: maximum and decay per second, by verification tier.
TIERS = {
    "starter": DecayingCounter(15, 0.33),
    "intermediate": DecayingCounter(20, 0.5),
    "pro": DecayingCounter(20, 1.0),
}
# Every private call costs 1, except these. Ledger and trade-history queries cost 2; order transactions are
# left to the matching engine's per-pair counter instead.
CALL_COUNTER_COSTS = {
    **dict.fromkeys(("get_ledgers", "get_ledgers_info", "get_trade_history", "get_trades_info"), 2.0),
    **dict.fromkeys(
        ("add_order", "add_order_batch", "amend_order", "edit_order", "cancel_order", "cancel_order_batch",
         "cancel_all_orders", "cancel_all_orders_after"),
        0.0,
    ),
}  # fmt: skip
# Public calls are limited per IP address, undocumented in numbers; about one a second is safe (kraken.md §4.1).
_PUBLIC = DecayingCounter(3, 1.0)
# Too many failed calls lock the key out for about 15 minutes, and calling during it extends the lockout.
_LOCKOUTS = {"EGeneral:Temporary lockout": 15 * 60.0}


def _private(path: str, private: bool) -> bool:
    return private


def _public(path: str, private: bool) -> bool:
    return not private


def spot_rate_limits(tier: str = "starter") -> VenueLimits:
    """The limits of a verification tier (``starter``, ``intermediate`` or ``pro``): the key's call counter,
    the matching engine's counter per pair, public calls per IP address; ``EService:Throttled:<time>`` and a
    temporary lockout hold back every private call of the key until they end."""
    if tier not in TIERS:
        raise ValueError(f"unknown Kraken Spot tier {tier!r}; one of {', '.join(TIERS)}")
    return VenueLimits(
        venue="Kraken Spot",
        limits=(
            Limit("private", TIERS[tier], per_key=True, covers=_private, costs=CALL_COUNTER_COSTS),
            Limit("public", _PUBLIC, per_key=False, covers=_public),
        ),
        stateful=(EngineCounter(ENGINE_TIERS[tier]),),
        lockouts=_LOCKOUTS,
    )
