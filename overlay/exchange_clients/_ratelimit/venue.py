"""How a venue describes its limits to the generic limiter: data, plus one protocol for limits whose cost
depends on what earlier calls did (Kraken Spot's matching-engine counter and the age of each order)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from exchange_clients._operation_tables import table_problems
from exchange_clients._ratelimit.rules import Rule

__all__ = ["Cost", "Limit", "StatefulLimit", "VenueLimits", "limit_table_problems"]

Cost = float | Callable[[Mapping[str, Any]], float]
"""What one call of an operation costs: a number, or a function of the request's wire fields."""


class Limit(NamedTuple):
    """One limit of a venue: its rule, whose budget it is, which calls it covers and what each costs.

    ``per_key``: the API key's budget; otherwise the IP address's (every client in the process shares it).
    ``covers(path, private)`` selects the calls it counts, and the calls that a penalty on it holds back.
    ``costs`` prices operations by name; a covered operation it does not name costs ``default_cost``, and
    ``default_cost=None`` means every covered operation must be named (checked against the generated
    operations by the tests, so that a new endpoint cannot slip in at a guessed price).
    """

    name: str
    rule: Rule
    per_key: bool
    covers: Callable[[str, bool], bool]
    costs: Mapping[str, Cost] = MappingProxyType({})
    default_cost: float | None = 1.0


class StatefulLimit(Protocol):
    """A limit, partitioned (by pair), whose costs depend on earlier calls of the same key.

    ``owner`` identifies the key (a salted digest); state is kept per owner, and is local to the process.
    """

    @property
    def name(self) -> str: ...

    @property
    def rule(self) -> Rule: ...

    @property
    def operations(self) -> frozenset[str]:
        """The operations it prices."""
        ...

    def charges(
        self, owner: str, operation: str, fields: Mapping[str, Any], now: float
    ) -> Iterable[tuple[str, float, bool]]:
        """``(partition, cost, hold)`` for one call of ``operation`` with these wire fields."""
        ...

    def record(self, owner: str, operation: str, fields: Mapping[str, Any], result: Any, now: float) -> None:
        """Learn from a successful call (orders placed, amended, cancelled)."""
        ...


class VenueLimits(NamedTuple):
    """Everything the limiter knows about one venue.

    ``lockouts`` maps a venue error code to how long (seconds) every call covered by the failing call's
    limits is held back: a lockout whose end the venue does not say.
    """

    venue: str
    limits: tuple[Limit, ...]
    stateful: tuple[StatefulLimit, ...] = ()
    lockouts: Mapping[str, float] = MappingProxyType({})


def limit_table_problems(limits: VenueLimits, operations: Mapping[str, Any]) -> list[str]:
    """Every venue limit's per-operation table checked against ``operations`` (a facade's ``OPERATIONS``):
    no entry for an operation that does not exist, and an entry for every covered operation of a limit
    without a default cost."""
    problems: list[str] = []
    for limit in limits.limits:
        needs_entry = _covered_by(limit) if limit.default_cost is None else None
        problems += table_problems(f"{limits.venue} {limit.name!r} costs", limit.costs, operations, needs_entry)
    for stateful in limits.stateful:
        problems += table_problems(f"{limits.venue} {stateful.name!r} operations", stateful.operations, operations)
    return problems


def _covered_by(limit: Limit) -> Callable[[Any], bool]:
    return lambda op: limit.covers(op.path, op.private)
