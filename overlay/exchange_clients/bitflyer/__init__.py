"""bitFlyer Lightning client overlay."""

from exchange_clients._facades.bitflyer import AsyncBitflyer, Bitflyer
from exchange_clients.bitflyer._auth import BitflyerAuth
from exchange_clients.bitflyer._limits import bitflyer_rate_limits
from exchange_clients.bitflyer._profile import BITFLYER_URL

__all__ = ["BITFLYER_URL", "AsyncBitflyer", "Bitflyer", "BitflyerAuth", "bitflyer_rate_limits"]
