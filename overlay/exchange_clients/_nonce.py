"""Strictly increasing per-key nonces, shared by every thread and task in the process."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from exchange_clients._secrets import key_digest

__all__ = ["NonceSource", "nonce_source_for"]


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


# A per-process salt means the registry holds no stable fingerprint of a key.
_KEY_SALT = os.urandom(16)
_registry: dict[str, NonceSource] = {}
_registry_lock = threading.Lock()


def nonce_source_for(api_key: str) -> NonceSource:
    """Return the process-wide nonce source for ``api_key`` (the same object for the same key)."""
    digest = key_digest(api_key, _KEY_SALT)
    with _registry_lock:
        return _registry.setdefault(digest, NonceSource())
