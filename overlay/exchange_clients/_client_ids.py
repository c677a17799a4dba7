"""Client order ids by default: an order the caller did not name gets an id, so that a lost answer can be looked up.

Where a venue lets the client name an order (Kraken Spot ``cl_ord_id``, Kraken Futures ``cliOrdId``), an order
request that names none is given a fresh UUID before it is signed. Each venue says, as data
(``CLIENT_ORDER_IDS`` in its venue module), which operations place orders and where the id goes. bitFlyer has no
client order id: its orders are reconciled by what they asked for.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import Any, NamedTuple

from exchange_clients._json import dumps_exact, loads_exact

__all__ = ["ClientId", "ClientIdField", "add_client_ids", "attach_client_ids", "new_client_id"]


class ClientIdField(NamedTuple):
    """Where an order request carries the client order id.

    ``field``: its wire name. ``unless``: the caller's other ways to name an order (Kraken Spot ``userref``); when
    one is given, no id is added. ``items``: the request's list of orders (batches), one id each. ``json_text``: the
    list travels as JSON text in this form field (Kraken Futures ``batchorder``). ``only``: ``(key, value)`` that an
    item must have to be an order placement (a batch also carries edits and cancels).
    """

    field: str
    unless: tuple[str, ...] = ()
    items: str | None = None
    json_text: str | None = None
    only: tuple[str, str] | None = None
    # The venue does not echo the id in its answer: the library puts it on the result (result[field]).
    attach: bool = False


class ClientId(NamedTuple):
    """An order's client id, and whether the library made it up (then it is set on the result too)."""

    value: str
    generated: bool


def new_client_id() -> str:
    """A random (version 4) UUID in its usual text form: what ``str(uuid.uuid4())`` gives, made on every order
    without the ``UUID`` object in between."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def add_client_ids(spec: ClientIdField, request: Mapping[str, Any]) -> list[ClientId]:
    """Give every order of the request that names none a client order id (``request`` is what the generated
    ``_get_kwargs`` returned, changed in place); return the ids of the request's orders, given or added, in order."""
    for part in ("json", "data", "params"):
        fields = request.get(part)
        if isinstance(fields, MutableMapping):
            return _add(spec, fields)
    return []


def _add(spec: ClientIdField, fields: MutableMapping[str, Any]) -> list[ClientId]:
    if spec.items is None:
        return [_name(spec, fields)]
    if spec.json_text is None:
        return _name_all(spec, fields.get(spec.items))
    text = fields.get(spec.json_text)
    try:
        document = loads_exact(text) if isinstance(text, str) else None
    except ValueError:
        return []  # not JSON: the venue will say so; nothing of ours to add
    orders = document.get(spec.items) if isinstance(document, dict) else None
    before = dumps_exact(document)
    ids = _name_all(spec, orders)
    after = dumps_exact(document)
    if after != before:  # ids were added: the text is written again (numbers kept exact)
        fields[spec.json_text] = after.decode("utf-8")
    return ids


def _name_all(spec: ClientIdField, orders: Any) -> list[ClientId]:
    if not isinstance(orders, list):
        return []
    ids = []
    for order in orders:
        if isinstance(order, MutableMapping) and (spec.only is None or order.get(spec.only[0]) == spec.only[1]):
            ids.append(_name(spec, order))
    return ids


def _named(spec: ClientIdField, order: Mapping[str, Any]) -> bool:
    if order.get(spec.field) not in (None, ""):
        return True
    return any(order.get(name) not in (None, "") for name in spec.unless)


def _name(spec: ClientIdField, order: MutableMapping[str, Any]) -> ClientId:
    """The order's client id: the caller's, or a new one ("" when the caller named it another way)."""
    if not _named(spec, order):
        made = order[spec.field] = new_client_id()
        return ClientId(made, generated=True)
    given = order.get(spec.field)
    return ClientId(str(given) if given not in (None, "") else "", generated=False)


def attach_client_ids(spec: ClientIdField, result: Any, ids: list[ClientId]) -> None:
    """Set the ids the library made up on a result the venue sent without them: ``result[field]`` for one order,
    ``result.<items>[i][field]`` for a batch (the venue answers a batch's orders in the order they were sent)."""
    if spec.items is None:
        _set(result, spec.field, ids[0])
        return
    placed = getattr(result, spec.items, None)
    if isinstance(placed, list) and len(placed) == len(ids):
        for order, client_id in zip(placed, ids, strict=True):
            _set(order, spec.field, client_id)


def _set(model: Any, field: str, client_id: ClientId) -> None:
    extras = getattr(model, "additional_properties", None)
    if isinstance(extras, dict) and client_id.generated:
        extras.setdefault(field, client_id.value)
