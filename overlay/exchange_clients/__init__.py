"""exchange_clients: typed clients for Kraken Spot, Kraken Futures and bitFlyer.

The generated packages (``kraken_spot_api``, ``kraken_futures_api``, ``bitflyer_api``) carry the models;
this package adds authentication, envelope and status unwrapping, typed errors and one facade per venue::

    from exchange_clients import KrakenSpot

    with KrakenSpot() as kraken:                      # keys from KRAKEN_API_KEY / KRAKEN_API_SECRET
        print(kraken.get_server_time().unixtime)
"""

import importlib
from typing import TYPE_CHECKING, Any

from exchange_clients._coordination import Coordination, InProcessCoordination
from exchange_clients._events import Event
from exchange_clients._json import to_json
from exchange_clients._markets import Market, Markets
from exchange_clients._retry import RetryPolicy
from exchange_clients._runtime import DEFAULT_TIMEOUT
from exchange_clients.bitflyer import BITFLYER_URL, AsyncBitflyer, Bitflyer, BitflyerAuth
from exchange_clients.errors import (
    AuthenticationError,
    CoordinationUnavailable,
    ExchangeError,
    ExchangeWarning,
    FundsRejected,
    InsufficientFunds,
    InvalidArguments,
    InvalidNonce,
    MissingCredentials,
    NotFound,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRejected,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    SchemaDrift,
    ServiceUnavailable,
    TransportError,
    UnexpectedResponse,
    UnknownOrderStatus,
)
from exchange_clients.kraken_futures import (
    KRAKEN_FUTURES_DEMO_URL,
    KRAKEN_FUTURES_URL,
    AsyncKrakenFutures,
    KrakenFutures,
    KrakenFuturesAuth,
)
from exchange_clients.kraken_spot import KRAKEN_SPOT_URL, AsyncKrakenSpot, KrakenSpot, KrakenSpotAuth

if TYPE_CHECKING:
    from exchange_clients._raw import RateLimitHeaders, RawResponse

# Loaded on first use, like with_raw_response itself: most programs never ask for a raw response. Defined for the
# interpreter only: to a type checker a module __getattr__ would make every misspelt name exist, as Any.
_LAZY = {"RateLimitHeaders": "exchange_clients._raw", "RawResponse": "exchange_clients._raw"}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            return getattr(importlib.import_module(_LAZY[name]), name)
        raise AttributeError(f"module 'exchange_clients' has no attribute {name!r}")

    def __dir__() -> list[str]:  # tab completion lists the lazy names too
        return sorted({*globals(), *_LAZY})


__version__ = "0.1.0"

__all__ = [
    "BITFLYER_URL",
    "DEFAULT_TIMEOUT",
    "KRAKEN_FUTURES_DEMO_URL",
    "KRAKEN_FUTURES_URL",
    "KRAKEN_SPOT_URL",
    "AsyncBitflyer",
    "AsyncKrakenFutures",
    "AsyncKrakenSpot",
    "AuthenticationError",
    "Bitflyer",
    "BitflyerAuth",
    "Coordination",
    "CoordinationUnavailable",
    "Event",
    "ExchangeError",
    "ExchangeWarning",
    "FundsRejected",
    "InProcessCoordination",
    "InsufficientFunds",
    "InvalidArguments",
    "InvalidNonce",
    "KrakenFutures",
    "KrakenFuturesAuth",
    "KrakenSpot",
    "KrakenSpotAuth",
    "Market",
    "Markets",
    "MissingCredentials",
    "NotFound",
    "OrderNotFound",
    "OrderOutcomeUnknown",
    "OrderRejected",
    "PermissionDenied",
    "RateLimitHeaders",
    "RateLimited",
    "RawResponse",
    "RequestTimeout",
    "RetryPolicy",
    "SchemaDrift",
    "ServiceUnavailable",
    "TransportError",
    "UnexpectedResponse",
    "UnknownOrderStatus",
    "to_json",
]
