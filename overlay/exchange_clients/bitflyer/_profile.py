"""bitFlyer as the generic call path needs it: where, which credentials, how to sign, what an answer is."""

from __future__ import annotations

from exchange_clients._runtime import VenueProfile
from exchange_clients.bitflyer._auth import BitflyerAuth
from exchange_clients.bitflyer._envelope import check_envelope
from exchange_clients.bitflyer._limits import bitflyer_rate_limits

PROFILE = VenueProfile(
    name="bitFlyer",
    package="bitflyer_api",
    default_base_url="https://api.bitflyer.com",
    key_env="BITFLYER_API_KEY",
    secret_env="BITFLYER_API_SECRET",
    make_auth=BitflyerAuth,
    check_envelope=check_envelope,
    rate_limits=bitflyer_rate_limits,
    auth_options=("clock",),
)
