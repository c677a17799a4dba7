"""Kraken Spot's markets: AssetPairs for the pairs, Assets for the asset codes (``XXBT`` → ``XBT``).

A pair has three names: its id (``XXBTZUSD``, the key of every pair-keyed answer), ``altname`` (``XBTUSD``, what
users type) and ``wsname`` (``XBT/USD``, the WebSocket API's). Prices are refused with more than ``pair_decimals``
places (or off ``tick_size`` where the pair has one), volumes with more than ``lot_decimals``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from exchange_clients._markets import Market, Markets, MarketSource, known, known_decimal, step_of_decimals

# The same asset under two codes: Kraken writes Bitcoin XBT and Dogecoin XDG where the rest of the world says
# BTC and DOGE, so "BTC/USD" finds XBTUSD too.
ALIASES: Final = {"XBT": "BTC", "BTC": "XBT", "XDG": "DOGE", "DOGE": "XDG"}


def _entries(result: Any) -> Mapping[str, Any]:
    entries: Mapping[str, Any] = getattr(result, "additional_properties", result)
    return entries


def build(results: Sequence[Any]) -> Markets:
    """Markets from the typed answers of Assets and AssetPairs."""
    assets_result, pairs_result = results
    assets = {code: known(info.altname) or code for code, info in _entries(assets_result).items()}
    markets = []
    for pair_id, pair in _entries(pairs_result).items():
        names = tuple(dict.fromkeys(n for n in (pair_id, known(pair.altname), known(pair.wsname)) if n))
        base, quote = known(pair.base) or "", known(pair.quote) or ""
        markets.append(
            Market(
                symbol=pair_id,
                names=names,
                base=assets.get(base, base),
                quote=assets.get(quote, quote),
                tick_size=known_decimal(pair.tick_size) or step_of_decimals(known(pair.pair_decimals)),
                lot_size=step_of_decimals(known(pair.lot_decimals)),
                min_size=known_decimal(pair.ordermin),
                min_cost=known_decimal(pair.costmin),
                raw=pair,
            )
        )
    return Markets("Kraken Spot", markets, assets, ALIASES)


SOURCE: Final = MarketSource(calls=(("get_asset_info", {}), ("get_tradable_asset_pairs", {})), build=build)
