"""The coordination seam: what a client asks of ``coordination=``, and that the in-process default is today's
state (tests/integration/test_redis_coordination.py runs the Redis implementation across processes)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest

from exchange_clients import AsyncKrakenFutures, AsyncKrakenSpot, CoordinationUnavailable, KrakenSpot
from exchange_clients._coordination import LOCAL, Coordination, InProcessCoordination
from exchange_clients._nonce import nonce_source_for
from exchange_clients._ratelimit import DEFAULT_BACKEND, Charge, InProcessBackend, LimiterBackend, Refusal
from exchange_clients._sequence import SEQUENCER

KEY = "coordination-test-key-0123456789"
SECRET = "a2V5IGZvciB0ZXN0cyBvbmx5IC0tIG5vdCBhIHJlYWwgc2VjcmV0IC0tIDAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMw=="
BASE = "https://exchange.test"


class Recorder:
    """A coordination that hands out nonces from 1000 up and records every key name it is asked about."""

    def __init__(self, fail: bool = False) -> None:
        self.names: list[str] = []
        self.held: list[str] = []
        self.last = 1000
        self.fail = fail
        self._limits = InProcessBackend()

    # nonces
    def next(self, key: str) -> int:
        self.names.append(key)
        if self.fail:
            raise CoordinationUnavailable("store down", venue="test")
        self.last += 1
        return self.last

    async def anext(self, key: str) -> int:
        return self.next(key)

    # sequencer
    @contextlib.contextmanager
    def hold(self, key: str) -> Iterator[None]:
        self.held.append(key)
        yield

    @contextlib.asynccontextmanager
    async def ahold(self, key: str) -> AsyncIterator[None]:
        self.held.append(key)
        yield

    @property
    def nonces(self) -> Recorder:
        return self

    @property
    def sequencer(self) -> Recorder:
        return self

    @property
    def limits(self) -> LimiterBackend:
        return self._limits

    def key_name(self, api_key: str) -> str:
        return "name-of-the-key"


def _answer(sent: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"error": [], "result": {"ZUSD": "1.0"}})

    return httpx.MockTransport(handler)


def _nonce(request: httpx.Request) -> int:
    body = request.content.decode()
    return int(json.loads(body)["nonce"] if body.startswith("{") else parse_qs(body)["nonce"][0])


def test_the_default_is_this_process_state() -> None:
    assert isinstance(LOCAL, Coordination)
    plain = KrakenSpot(KEY, SECRET, base_url=BASE, transport=_answer([]))
    given = KrakenSpot(KEY, SECRET, base_url=BASE, transport=_answer([]), coordination=InProcessCoordination())

    for client in (plain, given):
        assert client._limiter is not None
        assert client._limiter._backend is DEFAULT_BACKEND
        assert client._sequencer is SEQUENCER
    # The same nonce source: a nonce drawn through one is below the next drawn through the other.
    drawn = given._auth._nonce()  # type: ignore[union-attr]
    assert nonce_source_for(KEY).next() > drawn
    assert plain._sequence_key == given._sequence_key
    assert KEY not in plain._sequence_key


def test_a_client_draws_nonces_holds_the_lock_and_limits_through_its_coordination() -> None:
    recorder, sent = Recorder(), []
    with KrakenSpot(KEY, SECRET, base_url=BASE, transport=_answer(sent), coordination=recorder) as client:
        client.get_account_balance()
        client.get_account_balance()

    assert [_nonce(request) for request in sent] == [1001, 1002]
    assert recorder.names == recorder.held == ["name-of-the-key"] * 2
    assert client._limiter is not None
    assert client._limiter._backend is recorder.limits


def test_a_nonce_given_by_the_caller_wins_over_the_coordination() -> None:
    recorder, sent = Recorder(), []
    with KrakenSpot(KEY, SECRET, base_url=BASE, transport=_answer(sent), coordination=recorder,
                    nonce=lambda: 7) as client:  # fmt: skip
        client.get_account_balance()
    assert _nonce(sent[0]) == 7
    assert recorder.names == []


def test_asynchronous_clients_await_the_coordination() -> None:
    recorder, sent = Recorder(), []

    async def main() -> None:
        async with AsyncKrakenSpot(KEY, SECRET, base_url=BASE, transport=_answer(sent), coordination=recorder) as spot:
            await asyncio.gather(spot.get_account_balance(), spot.get_account_balance())
        futures_sent: list[httpx.Request] = []

        def futures(request: httpx.Request) -> httpx.Response:
            futures_sent.append(request)
            return httpx.Response(200, json={"result": "success", "accounts": {}, "serverTime": "2024-01-01T00:00:00Z"})

        async with AsyncKrakenFutures(KEY, SECRET, base_url=BASE, transport=httpx.MockTransport(futures),
                                      coordination=recorder, on_warning=lambda warning: None) as client:  # fmt: skip
            await client.get_accounts()
        assert futures_sent[0].headers["Nonce"] == "1003"

    asyncio.run(main())
    assert sorted(_nonce(request) for request in sent) == [1001, 1002]


def test_an_unavailable_store_raises_before_anything_is_sent() -> None:
    recorder, sent = Recorder(fail=True), []
    client = KrakenSpot(KEY, SECRET, base_url=BASE, transport=_answer(sent), coordination=recorder)
    with client, pytest.raises(CoordinationUnavailable) as raised:
        client.add_order(pair="XBTUSD", type="buy", ordertype="limit", price="1", volume=Decimal("1"))
    assert sent == []
    assert recorder.names == ["name-of-the-key"]  # tried once: never retried
    assert (raised.value.venue, raised.value.path) == ("Kraken Spot", "/0/private/AddOrder")


class _DownBackend(InProcessBackend):
    def try_acquire(self, gates: Sequence[str], charges: Sequence[Charge]) -> Refusal | None:
        raise CoordinationUnavailable("store down", venue="test")


def test_an_unavailable_limiter_raises_before_anything_is_sent() -> None:
    sent: list[httpx.Request] = []
    client = KrakenSpot(KEY, SECRET, base_url=BASE, transport=_answer(sent), rate_limit=_DownBackend())
    with client, pytest.raises(CoordinationUnavailable):
        client.get_account_balance()
    assert sent == []
