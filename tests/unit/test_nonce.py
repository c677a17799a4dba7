"""Nonce sources: strictly increasing per key, across threads and asyncio tasks."""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from exchange_clients import _nonce
from exchange_clients._nonce import NonceSource, nonce_source_for

FROZEN_NS = 1_700_000_000_000_000_000
THREADS, DRAWS_PER_THREAD = 8, 5_000
TASKS, DRAWS_PER_TASK = 50, 200


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    # Switching threads every microsecond makes an unguarded read-modify-write race visible.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _assert_strictly_increasing(values: list[int]) -> None:
    assert all(earlier < later for earlier, later in itertools.pairwise(values))


def _draw_from_threads(source: NonceSource) -> list[list[int]]:
    per_thread: list[list[int]] = [[] for _ in range(THREADS)]
    start = threading.Barrier(THREADS)

    def draw(out: list[int]) -> None:
        start.wait()
        out.extend(source.next() for _ in range(DRAWS_PER_THREAD))

    workers = [threading.Thread(target=draw, args=(out,)) for out in per_thread]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return per_thread


def test_frozen_clock_still_gives_strictly_increasing_nonces() -> None:
    source = NonceSource(clock=lambda: FROZEN_NS)

    assert [source.next() for _ in range(5)] == [FROZEN_NS + offset for offset in range(5)]


def test_nonce_jumps_to_the_clock_when_the_clock_moves_ahead() -> None:
    readings = iter([100, 100, 500])
    source = NonceSource(clock=lambda: next(readings))

    assert [source.next() for _ in range(3)] == [100, 101, 500]


def test_clock_stepping_backwards_never_lowers_the_nonce() -> None:
    readings = iter([1_000, 10, 20])
    source = NonceSource(clock=lambda: next(readings))

    assert [source.next() for _ in range(3)] == [1_000, 1_001, 1_002]


def test_default_clock_gives_nanosecond_nonces() -> None:
    before = time.time_ns()
    nonce = NonceSource().next()

    assert before <= nonce <= time.time_ns()


@pytest.mark.usefixtures("frequent_thread_switches")
def test_threads_sharing_a_key_never_repeat_a_nonce() -> None:
    per_thread = _draw_from_threads(NonceSource())

    for values in per_thread:
        _assert_strictly_increasing(values)
    all_values = [value for values in per_thread for value in values]
    assert len(set(all_values)) == THREADS * DRAWS_PER_THREAD


@pytest.mark.usefixtures("frequent_thread_switches")
def test_threads_on_a_frozen_clock_draw_one_gapless_increasing_sequence() -> None:
    # With the clock frozen, draw k must return FROZEN_NS + k, so the union being
    # exactly that range proves the draws were strictly increasing in draw order.
    per_thread = _draw_from_threads(NonceSource(clock=lambda: FROZEN_NS))

    all_values = sorted(value for values in per_thread for value in values)
    assert all_values == list(range(FROZEN_NS, FROZEN_NS + THREADS * DRAWS_PER_THREAD))


def test_asyncio_tasks_sharing_a_key_draw_strictly_increasing_nonces() -> None:
    source = NonceSource()
    draw_order: list[int] = []

    async def draw() -> None:
        for _ in range(DRAWS_PER_TASK):
            draw_order.append(source.next())
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(draw() for _ in range(TASKS)))

    asyncio.run(main())

    assert len(draw_order) == TASKS * DRAWS_PER_TASK
    _assert_strictly_increasing(draw_order)


def test_sources_for_different_keys_are_independent() -> None:
    first = NonceSource(clock=lambda: FROZEN_NS)
    second = NonceSource(clock=lambda: FROZEN_NS)
    for _ in range(10):
        first.next()

    assert second.next() == FROZEN_NS
    assert nonce_source_for("key-one-independent") is not nonce_source_for("key-two-independent")


def test_nonce_source_for_returns_the_same_object_for_the_same_key() -> None:
    assert nonce_source_for("same-key-twice") is nonce_source_for("same-key-twice")


def test_nonce_source_for_keeps_the_same_sequence_across_lookups() -> None:
    first = nonce_source_for("sequence-key").next()

    assert nonce_source_for("sequence-key").next() > first


def test_registry_and_repr_never_show_the_raw_key() -> None:
    api_key = "RAWKEY-must-not-appear-0123456789"
    source = nonce_source_for(api_key)

    assert api_key not in repr(source)
    assert api_key not in repr(_nonce.PROCESS_NONCES)
    assert all(api_key not in stored for stored in _nonce.PROCESS_NONCES._sources)
