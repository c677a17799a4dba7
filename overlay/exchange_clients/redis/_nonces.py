"""Nonces for many processes and machines: one atomic step on the server, ``max(last + 1, now)``."""

from __future__ import annotations

import time
from collections.abc import Callable

from exchange_clients.redis._store import Store

__all__ = ["RedisNonces"]


class RedisNonces:
    """``next(key)``: above every nonce drawn for ``key`` through the same Redis and prefix.

    ``now`` is the later of the Redis server's clock and this process's ``clock``: a machine whose clock steps
    back cannot lower a nonce (``last + 1`` wins), and one whose clock ran ahead under an earlier in-process
    source still starts above what it already sent.
    """

    def __init__(self, store: Store, prefix: str, clock: Callable[[], int] = time.time_ns) -> None:
        self._store = store
        self._prefix = prefix
        self._clock = clock

    def next(self, key: str) -> int:
        return int(self._store.run("nonce", [self._prefix + key], [str(self._clock())]))

    async def anext(self, key: str) -> int:
        return int(await self._store.arun("nonce", [self._prefix + key], [str(self._clock())]))

    def __repr__(self) -> str:
        return "RedisNonces()"
