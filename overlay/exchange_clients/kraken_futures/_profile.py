"""Kraken Futures as the generic call path needs it: where, which credentials, how to sign, what an answer is."""

from __future__ import annotations

from exchange_clients._runtime import VenueProfile
from exchange_clients.kraken_futures._auth import KrakenFuturesAuth
from exchange_clients.kraken_futures._envelope import check_envelope
from exchange_clients.kraken_futures._limits import futures_rate_limits

PROFILE = VenueProfile(
    name="Kraken Futures",
    package="kraken_futures_api",
    # One host for every section; the demo environment is another base URL.
    default_base_url="https://futures.kraken.com",
    key_env="KRAKEN_FUTURES_API_KEY",
    secret_env="KRAKEN_FUTURES_API_SECRET",
    make_auth=KrakenFuturesAuth,
    check_envelope=check_envelope,
    rate_limits=futures_rate_limits,
    auth_options=("nonce",),
)
