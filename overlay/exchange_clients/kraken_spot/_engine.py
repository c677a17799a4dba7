"""Kraken Spot's matching-engine counter (docs "Spot Trading Limits"; reference kraken.md §4.2).

One counter per key and pair, shared by REST, WebSocket and FIX. Each order transaction raises it: a fixed
part, plus a part that grows the younger the order is (time since it was placed or last amended). It decays
by the tier's rate, and a transaction that would take it over the threshold is refused with
``EOrder:Rate limit exceeded``.

Choices, where the docs leave room:

- **Cancels never wait.** They are charged (so the adds and amends after them wait longer) but never held
  back. A delayed cancel leaves an order working in the market for seconds its owner wanted it gone; the
  docs state that a batch cancel over the threshold is still accepted, and say nothing of a single cancel
  being refused. Should the venue refuse one, the caller gets ``RateLimited`` at once and can fall back on
  ``cancel_order_batch``, which the docs say goes through.
- **Orders we did not place** (another process, a restart, the website) are unknown: their age and pair are
  not known, so a cancel or amend of one is charged nothing, and an edit (whose request names the pair) only
  its fixed part, as if the order were older than 300 s. Cancels and amends by ``userref`` are unknown too.
  The venue's ``EOrder:Rate limit exceeded`` is what then tells the caller.
- ``CancelAll`` is not in the docs' table; it is charged as a batch cancel of every order we know (and,
  like every charge, at most the threshold), and never waits.
- Pairs are counted as the request spells them: use one spelling per pair (``XBTUSD``, not sometimes
  ``XXBTZUSD``).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from exchange_clients._ratelimit import DecayingCounter

__all__ = ["ENGINE_TIERS", "HORIZON", "EngineCounter", "OrderAges", "age_penalty"]

ENGINE_TIERS = {
    "starter": DecayingCounter(60, 1.0),
    "intermediate": DecayingCounter(125, 2.34),
    "pro": DecayingCounter(180, 3.75),
}

HORIZON = 300.0
"""From this age on, amending, editing or cancelling an order carries no penalty."""

_AGE_BANDS = (5.0, 10.0, 15.0, 45.0, 90.0, HORIZON)
# Points by age band: under 5 s, 10 s, 15 s, 45 s, 90 s, 300 s.
_PENALTIES = {
    "amend": (3, 2, 1, 0, 0, 0),
    "edit": (6, 5, 4, 2, 1, 0),
    "cancel": (8, 6, 5, 4, 2, 1),
}
_FIXED = {"add": 1.0, "amend": 1.0, "edit": 1.0}


def age_penalty(transaction: str, age: float) -> float:
    """The points an ``amend``, ``edit`` or ``cancel`` of an order ``age`` seconds old adds."""
    band = bisect_right(_AGE_BANDS, age)
    return float(_PENALTIES[transaction][band]) if band < len(_AGE_BANDS) else 0.0


class _Order:
    __slots__ = ("ids", "pair", "since")

    def __init__(self, pair: str, ids: tuple[str, ...], since: float) -> None:
        self.pair = pair
        self.ids = ids
        self.since = since


class OrderAges:
    """Pair and time of placing (or last amend) of the orders this process placed, by txid and cl_ord_id.

    Bounded: an order older than :data:`HORIZON` carries no penalty and is forgotten, and at most
    ``capacity`` ids are kept (the oldest go first). Thread-safe.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._by_id: OrderedDict[str, _Order] = OrderedDict()  # oldest ``since`` first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._by_id)

    def place(self, pair: str, ids: Iterable[str], now: float) -> None:
        order = _Order(pair, tuple(ids), now)
        with self._lock:
            for order_id in order.ids:
                self._by_id[order_id] = order
                self._by_id.move_to_end(order_id)
            self._prune(now)

    def find(self, order_id: str, now: float) -> _Order | None:
        with self._lock:
            self._prune(now)
            return self._by_id.get(order_id)

    def orders(self, now: float) -> list[_Order]:
        with self._lock:
            self._prune(now)
            return list({id(order): order for order in self._by_id.values()}.values())

    def amended(self, order: _Order, now: float) -> None:
        with self._lock:
            order.since = now
            for order_id in order.ids:
                if self._by_id.get(order_id) is order:
                    self._by_id.move_to_end(order_id)

    def forget(self, orders: Iterable[_Order]) -> None:
        with self._lock:
            for order in orders:
                for order_id in order.ids:
                    if self._by_id.get(order_id) is order:
                        del self._by_id[order_id]

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()

    def _prune(self, now: float) -> None:
        by_id = self._by_id
        while by_id:
            order_id, order = next(iter(by_id.items()))
            if now - order.since < HORIZON and len(by_id) <= self._capacity:
                return
            del by_id[order_id]


_BOOKS: dict[str, OrderAges] = {}
_BOOKS_LOCK = threading.Lock()


