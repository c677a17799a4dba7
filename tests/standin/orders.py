"""The orders the stand-in took, remembered so that they can be looked up again (``StandIn(remember_orders=True)``).

A placement that passed every check is remembered before any scenario replaces its answer: a 502 after the order
was taken is exactly the case reconciling is for. The lookups the reconcile plans use (Kraken Spot open orders by
``cl_ord_id``, Kraken Futures order status by ``cliOrdIds``, bitFlyer child orders by product) then answer from
memory; each answer is the documented example with the remembered order's own fields put in.
"""

from __future__ import annotations

import copy
import datetime
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .answers import ANSWERS
from .checks import body_fields
from .replies import Reply
from .routes import Operation, route_table

_PLACEMENTS = {("spot", "addOrder"), ("futures", "sendOrder"), ("bitflyer", "sendChildOrder")}


@dataclass
class OrderMemory:
    """Remembered orders per venue (thread-safe)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def observe(self, op: Operation, fields: Mapping[str, Any], now: float) -> None:
        if (op.venue, op.operation_id) not in _PLACEMENTS:
            return
        order = {**fields, "id": str(uuid.uuid4()), "at": now}
        with self.lock:
            self.orders.setdefault(op.venue, []).append(order)

    def clear(self) -> None:
        with self.lock:
            self.orders.clear()

    def answer(self, op: Operation, fields: Mapping[str, Any]) -> Reply | None:
        """The answer to a lookup of remembered orders, or None to answer as usual."""
        with self.lock:
            remembered = list(self.orders.get(op.venue, []))
        lookup = _LOOKUPS.get((op.venue, op.operation_id))
        return None if lookup is None or not remembered else lookup(op, fields, remembered)


def request_fields(query: str, body: bytes, media_type: str) -> dict[str, Any]:
    """A request's fields, query and body (read as the checks read it) together."""
    fields: dict[str, Any] = {name: values[-1] for name, values in parse_qs(query).items()}
    fields.update(body_fields(body, media_type) or {})
    return fields


def _example(venue: str, operation_id: str) -> Any:
    op = next(o for o in route_table(venue).operations if o.operation_id == operation_id)  # type: ignore[arg-type]
    return copy.deepcopy(ANSWERS.answer(op).value)


def _spot_open_orders(op: Operation, fields: Mapping[str, Any], orders: list[dict[str, Any]]) -> Reply | None:
    wanted = fields.get("cl_ord_id")
    found = [order for order in orders if wanted and order.get("cl_ord_id") == wanted]
    if not wanted:
        return None
    value = _example("spot", "getOpenOrders")
    template = next(iter(value["result"]["open"].values()))
    value["result"]["open"] = {
        f"O{order['id'][:5].upper()}-{order['id'][9:14].upper()}-{order['id'][24:30].upper()}": {
            **template,
            "cl_ord_id": order["cl_ord_id"],
            "vol": str(order.get("volume", template.get("vol"))),
            "descr": {**template["descr"], "pair": order.get("pair"), "type": order.get("type")},
        }
        for order in found
    }
    return Reply.json(200, value)


def _spot_closed_orders(op: Operation, fields: Mapping[str, Any], orders: list[dict[str, Any]]) -> Reply | None:
    # The stand-in fills nothing: a remembered order is open, so a search of closed orders by cl_ord_id finds none.
    if not fields.get("cl_ord_id"):
        return None
    value = _example("spot", "getClosedOrders")
    value["result"]["closed"] = {}
    value["result"]["count"] = 0
    return Reply.json(200, value)


def _futures_order_status(op: Operation, fields: Mapping[str, Any], orders: list[dict[str, Any]]) -> Reply | None:
    wanted = fields.get("cliOrdIds")
    if not wanted:
        return None
    value = _example("futures", "getOrderStatus")
    template = value["orders"][0]
    value["orders"] = [
        {**template, "order": {**template["order"], "cliOrdId": order["cliOrdId"], "orderId": order["id"]}}
        for order in orders
        if order.get("cliOrdId") == wanted
    ]
    return Reply.json(200, value)


def _bitflyer_child_orders(op: Operation, fields: Mapping[str, Any], orders: list[dict[str, Any]]) -> Reply:
    template = _example("bitflyer", "getChildOrders")[0]
    placed = [order for order in orders if order.get("product_code") == fields.get("product_code")]
    value = [
        {
            **template,
            "child_order_acceptance_id": f"JRF{order['id'][:8]}",
            "product_code": order["product_code"],
            "side": order["side"],
            "child_order_type": order.get("child_order_type", template["child_order_type"]),
            "price": order.get("price", template["price"]),
            "size": order["size"],
            "child_order_date": datetime.datetime.fromtimestamp(order["at"], datetime.timezone.utc)
            .replace(tzinfo=None)
            .isoformat(timespec="seconds"),
        }
        for order in reversed(placed)  # newest first, as bitFlyer lists them
    ]
    return Reply.json(200, value)


_LOOKUPS = {
    ("spot", "getOpenOrders"): _spot_open_orders,
    ("spot", "getClosedOrders"): _spot_closed_orders,
    ("futures", "getOrderStatus"): _futures_order_status,
    ("bitflyer", "getChildOrders"): _bitflyer_child_orders,
}
