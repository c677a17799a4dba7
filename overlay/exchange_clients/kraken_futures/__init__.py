"""Kraken Futures client overlay."""

from exchange_clients._facades.kraken_futures import AsyncKrakenFutures, KrakenFutures
from exchange_clients.kraken_futures._auth import KrakenFuturesAuth
from exchange_clients.kraken_futures._limits import futures_rate_limits

__all__ = ["AsyncKrakenFutures", "KrakenFutures", "KrakenFuturesAuth", "futures_rate_limits"]