def _book(owner: str) -> OrderAges:
    with _BOOKS_LOCK:
        book = _BOOKS.get(owner)
        if book is None:
            book = _BOOKS[owner] = OrderAges()
        return book


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: Any) -> list[str]:
    """A txid as the result carries it: a string, or a list of strings (AddOrder)."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str) and item]
    return []


def _reference(fields: Mapping[str, Any]) -> str | None:
    """The order an amend, edit or cancel names: txid or cl_ord_id (a userref, an int, is not tracked)."""
    reference = fields.get("txid", fields.get("cl_ord_id"))
    return reference if isinstance(reference, str) else None


def _batch_references(fields: Mapping[str, Any]) -> list[str]:
    entries = [*(fields.get("orders") or ()), *(fields.get("cl_ord_ids") or ())]
    return [ref for ref in (_reference(entry) for entry in entries if isinstance(entry, Mapping)) if ref]


_Charges = list[tuple[str, float, bool]]


def _price_add(book: OrderAges, fields: Mapping[str, Any], now: float) -> _Charges:
    pair = _text(fields.get("pair"))
    return [(pair, _FIXED["add"], True)] if pair else []


def _price_add_batch(book: OrderAges, fields: Mapping[str, Any], now: float) -> _Charges:
    pair = _text(fields.get("pair"))
    return [(pair, len(fields.get("orders") or ()) / 2, True)] if pair else []


def _price_change(transaction: str) -> Callable[[OrderAges, Mapping[str, Any], float], _Charges]:
    def price(book: OrderAges, fields: Mapping[str, Any], now: float) -> _Charges:
        reference = _reference(fields)
        order = book.find(reference, now) if reference else None
        pair = order.pair if order else _text(fields.get("pair"))
        if pair is None:
            return []
        penalty = age_penalty(transaction, now - order.since) if order else 0.0
        return [(pair, _FIXED[transaction] + penalty, True)]

    return price


def _price_cancel(book: OrderAges, fields: Mapping[str, Any], now: float) -> _Charges:
    reference = _reference(fields)
    order = book.find(reference, now) if reference else None
    return _cancel_charges([order] if order else [], now)


def _price_cancel_batch(book: OrderAges, fields: Mapping[str, Any], now: float) -> _Charges:
    found = (book.find(reference, now) for reference in _batch_references(fields))
    return _cancel_charges(list({id(order): order for order in found if order}.values()), now)


def _price_cancel_all(book: OrderAges, fields: Mapping[str, Any], now: float) -> _Charges:
    return _cancel_charges(book.orders(now), now)


def _cancel_charges(orders: list[_Order], now: float) -> _Charges:
    by_pair: dict[str, float] = {}
    for order in orders:
        by_pair[order.pair] = by_pair.get(order.pair, 0.0) + age_penalty("cancel", now - order.since)
    return [(pair, cost, False) for pair, cost in by_pair.items() if cost > 0]


def _record_add(book: OrderAges, fields: Mapping[str, Any], result: Any, now: float) -> None:
    pair = _text(fields.get("pair"))
    ids = [*_strings(getattr(result, "txid", None)), *_strings(fields.get("cl_ord_id"))]
    if pair and ids and not fields.get("validate"):
        book.place(pair, ids, now)


def _record_add_batch(book: OrderAges, fields: Mapping[str, Any], result: Any, now: float) -> None:
    pair = _text(fields.get("pair"))
    if pair is None or fields.get("validate"):
        return
    requested = fields.get("orders") or []
    placed = getattr(result, "orders", None) or []
    for request, answer in zip(requested, placed, strict=False):
        txids = _strings(getattr(answer, "txid", None))
        client_id = request.get("cl_ord_id") if isinstance(request, Mapping) else None
        if txids:
            book.place(pair, [*txids, *_strings(client_id)], now)


def _record_amend(book: OrderAges, fields: Mapping[str, Any], result: Any, now: float) -> None:
    reference = _reference(fields)
    order = book.find(reference, now) if reference else None
    if order is not None:
        book.amended(order, now)


def _record_edit(book: OrderAges, fields: Mapping[str, Any], result: Any, now: float) -> None:
    # An edit replaces the order: a new txid, resting from now on.
    reference = _reference(fields)
    order = book.find(reference, now) if reference else None
    if order is not None:
        book.forget([order])
    pair = _text(fields.get("pair"))
    txids = _strings(getattr(result, "txid", None))
    if pair and txids and not fields.get("validate"):
        book.place(pair, txids, now)


def _record_cancel(book: OrderAges, fields: Mapping[str, Any], result: Any, now: float) -> None:
    reference = _reference(fields)
    order = book.find(reference, now) if reference else None
    if order is not None:
        book.forget([order])


def _record_cancel_batch(book: OrderAges, fields: Mapping[str, Any], result: Any, now: float) -> None:
    found = (book.find(reference, now) for reference in _batch_references(fields))
    book.forget([order for order in found if order is not None])


def _record_cancel_all(book: OrderAges, fields: Mapping[str, Any], result: Any, now: float) -> None:
    book.clear()


_PRICES: Mapping[str, Callable[[OrderAges, Mapping[str, Any], float], _Charges]] = {
    "add_order": _price_add,
    "add_order_batch": _price_add_batch,
    "amend_order": _price_change("amend"),
    "edit_order": _price_change("edit"),
    "cancel_order": _price_cancel,
    "cancel_order_batch": _price_cancel_batch,
    "cancel_all_orders": _price_cancel_all,
}
_RECORDS: Mapping[str, Callable[[OrderAges, Mapping[str, Any], Any, float], None]] = {
    "add_order": _record_add,
    "add_order_batch": _record_add_batch,
    "amend_order": _record_amend,
    "edit_order": _record_edit,
    "cancel_order": _record_cancel,
    "cancel_order_batch": _record_cancel_batch,
    "cancel_all_orders": _record_cancel_all,
}


class EngineCounter(NamedTuple):
    """The engine counter of one tier as a stateful limit: prices order transactions by pair and age."""

    rule: DecayingCounter
    name: str = "engine"
    operations: frozenset[str] = frozenset(_PRICES)

    def charges(self, owner: str, operation: str, fields: Mapping[str, Any], now: float) -> _Charges:
        return _PRICES[operation](_book(owner), fields, now)

    def record(self, owner: str, operation: str, fields: Mapping[str, Any], result: Any, now: float) -> None:
        _RECORDS[operation](_book(owner), fields, result, now)
