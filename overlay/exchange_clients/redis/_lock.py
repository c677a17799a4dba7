"""The per-key sequencing lock across processes: a Redis key with a lease, released only by its holder.

The threads (or tasks) of one process first queue on the in-process lock, so only one of them at a time asks
Redis; it then polls ``SET NX PX`` until the key is free. The lease bounds how long a holder that died (or
stalled past it) keeps the others out; a release compares the holder's random token first, so a holder whose
lease ran out never frees a lock that another has taken since.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator

from exchange_clients._sequence import KeySequencer
from exchange_clients.errors import CoordinationUnavailable
from exchange_clients.redis._store import Store

__all__ = ["RedisSequencer"]

_log = logging.getLogger("exchange_clients")
_POLL = 0.0005  # seconds between tries while another process holds the key: a fraction of a round trip


class RedisSequencer:
    """``hold(key)``/``ahold(key)``: at most one holder per key among every process using this Redis and prefix."""

    def __init__(self, store: Store, prefix: str, lease: float, wait: float) -> None:
        self._store = store
        self._prefix = prefix
        self._lease_ms = max(1, round(lease * 1000))
        self._wait = wait
        self._local = KeySequencer()

    def __repr__(self) -> str:
        return f"RedisSequencer(lease={self._lease_ms / 1000:g} s)"

    @contextlib.contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._local.hold(key):
            name, token = self._prefix + key, os.urandom(16).hex()
            deadline = time.monotonic() + self._wait
            while not self._store.set_if_absent(name, token, self._lease_ms):
                self._check(deadline)
                time.sleep(_POLL)
            try:
                yield
            finally:
                self._release(name, token)

    @contextlib.asynccontextmanager
    async def ahold(self, key: str) -> AsyncIterator[None]:
        async with self._local.ahold(key):
            name, token = self._prefix + key, os.urandom(16).hex()
            deadline = time.monotonic() + self._wait
            while not await self._store.aset_if_absent(name, token, self._lease_ms):
                self._check(deadline)
                await asyncio.sleep(_POLL)
            try:
                yield
            finally:
                await self._arelease(name, token)

    def _check(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise CoordinationUnavailable(
                f"another process held this key's sequencing lock for over {self._wait:g} s; nothing was sent",
                venue="Redis",
            )

    # The call has been answered by the time the lock is released: a failed release must not replace that
    # answer (an order placed) with an error. The lease frees the lock instead.
    def _release(self, name: str, token: str) -> None:
        try:
            self._store.run("release", [name], [token])
        except CoordinationUnavailable:
            _log.warning("the sequencing lock could not be released in Redis; its lease will free it")

    async def _arelease(self, name: str, token: str) -> None:
        try:
            await self._store.arun("release", [name], [token])
        except CoordinationUnavailable:
            _log.warning("the sequencing lock could not be released in Redis; its lease will free it")
