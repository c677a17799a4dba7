"""Many processes, one key, one real Redis: nonces, the sequencing lock, shared limits, penalties, failure.

Each test starts its processes with ``spawn`` (fresh interpreters, as separate programs would be) against a
``redis-server`` that the fixture starts on a free loopback port, and prints the numbers it proves.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import redis_workers
import standin
from exchange_clients import AsyncKrakenSpot, CoordinationUnavailable, ExchangeError, KrakenSpot, RateLimited
from exchange_clients._ratelimit import Charge, DecayingCounter, RateLimiter, Window
from exchange_clients._runtime import Operation
from exchange_clients.kraken_spot import spot_rate_limits
from exchange_clients.redis import RedisCoordination
from redis_server import RedisServer
from standin.checks import NonceBook
from standin.keys import FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET

PROCESSES = 8
_SPAWN = multiprocessing.get_context("spawn")
_BALANCE = Operation("get_account_balance", "", "POST", "/0/private/Balance", private=True, read=True)


class CountingNonceBook(NonceBook):
    """The stand-in's nonce rule, counting the refusals (the client resends one of them silently)."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def accept(self, venue: str, key: str, nonce: int) -> bool:
        accepted = super().accept(venue, key, nonce)
        self.refused += not accepted
        return accepted


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


@pytest.fixture(scope="module")
def venues() -> Iterator[standin.StandIn]:
    with standin.StandIn() as running:
        yield running


@pytest.fixture
def nonce_book(venues: standin.StandIn) -> CountingNonceBook:
    venues.reset()
    book = CountingNonceBook()
    venues._state.nonces = book
    return book


def run_processes(
    target: Callable[..., None],
    count: int,
    *args: Any,
    between: Callable[[], None] | None = None,
    timeout: float = 60.0,
) -> list[Any]:
    """Start ``count`` processes of ``target(*args, barrier, results)``; their results, once all are done.

    With ``between``, this process joins the barrier twice (the workers do too): once all are started, it runs
    ``between``, then lets them go.
    """
    barrier, results = _SPAWN.Barrier(count + (between is not None)), _SPAWN.Queue()
    processes = [_SPAWN.Process(target=target, args=(*args, barrier, results)) for _ in range(count)]
    for process in processes:
        process.start()
    try:
        if between is not None:
            barrier.wait(timeout)
            between()
            barrier.wait(timeout)
        return [results.get(timeout=timeout) for _ in processes]
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()


def test_eight_processes_draw_distinct_increasing_nonces(server: RedisServer) -> None:
    per_process = 2_000
    drawn = run_processes(redis_workers.draw_nonces, PROCESSES, server.url, "nonces", per_process)

    every = [nonce for nonces in drawn for nonce in nonces]
    repeats = len(every) - len(set(every))
    print(f"\n{PROCESSES} processes x {per_process} nonces on one key: {len(every)} drawn, {repeats} repeated")
    assert len(every) == PROCESSES * per_process
    assert repeats == 0
    # Each process saw its own nonces strictly increase, and the last Redis step handed out the largest one:
    # every step is max(last + 1, now), so sorted order is the order of the steps.
    assert all(a < b for nonces in drawn for a, b in itertools.pairwise(nonces))
    coordination = RedisCoordination(server.url, prefix="nonces")
    assert coordination.nonces.next(coordination.key_name(FAKE_SPOT_API_KEY)) > max(every)


def test_a_clock_stepping_back_never_lowers_the_nonce(server: RedisServer) -> None:
    ahead = RedisCoordination(server.url, clock=lambda: time.time_ns() + 3600 * 10**9)
    stepped_back = RedisCoordination(server.url, clock=lambda: 1)
    key = ahead.key_name(FAKE_SPOT_API_KEY)

    first = ahead.nonces.next(key)
    later = [stepped_back.nonces.next(key) for _ in range(3)]

    assert first > time.time_ns() + 3000 * 10**9
    assert later == [first + 1, first + 2, first + 3]


def test_eight_processes_through_the_lock_meet_no_invalid_nonce(
    server: RedisServer, venues: standin.StandIn, nonce_book: CountingNonceBook
) -> None:
    calls = 40
    errors = run_processes(redis_workers.private_calls, PROCESSES, server.url, "ordered", venues.spot_url, calls, True)
    print(f"\n{PROCESSES} processes x {calls} private calls through the Redis lock: "
          f"{nonce_book.refused} InvalidNonce at the stand-in, client errors {errors}")  # fmt: skip
    assert nonce_book.refused == 0
    assert errors == [{}] * PROCESSES


