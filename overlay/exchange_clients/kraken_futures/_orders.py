"""Kraken Futures orders the library can find again: the client order id it adds, and how to look an order up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from exchange_clients._client_ids import ClientIdField
from exchange_clients._reconcile import Lookup, Plan, Reconciliation, Unknown

CLIENT_ORDER_IDS: Final[Mapping[str, ClientIdField]] = {
    "send_order": ClientIdField("cliOrdId"),
    # The instructions travel as JSON text in the form field `json`; only the sends place orders.
    "send_batch_order": ClientIdField("cliOrdId", items="batchOrder", json_text="json", only=("order", "send")),
}


def reconcile(unknown: Unknown) -> Plan:
    """The order's status by ``cliOrdId`` (open orders, and those filled or cancelled in the last seconds), then the
    account's recent fills, for an order that filled and left the status list."""
    cid = unknown.client_order_id
    if not cid:
        return Reconciliation(False, checked=("no client order id was sent: nothing to look up by",))
    status = yield Lookup("get_order_status", {"cli_ord_ids": [cid]})
    for entry in getattr(status, "orders", None) or []:
        order = getattr(entry, "order", None)
        if getattr(order, "cli_ord_id", None) == cid:
            return Reconciliation(True, entry, str(getattr(entry, "status", "")), checked=("order status",))
    fills = yield Lookup("get_fills", {})
    matched = tuple(fill for fill in getattr(fills, "fills", None) or [] if _cli_ord_id(fill) == cid)
    if matched:
        return Reconciliation(True, matched[0], "filled", candidates=matched, checked=("order status", "fills"))
    return Reconciliation(False, checked=("order status", "fills"))


def _cli_ord_id(fill: Any) -> Any:
    value = getattr(fill, "cli_ord_id", None)
    return value if isinstance(value, str) else None
