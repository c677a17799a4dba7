"""Which Kraken Futures operations page, and how (exchange_clients._paging); checked against the operations.

The history API (/api/history/v3) hands out a ``continuationToken``; fills come 100 at a time before
``lastFillTime``; the account log comes newest first, ``to`` an id (inclusive, hence one less than the last seen).
"""

from __future__ import annotations

from typing import Final

from exchange_clients._paging import Cursor, Paging, Token

_EVENTS = Token(items="elements", key="uid")

PAGES: Final[dict[str, Paging]] = {
    "get_execution_events": _EVENTS,
    "get_order_events": _EVENTS,
    "get_trigger_events": _EVENTS,
    "get_position_events": Token(items="elements", key=None),  # position updates carry no id of their own
    "get_public_execution_events": _EVENTS,
    "get_public_order_events": _EVENTS,
    "get_public_price_events": _EVENTS,
    # A fill time is shared by the fills of one order: the next page starts at it again, and ids drop repeats.
    "get_fills": Cursor(param="last_fill_time", key="fill_time", unique="fill_id", items="fills", page_size=100),
    "account_log": Cursor(
        param="to", key="id", step=-1, items="logs", page_size=500, size_param="count", order_param="sort"
    ),
}
PAGED_BY: Final = frozenset({"continuation_token", "last_fill_time"})
