"""bitFlyer orders the library can find again. bitFlyer has no client order id: an order whose answer was lost is
looked for among the product's recent orders, by what it asked for (side, size, price) and when it was sent."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from exchange_clients._client_ids import ClientIdField
from exchange_clients._reconcile import Lookup, Plan, Reconciliation, Unknown

CLIENT_ORDER_IDS: Final[Mapping[str, ClientIdField]] = {}
# An order is looked for from a little before it was sent (clocks differ) to a while after (venues queue).
_EARLIEST, _LATEST = datetime.timedelta(seconds=10), datetime.timedelta(minutes=5)


def reconcile(unknown: Unknown) -> Plan:
    fields = unknown.fields
    product = fields.get("product_code")
    if not product:
        return Reconciliation(False, checked=("the lost call named no product_code: nothing to look up by",))
    orders = yield Lookup("get_child_orders", {"product_code": product, "count": 100})
    matched = tuple(order for order in orders or [] if _matches(order, fields, unknown.sent_at))
    checked = (f"the last 100 child orders of {product}",)
    if len(matched) == 1:
        return Reconciliation(True, matched[0], str(matched[0].child_order_state), matched, checked)
    return Reconciliation(False, candidates=matched, checked=checked)


def _matches(order: Any, fields: Mapping[str, Any], sent_at: float | None) -> bool:
    if str(getattr(order, "side", "")) != str(fields.get("side", "")):
        return False
    if _number(getattr(order, "size", None)) != _number(fields.get("size")):
        return False
    if fields.get("child_order_type") == "LIMIT" and _number(order.price) != _number(fields.get("price")):
        return False
    if sent_at is None:
        return True
    try:  # "2015-07-07T08:45:53.31", UTC without a zone; the fraction is dropped (3.10 reads 3 or 6 digits only)
        placed = datetime.datetime.fromisoformat(str(order.child_order_date).partition(".")[0])
    except ValueError:
        return False
    placed = placed.replace(tzinfo=datetime.timezone.utc)
    sent = datetime.datetime.fromtimestamp(sent_at, datetime.timezone.utc)
    return sent - _EARLIEST <= placed <= sent + _LATEST


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