def test_without_the_lock_processes_race_their_nonces(
    server: RedisServer, venues: standin.StandIn, nonce_book: CountingNonceBook
) -> None:
    """The contrast: shared nonces alone do not keep their order on the way (the client resends once)."""
    calls = 40
    errors = run_processes(
        redis_workers.private_calls, PROCESSES, server.url, "unordered", venues.spot_url, calls, False
    )
    print(f"\n{PROCESSES} processes x {calls} private calls, Redis nonces but no lock: "
          f"{nonce_book.refused} InvalidNonce at the stand-in, client errors {errors}")  # fmt: skip
    assert sum(len(e) for e in errors) <= PROCESSES * calls  # reported, not asserted: it depends on scheduling


def test_eight_processes_share_one_window(server: RedisServer) -> None:
    seconds = 3.0
    admitted = sorted(t for times in run_processes(redis_workers.admit, PROCESSES, server.url, "window", seconds)
                      for t in times)  # fmt: skip
    limit, window = redis_workers.WINDOW_LIMIT, redis_workers.WINDOW_SECONDS
    # Admission times are taken after the answer, up to `slack` after the server's own: any two of them less
    # than window - slack apart were admitted less than a window apart, so no such span may hold more than
    # the limit.
    slack = 0.2
    busiest = max(sum(1 for t in admitted[i:] if t < start + window - slack) for i, start in enumerate(admitted))
    print(f"\n{PROCESSES} processes on one window of {limit:g} per {window:g} s for {seconds:g} s: "
          f"{len(admitted)} admitted in all, at most {busiest} in any {window - slack:g} s")  # fmt: skip
    assert busiest <= limit
    # On a loaded machine the processes start apart and run longer than `seconds`: the whole budget is bounded
    # by the span the admissions really took, not by the nominal run time.
    span = admitted[-1] - admitted[0]
    assert len(admitted) <= limit * (span / window + 1)
    assert len(admitted) >= limit * (seconds / window - 1)


def test_a_lockout_seen_by_one_process_stops_the_others(
    server: RedisServer, venues: standin.StandIn, nonce_book: CountingNonceBook
) -> None:
    coordination = RedisCoordination(server.url, prefix="lockout")
    limiter = RateLimiter(spot_rate_limits(), FAKE_SPOT_API_KEY, backend=coordination.limits)
    lockout = ExchangeError("locked out", venue="Kraken Spot", code="EGeneral:Temporary lockout")
    before = len(venues.requests)
    outcomes = run_processes(
        redis_workers.held_call,
        PROCESSES,
        server.url,
        "lockout",
        venues.spot_url,
        between=lambda: limiter.penalize(_BALANCE, lockout),  # what the runtime does with the venue's answer
    )

    print(f"\nafter one process met a 15-minute lockout, {PROCESSES} others: {outcomes}")
    assert all(kind == "RateLimited" and wait > 850 for kind, wait in outcomes)
    assert len(venues.requests) == before  # held back: nothing sent


def test_a_throttle_seen_by_one_process_holds_the_others_until_it_ends(
    server: RedisServer, venues: standin.StandIn, nonce_book: CountingNonceBook
) -> None:
    coordination = RedisCoordination(server.url, prefix="throttled")
    limiter = RateLimiter(spot_rate_limits(), FAKE_SPOT_API_KEY, backend=coordination.limits)
    throttled = RateLimited("EService:Throttled", venue="Kraken Spot", retry_after=2.0)
    outcomes = run_processes(
        redis_workers.held_call,
        4,
        server.url,
        "throttled",
        venues.spot_url,
        between=lambda: limiter.penalize(_BALANCE, throttled),
    )

    print(f"\nafter one process was throttled for 2 s, 4 others: {outcomes}")
    assert all(kind == "ok" for kind, _ in outcomes)
    assert all(1.8 <= seconds < 3.0 for _, seconds in outcomes)  # held until the penalty ended, then sent


def test_redis_killed_mid_run_gives_typed_errors_and_no_hang(
    server: RedisServer, venues: standin.StandIn, nonce_book: CountingNonceBook
) -> None:
    barrier, results = _SPAWN.Barrier(5), _SPAWN.Queue()
    args = (server.url, "killed", venues.spot_url, barrier, results)
    processes = [_SPAWN.Process(target=redis_workers.until_failure, args=args) for _ in range(4)]
    for process in processes:
        process.start()
    barrier.wait(30)
    time.sleep(1.0)
    server.kill()
    killed = time.monotonic()
    outcomes = [results.get(timeout=20) for _ in processes]
    for process in processes:
        process.join(10)
    print(f"\nRedis killed while 4 processes called: {outcomes}, all done {time.monotonic() - killed:.2f} s later")
    assert all(kind == "CoordinationUnavailable" for kind, _, _ in outcomes)
    assert all(seconds < 3.0 for _, seconds, _ in outcomes)  # bounded: a 0.5 s timeout, one retry
    # Mid-run: calls went through before the kill. Not necessarily from every process: they share one budget of
    # the key, and on a busy machine the first to start can spend all of it before the others call at all.
    assert sum(calls for _, _, calls in outcomes) > 0


