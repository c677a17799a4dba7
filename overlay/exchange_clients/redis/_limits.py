"""Rate limits shared through Redis: each acquire and each penalty is one script, so N processes together
stay within one budget, and a penalty or lockout that one of them met holds all of them back."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from exchange_clients._ratelimit import Charge, Refusal, Window
from exchange_clients.errors import CoordinationUnavailable
from exchange_clients.redis._store import Args, Store

__all__ = ["RedisLimiterBackend"]

_log = logging.getLogger("exchange_clients")


class RedisLimiterBackend:
    """A :class:`~exchange_clients._ratelimit.LimiterBackend` whose counters and gates live in Redis.

    Time is the Redis server's, so windows and penalties agree across machines. Counter names arrive already
    holding a salted digest of the key; ``key_salt`` is the same for every process of this prefix.
    """

    def __init__(self, store: Store, prefix: str, key_salt: bytes) -> None:
        self._store = store
        self._prefix = prefix
        self._salt = key_salt

    @property
    def key_salt(self) -> bytes:
        return self._salt

    def __repr__(self) -> str:
        return "RedisLimiterBackend()"

    def try_acquire(self, gates: Sequence[str], charges: Sequence[Charge]) -> Refusal | None:
        return _refusal(self._store.run("acquire", *self._acquire(gates, charges)))

    async def try_acquire_async(self, gates: Sequence[str], charges: Sequence[Charge]) -> Refusal | None:
        return _refusal(await self._store.arun("acquire", *self._acquire(gates, charges)))

    def penalize(self, gates: Sequence[str], seconds: float) -> None:
        # Called while a venue's error is on its way to the caller: that error must win over Redis's.
        try:
            self._store.run("penalize", self._gates(gates), [repr(float(seconds))])
        except CoordinationUnavailable:
            _log.warning("a %.0f s penalty could not be shared through Redis; other processes do not see it", seconds)

    async def penalize_async(self, gates: Sequence[str], seconds: float) -> None:
        try:
            await self._store.arun("penalize", self._gates(gates), [repr(float(seconds))])
        except CoordinationUnavailable:
            _log.warning("a %.0f s penalty could not be shared through Redis; other processes do not see it", seconds)

    def _gates(self, gates: Sequence[str]) -> list[str]:
        return [f"{self._prefix}gate:{gate}" for gate in gates]

    def _acquire(self, gates: Sequence[str], charges: Sequence[Charge]) -> tuple[list[str], Args]:
        keys = self._gates(gates)
        args: list[str | bytes | int | float] = [len(gates)]
        for charge in charges:
            rule = charge.rule
            if isinstance(rule, Window):
                keys.append(f"{self._prefix}window:{charge.counter}")
                args += ["w", repr(float(rule.limit)), repr(float(rule.seconds))]
            else:
                keys.append(f"{self._prefix}level:{charge.counter}")
                args += ["d", repr(float(rule.maximum)), repr(float(rule.per_second))]
            args += [repr(float(charge.cost)), "1" if charge.hold else "0"]
        keys.append(f"{self._prefix}window-entries")
        return keys, args


def _refusal(answer: object) -> Refusal | None:
    if not answer:
        return None
    kind, seconds = answer if isinstance(answer, list) else (b"", b"0")
    return Refusal(float(seconds), penalty=kind == b"penalty")
