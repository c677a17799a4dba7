"""bitFlyer as the generic call path needs it: where, which credentials, how to sign, what an answer is."""

from __future__ import annotations

from typing import Final

from exchange_clients._runtime import VenueProfile
from exchange_clients.bitflyer._auth import BitflyerAuth
from exchange_clients.bitflyer._envelope import BITFLYER_REFUSALS, check_envelope
from exchange_clients.bitflyer._limits import bitflyer_rate_limits
from exchange_clients.bitflyer._markets import SOURCE as MARKETS
from exchange_clients.bitflyer._orders import CLIENT_ORDER_IDS, reconcile

# Scheme and host: the API's own path prefix comes from the spec.
BITFLYER_URL: Final = "https://api.bitflyer.com"

PROFILE = VenueProfile(
    name="bitFlyer",
    package="bitflyer_api",
    default_base_url=BITFLYER_URL,
    key_env="BITFLYER_API_KEY",
    secret_env="BITFLYER_API_SECRET",
    make_auth=BitflyerAuth,
    check_envelope=check_envelope,
    rate_limits=bitflyer_rate_limits,
    auth_options=("clock",),
    client_ids=CLIENT_ORDER_IDS,
    reconcile=reconcile,
    sequential=False,
    refusals=BITFLYER_REFUSALS,
    envelope_keys=("status", "error_message"),
    markets=MARKETS,
)
