"""Strictly increasing per-key nonces, shared by every thread and task in the process."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from exchange_clients._secrets import key_digest

__all__ = ["AsyncNonce", "KeyNonce", "NonceSource", "ProcessNonces", "awaitable_supplier", "nonce_source_for"]


class NonceSource:
    """Hands out ``max(clock(), last + 1)`` under a lock.

    The clock keeps nonces ahead of whatever a previous run or another process
    on the same key sent; ``last + 1`` keeps them strictly increasing when the
    clock stalls or steps back. The lock is a ``threading.Lock`` because the
    critical section never awaits, so it is equally safe for asyncio tasks.
    """

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self._clock = clock
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(self._clock(), self._last + 1)
            return self._last

    def __repr__(self) -> str:
        return f"NonceSource(last={self._last})"


class ProcessNonces:
    """The in-process nonce source of every key, by key name (a salted digest): ``next(key)``."""

    def __init__(self) -> None:
        self._sources: dict[str, NonceSource] = {}
        self._lock = threading.Lock()

    def source(self, key: str) -> NonceSource:
        with self._lock:
            return self._sources.setdefault(key, NonceSource())

    def next(self, key: str) -> int:
        return self.source(key).next()

    async def anext(self, key: str) -> int:
        return self.source(key).next()  # never waits: no reason to leave the event loop

    def __repr__(self) -> str:
        return f"ProcessNonces(keys={len(self._sources)})"


# A per-process salt means the registry holds no stable fingerprint of a key.
_KEY_SALT = os.urandom(16)
PROCESS_NONCES = ProcessNonces()


def nonce_source_for(api_key: str) -> NonceSource:
    """Return the process-wide nonce source for ``api_key`` (the same object for the same key)."""
    return PROCESS_NONCES.source(key_digest(api_key, _KEY_SALT))


class _KeyedSource(Protocol):
    def next(self, key: str) -> int: ...

    def anext(self, key: str) -> Awaitable[int]: ...


@runtime_checkable
class AsyncNonce(Protocol):
    """A nonce supplier that can also be awaited, so an asynchronous client never blocks its loop on a
    shared store."""

    def __call__(self) -> int: ...

    async def anext(self) -> int: ...


class KeyNonce:
    """One key's nonces from a shared source, as the signers take them: call it, or await ``anext()``."""

    __slots__ = ("_key", "_source")

    def __init__(self, source: _KeyedSource, key: str) -> None:
        self._source = source
        self._key = key

    def __call__(self) -> int:
        return self._source.next(self._key)

    async def anext(self) -> int:
        return await self._source.anext(self._key)

    def __repr__(self) -> str:
        return f"KeyNonce({self._source!r})"


def awaitable_supplier(nonce: Callable[[], int]) -> Callable[[], Awaitable[int]] | None:
    """The awaitable form of a nonce supplier that has one (a shared store's), for an asynchronous signer;
    worked out once per signer, since a protocol check costs microseconds."""
    return nonce.anext if isinstance(nonce, AsyncNonce) else None
