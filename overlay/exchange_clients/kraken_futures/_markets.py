"""Kraken Futures' markets: the instruments, by symbol (``PF_XBTUSD``; the venue writes symbols in either case).

``tickSize`` is the price step; ``contractValueTradePrecision`` the decimals a size may have (negative: sizes in
whole thousands, as for PF_PEPEUSD), so the smallest order is one step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from exchange_clients._markets import Market, Markets, MarketSource, known, known_decimal, step_of_decimals


def build(results: Sequence[Any]) -> Markets:
    (answer,) = results
    markets = []
    for instrument in answer.instruments:
        precision = known(instrument.contract_value_trade_precision)
        lot = step_of_decimals(precision)
        pair = known(instrument.pair) or ""
        base, _, quote = pair.partition(":")
        markets.append(
            Market(
                symbol=instrument.symbol,
                names=(instrument.symbol,),
                base=known(instrument.base) or base,
                quote=known(instrument.quote) or quote,
                tick_size=known_decimal(instrument.tick_size),
                lot_size=lot,
                min_size=lot,
                raw=instrument,
            )
        )
    # Several instruments share a pair (PI_XBTUSD, PF_XBTUSD, dated futures): BASE/QUOTE finds the first listed.
    return Markets("Kraken Futures", markets, aliases={"XBT": "BTC", "BTC": "XBT"})


SOURCE: Final = MarketSource(calls=(("get_instruments", {}),), build=build)
