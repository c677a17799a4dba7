"""One signed request of a key in flight at a time, so that nonces reach the venue in the order they were drawn.

Kraken refuses a nonce below the last it accepted. Calls on one key made at the same time draw their nonces in
order, but httpx's pool can send them in another: the sequencer holds a per-key lock from signing until the
answer's headers arrive (the body is read outside it). It costs the key its parallelism: one round trip at a time.
Keys are named by a salted digest, never in clear.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager
from typing import Any

from exchange_clients._secrets import key_digest

__all__ = ["SEQUENCER", "KeySequencer"]


class KeySequencer:
    """Per-key locks for the threads (``hold``) and the asyncio tasks (``ahold``) of this process."""

    def __init__(self) -> None:
        self._salt = os.urandom(16)
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._async_locks: dict[tuple[str, int], asyncio.Lock] = {}

    def name(self, api_key: str) -> str:
        return key_digest(api_key, self._salt)

    def hold(self, key: str) -> AbstractContextManager[Any]:
        # The key's lock itself is the context manager: every signed call of a key comes through here.
        lock = self._locks.get(key)
        if lock is None:
            with self._guard:
                lock = self._locks.setdefault(key, threading.Lock())
        return lock

    @contextlib.asynccontextmanager
    async def ahold(self, key: str) -> AsyncIterator[None]:
        # An asyncio.Lock belongs to one event loop; tasks of other loops (threads) get their own.
        loop = id(asyncio.get_running_loop())
        with self._guard:
            lock = self._async_locks.setdefault((key, loop), asyncio.Lock())
        async with lock:
            yield


SEQUENCER = KeySequencer()
