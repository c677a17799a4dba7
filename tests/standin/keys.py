"""FAKE credentials for the stand-in. They open nothing anywhere else.

Each venue's stand-in accepts exactly one key, and the tests sign with these
through the overlay's real auth classes. The Kraken secrets are base64 of 64
random bytes drawn once for this file (the length Kraken issues, 88 characters,
so they exercise the real decoding path); bitFlyer's secret is a plain string.
"""

from __future__ import annotations

from typing import Final

# Kraken Spot: API-Key / API-Sign.
FAKE_SPOT_API_KEY: Final = "FAKE-TEST-KEY-kraken-spot-standin-000000000000000000000000000000"
FAKE_SPOT_API_SECRET: Final = "4Qaqvs6FLQMM4zvBAGv31rAy+4dsQoEXzsv7fbRNxnPibA80SMOySxKpg9dSem9vlBFkbC/kVwyperewgjz1oQ=="

# Kraken Futures: APIKey / Nonce / Authent.
FAKE_FUTURES_API_KEY: Final = "FAKE-TEST-KEY-kraken-futures-standin-00000000000000000000000000"
FAKE_FUTURES_API_SECRET: Final = (
    "eWVc05ET/tF5Rr+ANUVfreOnw2td3exPkUTStEkBaewClb86QSKRQMP4Lgk4Pu4knKY6gmQArW0QLwmyoEfMPA=="
)

# bitFlyer: ACCESS-KEY / ACCESS-TIMESTAMP / ACCESS-SIGN (the secret is used as UTF-8 text).
FAKE_BITFLYER_API_KEY: Final = "FAKE-TEST-KEY-bitflyer-standin"
FAKE_BITFLYER_API_SECRET: Final = "fake-bitflyer-secret-for-standin-tests-only"

FAKE_KEYS: Final[dict[str, tuple[str, str]]] = {
    "spot": (FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET),
    "futures": (FAKE_FUTURES_API_KEY, FAKE_FUTURES_API_SECRET),
    "bitflyer": (FAKE_BITFLYER_API_KEY, FAKE_BITFLYER_API_SECRET),
}
