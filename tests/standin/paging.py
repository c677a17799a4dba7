"""Long lists served a page at a time, with each venue's paging semantics, for the ``iter_`` tests.

``StandIn.serve_pages(venue, operation_id, rows=600, arriving=3)`` makes the operation answer from a list of
``rows`` rows (newest first), each built from the documented answer's first row with its own id and time, and
adds ``arriving`` newer rows after each page served, as a busy account would while someone pages:

- ``offset`` (Kraken Spot): ``ofs`` skips rows, 50 a page, with the total ``count``; new rows shift the pages.
- ``token`` (Kraken Futures history): ``continuationToken`` names where the next page starts.
- ``cursor`` (bitFlyer ``before``, exclusive; Futures ``lastFillTime`` and account-log ``to``, inclusive): rows
  older than the bound; new rows arrive above it and shift nothing.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .checks import Incoming
from .replies import Reply


@dataclass(frozen=True)
class Style:
    kind: str  # "offset" | "token" | "cursor"
    items: str | None  # where the rows are in the answer (under "result" for Kraken Spot); None: the answer
    param: str  # the wire parameter that moves the page
    page_size: int
    size_param: str | None = None
    inclusive: bool = False  # a cursor bound that includes the row it names


_EVENTS = Style("token", "elements", "continuation_token", 100, "count")
_BEFORE = Style("cursor", None, "before", 100, "count")
STYLES: dict[tuple[str, str], Style] = {
    ("spot", "getTradeHistory"): Style("offset", "trades", "ofs", 50),
    ("spot", "getLedgers"): Style("offset", "ledger", "ofs", 50),
    ("spot", "getClosedOrders"): Style("offset", "closed", "ofs", 50),
    ("futures", "getExecutionEvents"): _EVENTS,
    ("futures", "getOrderEvents"): _EVENTS,
    ("futures", "getPositionEvents"): _EVENTS,
    ("futures", "getFills"): Style("cursor", "fills", "lastFillTime", 100, inclusive=True),
    ("futures", "accountLog"): Style("cursor", "logs", "to", 500, "count", inclusive=True),
    **{
        ("bitflyer", name): _BEFORE for name in ("getMyExecutions", "getChildOrders", "getBalanceHistory", "getCoinIns")
    },
}
_EPOCH = 1_700_000_000


def _iso(ordinal: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(_EPOCH + ordinal)) + ".000Z"


def _ordinal_of_iso(text: str) -> int:
    return int(time.mktime(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone) - _EPOCH


@dataclass
class PagedRows:
    """The rows of one operation, newest first, and what was served from them."""

    venue: str
    operation_id: str
    style: Style
    template: dict[str, Any]  # the documented answer
    arriving: int
    ordinals: list[int] = field(default_factory=list)  # newest first
    pages_served: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[Any]:
        """Each row's identity as the client sees it (a Kraken id, a uid, a fill id, an id), newest first."""
        with self.lock:
            return [self._row(n)[0] for n in self.ordinals]

    def reply(self, incoming: Incoming) -> Reply:
        with self.lock:
            fields = _fields(incoming)
            page = self._page(fields)
            self.pages_served += 1
            newest = self.ordinals[0] if self.ordinals else 0
            self.ordinals[:0] = range(newest + self.arriving, newest, -1)
            return Reply.json(200, page)

    def _page(self, fields: dict[str, str]) -> Any:
        style = self.style
        size = int(fields.get(style.size_param or "", style.page_size))
        if style.kind == "offset":
            start = int(fields.get(style.param, "0"))
            chosen = self.ordinals[start : start + style.page_size]
            return self._answer(chosen, count=len(self.ordinals))
        bound = fields.get(style.param)
        if bound is None:
            older = self.ordinals
        else:
            limit = self._bound(bound)
            older = [n for n in self.ordinals if n < limit or (style.inclusive and n == limit)]
        chosen = older[:size]
        more = len(older) > size
        return self._answer(chosen, token=str(chosen[-1]) if style.kind == "token" and more else None)

    def _bound(self, value: str) -> int:
        if self.style.kind == "token":
            return int(value)  # the token names the last row served: the next page is older
        if self.style.param == "lastFillTime":
            return _ordinal_of_iso(value)
        return int(value)

    def _answer(self, ordinals: list[int], count: int | None = None, token: str | None = None) -> Any:
        rows = [self._row(n) for n in ordinals]
        answer = copy.deepcopy(self.template)
        if self.style.kind == "offset":
            answer["result"] = {self.style.items: dict(rows), "count": count}
            return answer
        listed = [row for _, row in rows]
        if self.style.items is None:
            return listed
        answer[self.style.items] = listed
        if "len" in answer:
            answer["len"] = len(listed)
        answer.pop("continuationToken", None)
        if token is not None:
            answer["continuationToken"] = token
        return answer

    def _row(self, ordinal: int) -> tuple[Any, Any]:
        """(identity, row) of the row with this ordinal: the template's first row with its own id and time."""
        row = copy.deepcopy(_first_row(self.template, self.style))
        if self.style.kind == "offset":
            row["time"] = _EPOCH + ordinal
            return f"R{ordinal:06d}-PAGED-ROW", row
        if "uid" in row:
            row["uid"], row["timestamp"] = f"uid-{ordinal:06d}", (_EPOCH + ordinal) * 1000
            return row["uid"], row
        if "fillTime" in row:
            row["fillTime"] = _iso(ordinal)
            row["fill_id"] = str(uuid.UUID(int=ordinal))
            return row["fill_id"], row
        row["id"] = ordinal
        for key in ("date", "exec_date", "child_order_date", "event_date"):
            if key in row and isinstance(row[key], str):
                row[key] = _iso(ordinal).replace("Z", "")
        return ordinal, row


def _first_row(template: Any, style: Style) -> Any:
    if style.kind == "offset":
        return next(iter(template["result"][style.items].values()))
    return (template if style.items is None else template[style.items])[0]


def _fields(incoming: Incoming) -> dict[str, str]:
    """The request's query and (form or JSON) body fields, one value each."""
    found = {name: values[-1] for name, values in parse_qs(incoming.query).items()}
    if incoming.body:
        if incoming.media_type == "application/json":
            found.update({name: str(value) for name, value in json.loads(incoming.body).items()})
        else:
            found.update({k: v[-1] for k, v in parse_qs(incoming.body.decode()).items()})
    return found


def paged_rows(venue: str, operation_id: str, template: Any, rows: int, arriving: int) -> PagedRows:
    style = STYLES.get((venue, operation_id))
    if style is None:
        raise ValueError(f"the stand-in does not page {venue} {operation_id}; add it to STYLES")
    paged = PagedRows(venue, operation_id, style, template, arriving)
    paged.ordinals = list(range(rows, 0, -1))
    return paged
