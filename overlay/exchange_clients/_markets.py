"""``client.markets()``: a venue's markets by any of their names, with their precision and minimums.

Kraken answers ``XBTUSD`` under ``XXBTZUSD``; an order whose price has more decimals than the pair allows is
refused. Each venue module says where its metadata is (:class:`MarketSource`: the public operations to call and
how to read their typed answers); this module keeps the result, finds markets by name, and rounds as ``Decimal``
with an explicit rounding mode. The metadata is loaded once per client (and the clients ``with_options`` makes
from it) and kept until ``markets(refresh=True)``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, NamedTuple

from exchange_clients.errors import InvalidArguments

__all__ = [
    "AsyncMarkets",
    "Market",
    "MarketSource",
    "Markets",
    "SyncMarkets",
    "known",
    "known_decimal",
    "step_of_decimals",
]


def step_of_decimals(decimals: int | Decimal | None) -> Decimal | None:
    """The step of a number with ``decimals`` places (``1`` → 0.1; ``-3`` → 1000, Kraken Futures' precision)."""
    return None if decimals is None else Decimal(1).scaleb(-int(decimals))


def known(value: Any) -> Any:
    """A typed answer's field, or None where the venue left it out (the generated models' ``Unset``)."""
    return None if value is None or type(value).__name__ == "Unset" else value


def known_decimal(value: Any) -> Decimal | None:
    value = known(value)
    return None if value is None else Decimal(str(value))


def _decimal(value: Decimal | int | str, what: str, venue: str) -> Decimal:
    # A float is already rounded in binary: 0.1 + 0.2 is not 0.3. Money goes in as Decimal, int or text.
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int | str):
        raise InvalidArguments(
            f"{what} must be a Decimal, int or str, not {type(value).__name__}", venue=venue, code="client-side"
        )
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidArguments(f"{what} {value!r} is not a number", venue=venue, code="client-side") from None
    if not number.is_finite():
        raise InvalidArguments(f"{what} {value!r} is not a finite number", venue=venue, code="client-side")
    return number


