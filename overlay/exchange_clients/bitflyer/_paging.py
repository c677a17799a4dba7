"""Which bitFlyer operations page, and how (exchange_clients._paging); checked against the operations.

Lists come newest first, ``count`` per page (default 100), ``before`` an id (exclusive): the next page asks for
what is older than the last id seen, so rows that arrive meanwhile never shift the pages.
"""

from __future__ import annotations

from typing import Final

from exchange_clients._paging import Cursor, Paging

_BEFORE = Cursor(param="before", key="id", page_size=100, size_param="count")

PAGES: Final[dict[str, Paging]] = {
    name: _BEFORE
    for name in (
        "get_executions",
        "get_executions_alias",
        "get_my_executions",
        "get_child_orders",
        "get_parent_orders",
        "get_balance_history",
        "get_collateral_history",
        "get_coin_ins",
        "get_coin_outs",
        "get_deposits",
        "get_withdrawals",
    )
}
PAGED_BY: Final = frozenset({"before"})
