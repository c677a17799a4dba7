"""The three venues as the cassettes see them: facade, operations, stand-in name, production base, keys."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from exchange_clients import Bitflyer, KrakenFutures, KrakenSpot
from exchange_clients._runtime import Operation, SyncFacade
from standin.keys import FAKE_KEYS

__all__ = ["VENUES", "VenueInfo", "venue"]

CassetteVenue = Literal["kraken_spot", "kraken_futures", "bitflyer"]


@dataclass(frozen=True)
class VenueInfo:
    name: CassetteVenue  # the cassette directory
    standin: Literal["spot", "futures", "bitflyer"]  # the stand-in's venue name
    facade: type[SyncFacade]
    facade_module: str
    production_base: str  # scheme and host that recorded URLs are rewritten to
    key_env: str
    secret_env: str

    @property
    def operations(self) -> Mapping[str, Operation]:
        return _operations(self.facade_module)

    @property
    def fake_key(self) -> str:
        return FAKE_KEYS[self.standin][0]

    @property
    def fake_secret(self) -> str:
        return FAKE_KEYS[self.standin][1]


@cache
def _operations(module: str) -> Mapping[str, Operation]:
    operations: dict[str, Operation] = importlib.import_module(module).OPERATIONS
    return operations


VENUES: dict[CassetteVenue, VenueInfo] = {
    info.name: info
    for info in (
        VenueInfo(
            "kraken_spot",
            "spot",
            KrakenSpot,
            "exchange_clients._facades.kraken_spot",
            "https://api.kraken.com",
            "KRAKEN_API_KEY",
            "KRAKEN_API_SECRET",
        ),
        VenueInfo(
            "kraken_futures",
            "futures",
            KrakenFutures,
            "exchange_clients._facades.kraken_futures",
            "https://futures.kraken.com",
            "KRAKEN_FUTURES_API_KEY",
            "KRAKEN_FUTURES_API_SECRET",
        ),
        VenueInfo(
            "bitflyer",
            "bitflyer",
            Bitflyer,
            "exchange_clients._facades.bitflyer",
            "https://api.bitflyer.com",
            "BITFLYER_API_KEY",
            "BITFLYER_API_SECRET",
        ),
    )
}


def venue(name: str) -> VenueInfo:
    for key, info in VENUES.items():
        if key == name:
            return info
    raise ValueError(f"unknown venue {name!r}; known: {', '.join(VENUES)}")
