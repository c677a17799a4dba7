"""One API key, many processes and machines: nonces, rate limits and the sequencing lock shared through Redis.

::

    from exchange_clients import KrakenSpot
    from exchange_clients.redis import RedisCoordination

    shared = RedisCoordination("redis://127.0.0.1:6379/0")
    client = KrakenSpot(key, secret, coordination=shared)

Needs the optional ``redis`` extra (``pip install exchange-clients[redis]``). If Redis does not answer within
``timeout``, a call raises :class:`~exchange_clients.errors.CoordinationUnavailable` before anything is sent:
there is no fallback to per-process state, which would silently lose the ordering and the shared budget.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from exchange_clients._coordination import Nonces, Sequencer
from exchange_clients._ratelimit import LimiterBackend
from exchange_clients._secrets import key_digest
from exchange_clients._sequence import KeySequencer
from exchange_clients.redis import _lua
from exchange_clients.redis._limits import RedisLimiterBackend
from exchange_clients.redis._lock import RedisSequencer
from exchange_clients.redis._nonces import RedisNonces
from exchange_clients.redis._store import Store

__all__ = ["RedisCoordination"]

_SCRIPTS = {"nonce": _lua.NONCE, "acquire": _lua.ACQUIRE, "penalize": _lua.PENALIZE, "release": _lua.RELEASE}


class RedisCoordination:
    """Nonces, rate limits and the per-key sequencing lock in the Redis at ``url``, under ``prefix``.

    Every process (on any machine) given the same ``url`` and ``prefix`` shares them per API key. Redis keys
    are ``<prefix>:nonce:<digest>``, ``<prefix>:lock:<digest>``, ``<prefix>:window:…``/``level:…``/``gate:…``;
    the digest is a BLAKE2b of the API key salted with ``key_salt`` (default: derived from ``prefix``; give
    the same secret bytes to every process to keep digests unmatchable by anyone reading Redis). The key
    itself is never stored.

    ``timeout``: seconds for Redis to connect or answer before ``CoordinationUnavailable``.
    ``ordered``: hold each key's sequencing lock in Redis from signing until the answer's headers, so nonces
    reach the venue in order across processes (one signed call of a key in flight at a time, everywhere); with
    ``False`` the lock is per process and concurrent processes may meet an ``InvalidNonce`` (resent once).
    ``lock_lease``: how long a lock outlives a holder that died; longer than a call's deadline (default 10 s).
    ``lock_wait``: longest wait for the lock before ``CoordinationUnavailable`` (default: ``lock_lease``).
    ``clock``: this process's clock in ns (a nonce is never below it), for tests.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "exchange-clients",
        timeout: float = 1.0,
        ordered: bool = True,
        lock_lease: float = 30.0,
        lock_wait: float | None = None,
        key_salt: bytes | None = None,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self._store = Store(url, timeout, _SCRIPTS)
        self._salt = key_salt or hashlib.blake2b(b"exchange-clients key names|" + prefix.encode()).digest()[:16]
        self._nonces = RedisNonces(self._store, f"{prefix}:nonce:", clock)
        self._limits = RedisLimiterBackend(self._store, f"{prefix}:", self._salt)
        wait = lock_lease if lock_wait is None else lock_wait
        self._sequencer: Sequencer = (
            RedisSequencer(self._store, f"{prefix}:lock:", lock_lease, wait) if ordered else KeySequencer()
        )
        self._prefix = prefix

    @property
    def nonces(self) -> Nonces:
        return self._nonces

    @property
    def limits(self) -> LimiterBackend:
        return self._limits

    @property
    def sequencer(self) -> Sequencer:
        return self._sequencer

    def key_name(self, api_key: str) -> str:
        return key_digest(api_key, self._salt)

    def close(self) -> None:
        """Close the synchronous connections (asynchronous ones: ``await aclose()`` in their loop)."""
        self._store.close()

    async def aclose(self) -> None:
        await self._store.aclose()

    def __repr__(self) -> str:
        return f"RedisCoordination(prefix={self._prefix!r})"
