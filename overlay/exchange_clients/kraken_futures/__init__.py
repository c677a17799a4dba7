"""Kraken Futures client overlay."""

from exchange_clients._facades.kraken_futures import AsyncKrakenFutures, KrakenFutures
from exchange_clients.kraken_futures._auth import KrakenFuturesAuth
from exchange_clients.kraken_futures._limits import futures_rate_limits
from exchange_clients.kraken_futures._profile import KRAKEN_FUTURES_DEMO_URL, KRAKEN_FUTURES_URL

__all__ = [
    "KRAKEN_FUTURES_DEMO_URL",
    "KRAKEN_FUTURES_URL",
    "AsyncKrakenFutures",
    "KrakenFutures",
    "KrakenFuturesAuth",
    "futures_rate_limits",
]
