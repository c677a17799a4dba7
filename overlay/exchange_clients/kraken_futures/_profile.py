"""Kraken Futures as the generic call path needs it: where, which credentials, how to sign, what an answer is."""

from __future__ import annotations

from typing import Final

from exchange_clients._runtime import VenueProfile
from exchange_clients.kraken_futures._auth import KrakenFuturesAuth
from exchange_clients.kraken_futures._envelope import check_envelope
from exchange_clients.kraken_futures._limits import futures_rate_limits
from exchange_clients.kraken_futures._markets import SOURCE as MARKETS
from exchange_clients.kraken_futures._orders import CLIENT_ORDER_IDS, reconcile

# Scheme and host: the API's own path prefix comes from the spec.
KRAKEN_FUTURES_URL: Final = "https://futures.kraken.com"
# The demo environment (paper trading), same API: ``KrakenFutures(base_url=KRAKEN_FUTURES_DEMO_URL)``.
KRAKEN_FUTURES_DEMO_URL: Final = "https://demo-futures.kraken.com"

PROFILE = VenueProfile(
    name="Kraken Futures",
    package="kraken_futures_api",
    default_base_url=KRAKEN_FUTURES_URL,
    key_env="KRAKEN_FUTURES_API_KEY",
    secret_env="KRAKEN_FUTURES_API_SECRET",
    make_auth=KrakenFuturesAuth,
    check_envelope=check_envelope,
    rate_limits=futures_rate_limits,
    auth_options=("nonce",),
    client_ids=CLIENT_ORDER_IDS,
    reconcile=reconcile,
    sequential=True,
    envelope_keys=("result", "error", "errors"),
    markets=MARKETS,
)
