"""What became of an order whose outcome is unknown: ``client.reconcile(error)``.

After an ``OrderOutcomeUnknown``, resending is how orders get placed twice. Instead the client looks the order up
at the venue: each venue module writes its search as a plan (a generator that yields the lookups to make and gets
their results back), so that one plan serves the sync and the async facades alike.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from exchange_clients.errors import InvalidArguments, OrderOutcomeUnknown

__all__ = ["AsyncReconcile", "Lookup", "Plan", "Reconciliation", "SyncReconcile", "Unknown"]


@dataclass(frozen=True)
class Reconciliation:
    """What the venue knows of the order.

    ``found``: the order exists (it was placed, whatever happened to it since); then ``order`` is the venue's own
    record of it and ``state`` where it was found (``open``, ``closed``, ...). Not found means the venue has no such
    order *now*: wait a few seconds after the failure (a venue may still be processing it) and ask again before
    concluding it was never placed. ``candidates`` holds every match where the venue has no client order id
    (bitFlyer): one is ``found``; several mean the order cannot be told apart from its neighbours. ``checked`` says
    what was looked at.
    """

    found: bool
    order: Any = None
    state: str = ""
    candidates: tuple[Any, ...] = ()
    checked: tuple[str, ...] = field(default=())


class Lookup(NamedTuple):
    """One read the plan needs: a facade operation and its arguments."""

    operation: str
    arguments: Mapping[str, Any]


class Unknown(NamedTuple):
    """The order to find, as the lost call asked for it."""

    client_order_id: str | None
    fields: Mapping[str, Any]
    sent_at: float | None
    operation: str | None


Plan = Generator[Lookup, Any, Reconciliation]
PlanFactory = Callable[[Unknown], Plan]


def _unknown(
    venue: str, plan: PlanFactory | None, outcome: OrderOutcomeUnknown | None, client_order_id: str | None
) -> Unknown:
    if plan is None:
        raise InvalidArguments(f"{venue}: reconcile is not offered for this venue", venue=venue, code="client-side")
    if outcome is not None:
        return Unknown(outcome.client_order_id or client_order_id, outcome.fields, outcome.sent_at, outcome.operation)
    if client_order_id is None:
        raise InvalidArguments(
            f"{venue} reconcile: give the OrderOutcomeUnknown error or a client_order_id",
            venue=venue,
            code="client-side",
        )
    return Unknown(client_order_id, {}, None, None)


class SyncReconcile:
    """``reconcile`` for the synchronous facades (mixed into them)."""

    profile: ClassVar[Any]

    def reconcile(
        self, outcome: OrderOutcomeUnknown | None = None, *, client_order_id: str | None = None
    ) -> Reconciliation:
        """Look up the order behind ``outcome`` (an ``OrderOutcomeUnknown``), or the order named ``client_order_id``.

        Catch ``OrderOutcomeUnknown``, reconcile, then decide: a found order was placed, do not place it again.
        """
        plan = self.profile.reconcile(_unknown(self.profile.name, self.profile.reconcile, outcome, client_order_id))
        try:
            lookup = next(plan)
            while True:
                lookup = plan.send(getattr(self, lookup.operation)(**lookup.arguments))
        except StopIteration as done:
            result: Reconciliation = done.value
            return result


class AsyncReconcile:
    """``reconcile`` for the asynchronous facades (mixed into them)."""

    profile: ClassVar[Any]

    async def reconcile(
        self, outcome: OrderOutcomeUnknown | None = None, *, client_order_id: str | None = None
    ) -> Reconciliation:
        """Look up the order behind ``outcome`` (an ``OrderOutcomeUnknown``), or the order named ``client_order_id``.

        Catch ``OrderOutcomeUnknown``, reconcile, then decide: a found order was placed, do not place it again.
        """
        plan = self.profile.reconcile(_unknown(self.profile.name, self.profile.reconcile, outcome, client_order_id))
        try:
            lookup = next(plan)
            while True:
                lookup = plan.send(await getattr(self, lookup.operation)(**lookup.arguments))
        except StopIteration as done:
            result: Reconciliation = done.value
            return result
