"""Which Kraken Spot operations page, and how (exchange_clients._paging); checked against the operations.

Kraken answers 50 rows per call, newest first, as a mapping of id → row with the total ``count``; ``ofs``
skips rows. Each ``iter_`` method yields ``(id, row)`` pairs.
"""

from __future__ import annotations

from typing import Final

from exchange_clients._paging import Offset, Paging

PAGES: Final[dict[str, Paging]] = {
    "get_trade_history": Offset(items="trades"),
    "get_ledgers": Offset(items="ledger"),
    "get_closed_orders": Offset(items="closed"),
}
# An operation that takes one of these arguments pages, and needs an entry above.
PAGED_BY: Final = frozenset({"ofs"})