def _to_step(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    """``value`` on the grid of ``step``, written with exactly the step's decimal places."""
    steps = (value / step).to_integral_value(rounding=rounding)
    exponent = step.as_tuple().exponent
    return (steps * step).quantize(step) if isinstance(exponent, int) and exponent < 0 else steps * step


@dataclass(frozen=True)
class Market:
    """One market: its names, its assets (normalised, ``XXBT`` → ``XBT``), and what an order on it must respect.

    ``symbol`` is the venue's own id (``XXBTZUSD``, ``PF_XBTUSD``, ``BTC_JPY``); ``names`` every name the venue
    uses for it. ``tick_size`` is the price step, ``lot_size`` the size step, ``min_size`` and ``min_cost`` the
    smallest order (size, and size x price); ``None`` where the venue does not publish it. ``raw`` is the venue's
    own typed record.
    """

    symbol: str
    names: tuple[str, ...]
    base: str
    quote: str
    tick_size: Decimal | None = None
    lot_size: Decimal | None = None
    min_size: Decimal | None = None
    min_cost: Decimal | None = None
    venue: str = ""
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def price_decimals(self) -> int | None:
        """Decimal places a price may have (from the tick), or None if unknown."""
        return _places(self.tick_size)

    @property
    def size_decimals(self) -> int | None:
        return _places(self.lot_size)

    def round_price(self, price: Decimal | int | str, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        """``price`` on the tick grid: ``rounding`` is a ``decimal`` mode (``ROUND_DOWN`` for a bid that must not
        overpay, ``ROUND_UP`` for an ask); the result has exactly the tick's decimal places."""
        return _to_step(_decimal(price, "price", self.venue), self._known(self.tick_size, "tick size"), rounding)

    def round_size(self, size: Decimal | int | str, rounding: str = ROUND_DOWN) -> Decimal:
        """``size`` on the lot grid; by default rounded down, never above what you meant to trade."""
        return _to_step(_decimal(size, "size", self.venue), self._known(self.lot_size, "lot size"), rounding)

    def order_problems(self, size: Decimal | int | str, price: Decimal | int | str | None = None) -> list[str]:
        """Why the venue would refuse an order of ``size`` (at ``price``) for precision or minimums; empty if it
        would not. Checks only what the venue publishes."""
        problems = []
        amount = _decimal(size, "size", self.venue)
        if self.lot_size is not None and amount % self.lot_size:
            problems.append(f"size {amount} is not a multiple of the lot size {self.lot_size}")
        if self.min_size is not None and amount < self.min_size:
            problems.append(f"size {amount} is below the minimum order {self.min_size}")
        if price is not None:
            limit = _decimal(price, "price", self.venue)
            if self.tick_size is not None and limit % self.tick_size:
                problems.append(f"price {limit} is not a multiple of the tick size {self.tick_size}")
            if self.min_cost is not None and amount * limit < self.min_cost:
                problems.append(f"cost {amount * limit} is below the minimum cost {self.min_cost}")
        return problems

    def _known(self, step: Decimal | None, what: str) -> Decimal:
        if step is None:
            raise InvalidArguments(
                f"{self.symbol}: the venue publishes no {what} to round to", venue=self.venue, code="client-side"
            )
        return step


def _places(step: Decimal | None) -> int | None:
    if step is None:
        return None
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else None


class Markets:
    """A venue's markets, found by any of their names (case-insensitive; ``BTC`` and ``XBT`` alike where the venue
    says they are the same asset). ``asset(code)`` normalises a venue's asset code."""

    def __init__(
        self,
        venue: str,
        markets: Iterable[Market],
        assets: Mapping[str, str] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.venue = venue
        self._markets = tuple(dataclasses.replace(market, venue=venue) for market in markets)
        self._assets = {code.upper(): name for code, name in (assets or {}).items()}
        self._aliases = {code.upper(): other.upper() for code, other in (aliases or {}).items()}
        self._by_name: dict[str, Market] = {}
        for market in self._markets:
            for name in self._spellings(market):
                self._by_name.setdefault(name, market)

    def _spellings(self, market: Market) -> Iterator[str]:
        for name in market.names:
            yield name.upper()
        bases = {market.base.upper(), self._aliases.get(market.base.upper(), market.base.upper())}
        quotes = {market.quote.upper(), self._aliases.get(market.quote.upper(), market.quote.upper())}
        for base in bases:
            for quote in quotes:
                yield f"{base}/{quote}"

    def __repr__(self) -> str:
        return f"Markets({self.venue!r}, {len(self._markets)} markets)"

    def __len__(self) -> int:
        return len(self._markets)

    def __iter__(self) -> Iterator[Market]:
        return iter(self._markets)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None

    def find(self, name: str) -> Market | None:
        """The market ``name`` names, or None."""
        return self._by_name.get(name.upper())

    def get(self, name: str) -> Market:
        """The market ``name`` names (any of the venue's names, or ``BASE/QUOTE``); ``KeyError`` naming close
        matches if none."""
        market = self.find(name)
        if market is None:
            wanted = name.upper().replace("/", "")
            close = sorted({m.symbol for n, m in self._by_name.items() if wanted and wanted in n.replace("/", "")})
            hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
            raise KeyError(f"{self.venue} has no market {name!r}{hint}")
        return market

    def asset(self, code: str) -> str:
        """A venue's asset code, normalised: Kraken's ``XXBT`` → ``XBT``, ``ZUSD`` → ``USD``."""
        return self._assets.get(code.upper(), code)

    def for_pair(self, result: Any, name: str) -> Any:
        """The entry of a pair-keyed result (a ticker, order book, OHLC answer) for the market ``name`` names,
        whichever of the market's names the venue keyed it by: ``markets.for_pair(ticker, "XBTUSD")``."""
        entries: Mapping[str, Any] = getattr(result, "additional_properties", result)
        if name in entries:
            return entries[name]
        market = self.get(name)
        for key in (market.symbol, *market.names):
            if key in entries:
                return entries[key]
        raise KeyError(f"the result has no entry for {name!r} (keys: {', '.join(sorted(entries)[:5])})")


class MarketSource(NamedTuple):
    """Where a venue's markets come from: public operations to call (name, arguments), and how to build
    :class:`Markets` from their typed results, in that order."""

    calls: Sequence[tuple[str, Mapping[str, Any]]]
    build: Callable[[Sequence[Any]], Markets]


class _Cache:
    """The loaded markets of one client and the clients made from it with ``with_options``."""

    def __init__(self) -> None:
        self.markets: Markets | None = None
        self.lock = threading.Lock()


def shared_cache(client: Any) -> _Cache:
    """The client's market cache, created on first use (``with_options`` copies share it)."""
    cache: _Cache | None = client.__dict__.get("_markets_cache")
    if cache is None:
        cache = client.__dict__.setdefault("_markets_cache", _Cache())
    return cache


def _source(client: Any) -> MarketSource:
    source: MarketSource | None = client.profile.markets
    if source is None:
        raise NotImplementedError(f"{client.profile.name}: no market metadata source")
    return source


class SyncMarkets:
    """``markets()`` for the synchronous facades."""

    def markets(self, *, refresh: bool = False) -> Markets:
        """The venue's markets from its public metadata, loaded on first use and kept; ``refresh=True`` reloads."""
        cache = shared_cache(self)
        with cache.lock:
            if cache.markets is None or refresh:
                source = _source(self)
                cache.markets = source.build([getattr(self, name)(**args) for name, args in source.calls])
            return cache.markets


class AsyncMarkets:
    """``await markets()`` for the asynchronous facades."""

    async def markets(self, *, refresh: bool = False) -> Markets:
        """As the synchronous ``markets()``: loaded once, kept, reloaded with ``refresh=True``."""
        cache = shared_cache(self)
        if cache.markets is None or refresh:
            source = _source(self)
            cache.markets = source.build([await getattr(self, name)(**args) for name, args in source.calls])
        return cache.markets