def test_an_async_client_shares_the_lock_and_the_nonces(
    server: RedisServer, venues: standin.StandIn, nonce_book: CountingNonceBook
) -> None:
    coordination = RedisCoordination(server.url, prefix="async")

    async def main() -> list[Any]:
        async with (
            AsyncKrakenSpot(FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET, base_url=venues.spot_url,
                            coordination=coordination, rate_limit=False) as one,
            AsyncKrakenSpot(FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET, base_url=venues.spot_url,
                            coordination=RedisCoordination(server.url, prefix="async"), rate_limit=False) as two,
        ):  # fmt: skip
            calls = [client.get_account_balance() for client in (one, two) for _ in range(20)]
            results = await asyncio.gather(*calls)
            await coordination.aclose()
            return results

    assert len(asyncio.run(main())) == 40
    assert nonce_book.refused == 0


def test_no_api_key_or_secret_reaches_redis(
    server: RedisServer, venues: standin.StandIn, nonce_book: CountingNonceBook
) -> None:
    coordination = RedisCoordination(server.url)
    with KrakenSpot(FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET, base_url=venues.spot_url,
                    coordination=coordination) as client:  # fmt: skip
        for _ in range(3):
            client.get_account_balance()
        client.add_order(pair="XBTUSD", type="buy", ordertype="limit", price="1", volume=Decimal("1"))
    store = redis.Redis.from_url(server.url)
    readers: dict[bytes, Callable[[bytes], Any]] = {
        b"string": store.get,
        b"hash": store.hgetall,
        b"zset": lambda key: store.zrange(key, 0, -1),
    }
    everything = b"".join(key + b"\n" + repr(readers[store.type(key)](key)).encode() for key in store.scan_iter())
    print(f"\nRedis after private calls and an order: {store.dbsize()} keys")
    assert store.dbsize() >= 3
    for secret in (FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET):
        assert secret.encode() not in everything
        assert secret[:16].encode() not in everything


def test_redis_down_before_a_call_raises_the_typed_error_and_sends_nothing(venues: standin.StandIn) -> None:
    with RedisServer() as gone:
        url = gone.url
    before = len(venues.requests)
    coordination = RedisCoordination(url, timeout=0.2)
    with KrakenSpot(FAKE_SPOT_API_KEY, FAKE_SPOT_API_SECRET, base_url=venues.spot_url,
                    coordination=coordination) as client:  # fmt: skip
        started = time.monotonic()
        with pytest.raises(CoordinationUnavailable) as raised:
            client.get_account_balance()
    assert time.monotonic() - started < 2.0
    assert raised.value.venue == "Kraken Spot"
    assert raised.value.path == "/0/private/Balance"
    assert len(venues.requests) == before


def test_the_redis_backend_applies_the_rules_as_the_in_process_one(server: RedisServer) -> None:
    backend = RedisCoordination(server.url, prefix="rules").limits
    counter, window = DecayingCounter(3, 1.0), Window(2, 1.0)

    # A decaying counter admits its maximum, then asks for the time the excess takes to decay.
    assert [backend.try_acquire([], [Charge("c", counter, 1.0)]) for _ in range(3)] == [None] * 3
    refusal = backend.try_acquire([], [Charge("c", counter, 1.0)])
    assert refusal is not None
    assert not refusal.penalty
    assert 0.9 < refusal.wait <= 1.0
    # A window admits its limit, then asks for the time until its oldest entry leaves.
    assert [backend.try_acquire([], [Charge("w", window, 1.0)]) for _ in range(2)] == [None] * 2
    refusal = backend.try_acquire([], [Charge("w", window, 1.0)])
    assert refusal is not None
    assert 0.9 < refusal.wait <= 1.0
    # A charge that does not hold (a cancel) is taken over the limit and never waits; it is all or nothing with
    # the others of its call.
    assert backend.try_acquire([], [Charge("c", counter, 2.0, hold=False)]) is None
    assert backend.try_acquire([], [Charge("x", counter, 1.0), Charge("w", window, 1.0)]) is not None
    assert backend.try_acquire([], [Charge("x", counter, 3.0)]) is None  # "x" took nothing above
    # A cost above the maximum is charged as the maximum, as in process (it could never go otherwise).
    assert backend.try_acquire([], [Charge("big", counter, 10.0)]) is None
    # Penalties close gates and are never shortened by a shorter one.
    backend.penalize(["gate"], 5.0)
    backend.penalize(["gate"], 1.0)
    refusal = backend.try_acquire(["gate"], [])
    assert refusal is not None
    assert refusal.penalty
    assert 4.5 < refusal.wait <= 5.0
