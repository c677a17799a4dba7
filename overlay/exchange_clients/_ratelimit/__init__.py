"""Client-side rate limits: wait before the venue would refuse, and respect the venue's penalties.

Two kinds of rule (:class:`Window`, :class:`DecayingCounter`), described per venue as data
(:class:`VenueLimits`), applied by a :class:`RateLimiter` per client, with the state in a
:class:`LimiterBackend` (default: :class:`InProcessBackend`, one per process, so clients of the same venue
and key share their limits).
"""

from exchange_clients._ratelimit.backend import LimiterBackend
from exchange_clients._ratelimit.limiter import DEFAULT_PENALTY_WAIT, RateLimiter
from exchange_clients._ratelimit.memory import DEFAULT_BACKEND, InProcessBackend
from exchange_clients._ratelimit.rules import Charge, DecayingCounter, Refusal, Rule, Window
from exchange_clients._ratelimit.venue import Cost, Limit, StatefulLimit, VenueLimits, limit_table_problems

__all__ = [
    "DEFAULT_BACKEND",
    "DEFAULT_PENALTY_WAIT",
    "Charge",
    "Cost",
    "DecayingCounter",
    "InProcessBackend",
    "Limit",
    "LimiterBackend",
    "RateLimiter",
    "Refusal",
    "Rule",
    "StatefulLimit",
    "VenueLimits",
    "Window",
    "limit_table_problems",
]
