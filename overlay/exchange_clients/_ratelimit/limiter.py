"""The limiter a client calls: prices each call from its venue's limits and waits until the backend admits it.

Wait before the venue would refuse, instead of being refused; and when the venue did refuse with a wait (or
locked the key out), hold every later call of that key and limit back until it ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, Protocol

from exchange_clients._ratelimit.backend import LimiterBackend
from exchange_clients._ratelimit.memory import DEFAULT_BACKEND
from exchange_clients._ratelimit.rules import Charge, Refusal, Rule
from exchange_clients._ratelimit.venue import StatefulLimit, VenueLimits
from exchange_clients._secrets import key_digest
from exchange_clients.errors import ExchangeError, RateLimited

__all__ = ["DEFAULT_PENALTY_WAIT", "RateLimiter"]

_log = logging.getLogger("exchange_clients")

DEFAULT_PENALTY_WAIT = 60.0
"""Longest a call waits out a venue's penalty; a longer one (a lockout) fails the call at once instead."""


class _Operation(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def private(self) -> bool: ...


class _Plan(NamedTuple):
    """What one operation asks of the backend, worked out once per limiter."""

    gates: tuple[str, ...]  # the counters of every limit covering it: where a penalty holds it back
    fixed: tuple[Charge, ...]  # costs known from the operation alone
    priced: tuple[tuple[str, Rule, Callable[[Mapping[str, Any]], float]], ...]  # costs from the wire fields
    stateful: tuple[tuple[StatefulLimit, str], ...]  # each with the prefix of its counters' names


class RateLimiter:
    """The limits of one venue for one API key, kept in ``backend`` (default: this process's).

    The key itself is not kept: counters are named by a digest salted by the backend. ``clock`` times the
    ages of orders (Kraken Spot); ``sleep``/``async_sleep`` wait. All three are injectable for tests.
    ``penalty_wait``: a call held back by a venue's penalty for longer than this raises
    :class:`~exchange_clients.errors.RateLimited` (``retry_after`` set) instead of waiting, and sends nothing.
    """

    def __init__(
        self,
        limits: VenueLimits,
        api_key: str | None,
        *,
        backend: LimiterBackend | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        penalty_wait: float = DEFAULT_PENALTY_WAIT,
    ) -> None:
        self._limits = limits
        self._backend = DEFAULT_BACKEND if backend is None else backend
        self._owner = key_digest(api_key, self._backend.key_salt) if api_key else "anonymous"
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._penalty_wait = penalty_wait
        self._lockouts = {code.casefold(): seconds for code, seconds in limits.lockouts.items()}
        self._plans: dict[str, _Plan] = {}

    def __repr__(self) -> str:
        return f"RateLimiter(venue={self._limits.venue!r}, backend={self._backend!r})"

    def acquire(self, op: _Operation, fields: Mapping[str, Any]) -> float:
        """Block until the call may go; return the seconds waited."""
        plan = self._plan(op)
        charges = self._charges(op, plan, fields)
        waited = 0.0
        while (refusal := self._backend.try_acquire(plan.gates, charges)) is not None:
            self._sleep(self._wait(op, refusal))
            waited += refusal.wait
        return waited

    async def acquire_async(self, op: _Operation, fields: Mapping[str, Any]) -> float:
        """As :meth:`acquire`, without blocking the event loop."""
        plan = self._plan(op)
        charges = self._charges(op, plan, fields)
        waited = 0.0
        while (refusal := await self._backend.try_acquire_async(plan.gates, charges)) is not None:
            await self._async_sleep(self._wait(op, refusal))
            waited += refusal.wait
        return waited

    def record(self, op: _Operation, fields: Mapping[str, Any], result: Any) -> None:
        """Learn from a call that succeeded (which orders exist, and since when)."""
        plan = self._plans.get(op.name)
        if plan is None or not plan.stateful:
            return
        now = self._clock()
        for limit, _ in plan.stateful:
            try:
                limit.record(self._owner, op.name, fields, result, now)
            except Exception:  # bookkeeping must never cost the caller a result: a placed order's txid
                _log.exception("%s: the %s limit could not record %s", self._limits.venue, limit.name, op.name)

    def penalize(self, op: _Operation, error: ExchangeError) -> None:
        """Hold back every call that ``op``'s limits cover while the venue's penalty in ``error`` lasts."""
        penalty = self._penalty(op, error)
        if penalty is not None:
            self._backend.penalize(*penalty)

    async def penalize_async(self, op: _Operation, error: ExchangeError) -> None:
        """As :meth:`penalize`, for the asynchronous clients."""
        penalty = self._penalty(op, error)
        if penalty is not None:
            await self._backend.penalize_async(*penalty)

    def _penalty(self, op: _Operation, error: ExchangeError) -> tuple[tuple[str, ...], float] | None:
        seconds = error.retry_after if isinstance(error, RateLimited) else None
        if seconds is None and isinstance(error.code, str):
            seconds = self._lockouts.get(error.code.casefold())
        gates = self._plan(op).gates
        return (gates, seconds) if seconds and seconds > 0 and gates else None

    def _wait(self, op: _Operation, refusal: Refusal) -> float:
        if refusal.penalty and refusal.wait > self._penalty_wait:
            raise RateLimited(
                f"held back for {refusal.wait:.0f} s more by the venue's earlier rate-limit penalty or lockout; "
                "not sent",
                retry_after=refusal.wait,
                venue=self._limits.venue,
                path=op.path,
            )
        return refusal.wait

    def _plan(self, op: _Operation) -> _Plan:
        plan = self._plans.get(op.name)
        if plan is None:
            plan = self._plans[op.name] = self._make_plan(op)
        return plan

    def _make_plan(self, op: _Operation) -> _Plan:
        venue = self._limits.venue
        gates: list[str] = []
        fixed: list[Charge] = []
        priced: list[tuple[str, Rule, Callable[[Mapping[str, Any]], float]]] = []
        for limit in self._limits.limits:
            if not limit.covers(op.path, op.private):
                continue
            counter = f"{venue}|{limit.name}|{self._owner if limit.per_key else 'ip'}"
            gates.append(counter)
            cost = limit.costs.get(op.name, limit.default_cost)
            if cost is None:
                raise ValueError(f"{venue}: operation {op.name!r} has no cost in the {limit.name!r} limit")
            if callable(cost):
                priced.append((counter, limit.rule, cost))
            elif cost > 0:
                fixed.append(Charge(counter, limit.rule, float(cost)))
        stateful = tuple(
            (limit, f"{venue}|{limit.name}|{self._owner}|")
            for limit in self._limits.stateful
            if op.name in limit.operations
        )
        return _Plan(tuple(gates), tuple(fixed), tuple(priced), stateful)

    def _charges(self, op: _Operation, plan: _Plan, fields: Mapping[str, Any]) -> tuple[Charge, ...]:
        if not plan.priced and not plan.stateful:
            return plan.fixed
        charges = list(plan.fixed)
        for counter, rule, price in plan.priced:
            cost = price(fields)
            if cost > 0:
                charges.append(Charge(counter, rule, cost))
        if plan.stateful:
            now = self._clock()
            for limit, prefix in plan.stateful:
                for partition, cost, hold in limit.charges(self._owner, op.name, fields, now):
                    charges.append(Charge(prefix + partition, limit.rule, cost, hold))
        return tuple(charges)
