"""What clients of one API key must share, wherever they run: nonces, rate limits and the sequencing lock.

Three small protocols, one bundle. :class:`InProcessCoordination` (the default of every client) keeps all of it
in this process; ``exchange_clients.redis.RedisCoordination`` keeps it in Redis, for many processes and machines
on one key. Clients given the same coordination and key share everything. The runtime only ever asks:

- ``nonces.next(key)`` / ``anext(key)``: a nonce above every one drawn before for ``key``;
- ``limits``: a :class:`~exchange_clients._ratelimit.LimiterBackend` (acquire with cost, penalties, lockouts);
- ``sequencer.hold(key)`` / ``ahold(key)``: the per-key lock held from signing until the answer's headers.

``key`` is always ``key_name(api_key)``, a salted digest: no implementation ever sees the key itself.
A shared implementation that cannot reach its store raises
:class:`~exchange_clients.errors.CoordinationUnavailable` before anything is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Protocol, runtime_checkable

from exchange_clients._nonce import _KEY_SALT, PROCESS_NONCES
from exchange_clients._ratelimit import DEFAULT_BACKEND, LimiterBackend
from exchange_clients._secrets import key_digest
from exchange_clients._sequence import SEQUENCER

__all__ = ["LOCAL", "Coordination", "InProcessCoordination", "Nonces", "Sequencer"]


class Nonces(Protocol):
    """Strictly increasing nonces per key name."""

    def next(self, key: str) -> int: ...

    def anext(self, key: str) -> Awaitable[int]: ...


class Sequencer(Protocol):
    """One signed request of a key in flight at a time: ``hold`` for threads, ``ahold`` for asyncio tasks."""

    def hold(self, key: str) -> AbstractContextManager[None]: ...

    def ahold(self, key: str) -> AbstractAsyncContextManager[None]: ...


@runtime_checkable
class Coordination(Protocol):
    """Where nonces, limits and the sequencing lock of every key live."""

    @property
    def nonces(self) -> Nonces: ...

    @property
    def limits(self) -> LimiterBackend: ...

    @property
    def sequencer(self) -> Sequencer: ...

    def key_name(self, api_key: str) -> str:
        """The name this coordination gives ``api_key`` (a salted digest, never the key)."""
        ...


class InProcessCoordination:
    """This process's nonce sources, limiter backend and sequencer: the state every client shares by default."""

    @property
    def nonces(self) -> Nonces:
        return PROCESS_NONCES

    @property
    def limits(self) -> LimiterBackend:
        return DEFAULT_BACKEND

    @property
    def sequencer(self) -> Sequencer:
        return SEQUENCER

    def key_name(self, api_key: str) -> str:
        # The nonce registry's own salt, so a client given this coordination draws from the very source that
        # the signers use by default (nonce_source_for).
        return key_digest(api_key, _KEY_SALT)

    def __repr__(self) -> str:
        return "InProcessCoordination()"


LOCAL = InProcessCoordination()
"""The default coordination: one process, shared by its threads and asyncio tasks."""
