"""Kraken Spot: the client, its signer and its envelope rules (Kraken Spot REST, https://api.kraken.com/0)."""

from exchange_clients._facades.kraken_spot import AsyncKrakenSpot, KrakenSpot
from exchange_clients.kraken_spot._auth import KrakenSpotAuth
from exchange_clients.kraken_spot._limits import spot_rate_limits
from exchange_clients.kraken_spot._profile import KRAKEN_SPOT_URL

__all__ = ["KRAKEN_SPOT_URL", "AsyncKrakenSpot", "KrakenSpot", "KrakenSpotAuth", "spot_rate_limits"]
