"""A user's everyday script, type-checked by tests/typing/test_user_types.py (never run): keyword-argument orders on
all three venues, a pair map iterated, a Decimal read from a ticker passed back into an order."""

from __future__ import annotations

from decimal import Decimal

from exchange_clients import Bitflyer, KrakenFutures, KrakenSpot, OrderOutcomeUnknown
from kraken_futures_api.models import MarketTicker


def rebalance() -> None:
    with KrakenSpot() as spot, KrakenFutures() as futures, Bitflyer() as bitflyer:
        balances = spot.get_account_balance()
        total = sum((amount for amount in balances.values()), Decimal(0))
        for asset, amount in balances.items():
            print(asset, amount.quantize(Decimal("0.0001")), amount / total if total else 0)

        for pair, ticker in spot.get_ticker_information(pair="XBTUSD,ETHUSD").items():
            if ticker.b and ticker.a:
                mid: Decimal = (ticker.b[0] + ticker.a[0]) / 2
                try:
                    spot.add_order(pair=pair, type="buy", ordertype="limit", volume=Decimal("0.01"), price=mid)
                except OrderOutcomeUnknown as lost:
                    print(spot.reconcile(lost).found)
        spot.add_order(pair="XBTUSD", type="sell", ordertype="stop-loss", volume=Decimal("0.01"), price="#2%")
        spot.cancel_order(txid="OQCLML-BW3P3-BUCMWZ")

        perpetual = futures.get_ticker(symbol="PF_XBTUSD").ticker
        if isinstance(perpetual, MarketTicker) and perpetual.bid:
            futures.send_order(
                order_type="lmt", symbol="PF_XBTUSD", side="buy", size=Decimal(1), limit_price=perpetual.bid
            )

        board = bitflyer.get_ticker(product_code="BTC_JPY")
        bitflyer.send_child_order(
            product_code="BTC_JPY", child_order_type="LIMIT", side="BUY", price=board.best_bid, size=Decimal("0.01")
        )
