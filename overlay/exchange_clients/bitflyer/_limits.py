"""bitFlyer's HTTP API limits (docs "API Limits"; reference bitflyer.md §5), as data for the rate limiter."""

from __future__ import annotations

from exchange_clients._ratelimit import Limit, VenueLimits, Window

__all__ = ["ORDER_ENDPOINTS", "bitflyer_rate_limits"]

# Five minutes, plus an allowance for a request's time in transit: the venue counts arrivals, we count the
# moment before sending, and the first call of a window may arrive late (a new connection) while the last
# arrives early.
_WINDOW = 300.0 + 0.5
# These share a stricter limit on top of the private one (cancelchildorder and cancelparentorder do not).
ORDER_ENDPOINTS = frozenset({"send_child_order", "send_parent_order", "cancel_all_child_orders"})


def _every_call(path: str, private: bool) -> bool:
    return True


def _private(path: str, private: bool) -> bool:
    return private


def bitflyer_rate_limits() -> VenueLimits:
    """500 calls per 5 minutes per IP address (public and private), 500 per key for private calls, and 300
    per key for the order endpoints, each in any 5 minutes. A 429's ``X-RateLimit-Reset`` holds back every
    call of the limits the refused call counted against (a private call's: the key's and the address's)."""
    return VenueLimits(
        venue="bitFlyer",
        limits=(
            Limit("ip", Window(500, _WINDOW), per_key=False, covers=_every_call),
            Limit("private", Window(500, _WINDOW), per_key=True, covers=_private),
            Limit(
                "orders",
                Window(300, _WINDOW),
                per_key=True,
                covers=_private,
                costs=dict.fromkeys(ORDER_ENDPOINTS, 1.0),
                default_cost=0.0,
            ),
        ),
    )
