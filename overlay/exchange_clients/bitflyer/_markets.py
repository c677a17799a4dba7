"""bitFlyer's markets: ``getmarkets``, by product code (``BTC_JPY``) or alias (``BTCJPY_MAT1WK``).

bitFlyer's market list publishes no tick, lot or minimum order, so those stay ``None`` (the rounding helpers
say so rather than guess); base and quote come from the product code where it has the ``BASE_QUOTE`` form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from exchange_clients._markets import Market, Markets, MarketSource, known


def build(results: Sequence[Any]) -> Markets:
    (listed,) = results
    markets = []
    for market in listed:
        code = market.product_code
        parts = code.split("_")
        # FX_BTC_JPY is BTC against JPY (on margin); a dated future (BTCJPY28SEP2018) names no assets.
        base, quote = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")
        alias = known(market.alias)
        markets.append(
            Market(symbol=code, names=(code, alias) if alias else (code,), base=base, quote=quote, raw=market)
        )
    return Markets("bitFlyer", markets)


SOURCE: Final = MarketSource(calls=(("get_markets", {}),), build=build)
