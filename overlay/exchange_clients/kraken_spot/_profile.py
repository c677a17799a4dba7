"""Kraken Spot as the generic call path needs it: where, which credentials, how to sign, what an answer is."""

from __future__ import annotations

from typing import Final

from exchange_clients._runtime import VenueProfile
from exchange_clients.kraken_spot._auth import KrakenSpotAuth
from exchange_clients.kraken_spot._envelope import SPOT_REFUSALS, check_envelope
from exchange_clients.kraken_spot._limits import spot_rate_limits
from exchange_clients.kraken_spot._markets import SOURCE as MARKETS
from exchange_clients.kraken_spot._orders import CLIENT_ORDER_IDS, reconcile

# Scheme and host: the API's own path prefix comes from the spec.
KRAKEN_SPOT_URL: Final = "https://api.kraken.com"

PROFILE = VenueProfile(
    name="Kraken Spot",
    package="kraken_spot_api",
    default_base_url=KRAKEN_SPOT_URL,
    key_env="KRAKEN_API_KEY",
    secret_env="KRAKEN_API_SECRET",
    make_auth=KrakenSpotAuth,
    check_envelope=check_envelope,
    rate_limits=spot_rate_limits,
    auth_options=("otp", "nonce"),
    client_ids=CLIENT_ORDER_IDS,
    reconcile=reconcile,
    sequential=True,
    refusals=SPOT_REFUSALS,
    envelope_keys=("error", "result"),
    markets=MARKETS,
)
