"""Kraken Spot orders the library can find again: the client order id it adds, and how to look an order up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from exchange_clients._client_ids import ClientIdField
from exchange_clients._reconcile import Lookup, Plan, Reconciliation, Unknown

# An order that names itself neither by cl_ord_id nor by userref (they are mutually exclusive) gets a cl_ord_id.
CLIENT_ORDER_IDS: Final[Mapping[str, ClientIdField]] = {
    # Kraken does not echo cl_ord_id in AddOrder's answer: the library sets it on the result (result["cl_ord_id"]).
    "add_order": ClientIdField("cl_ord_id", unless=("userref",), attach=True),
    "add_order_batch": ClientIdField("cl_ord_id", unless=("userref",), items="orders", attach=True),
}


def reconcile(unknown: Unknown) -> Plan:
    """Open orders by ``cl_ord_id``, then closed ones (Kraken keeps both searchable by it)."""
    cid = unknown.client_order_id
    if not cid:
        return Reconciliation(False, checked=("no client order id was sent: nothing to look up by",))
    opened = yield Lookup("get_open_orders", {"cl_ord_id": cid})
    found = _first(getattr(opened, "open_", None))
    if found is not None:
        return Reconciliation(True, found, "open", checked=("open orders",))
    since = {} if unknown.sent_at is None else {"start": int(unknown.sent_at) - 60}
    closed = yield Lookup("get_closed_orders", {"cl_ord_id": cid, **since})
    found = _first(getattr(closed, "closed", None))
    if found is not None:
        return Reconciliation(True, found, "closed", checked=("open orders", "closed orders"))
    return Reconciliation(False, checked=("open orders", "closed orders"))


def _first(orders: Any) -> Any:
    """The order of a txid -> order map (at most one matches a cl_ord_id), with its txid."""
    if isinstance(orders, Mapping):
        for txid, order in orders.items():
            return (txid, order)
    return None
