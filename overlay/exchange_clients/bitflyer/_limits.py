"""bitFlyer's HTTP API limits (docs: "API Limits"), as data for the rate limiter."""

from __future__ import annotations

from exchange_clients._ratelimit import BucketRule

_FIVE_MINUTES = 300.0
# These three share a stricter limit on top of the private one.
_ORDERS = frozenset({"send_child_order", "send_parent_order", "cancel_all_child_orders"})


def _private(path: str, private: bool) -> bool:
    return private


def bitflyer_rate_limits() -> tuple[BucketRule, ...]:
    return (
        BucketRule("private", 500, 500 / _FIVE_MINUTES, _private),
        BucketRule("orders", 300, 300 / _FIVE_MINUTES, _private, lambda name: 1.0 if name in _ORDERS else 0.0),
        # Per IP address: every call, public or private, counts.
        BucketRule("ip", 500, 500 / _FIVE_MINUTES, lambda path, private: True, per_key=False),
    )
