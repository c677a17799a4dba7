"""The connections to one Redis, and the one place where its failures become ``CoordinationUnavailable``.

Every call is bounded: ``timeout`` for connecting and for each answer, one immediate retry on a broken
connection (a pooled one that Redis closed, say after a restart), then the typed error. redis-py's pools
notice a fork and reconnect in the child, so one coordination may be made before ``multiprocessing`` starts.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import Any

import redis
import redis.asyncio
import redis.asyncio.retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from exchange_clients.errors import CoordinationUnavailable

__all__ = ["Store", "unavailable"]

Args = Sequence[str | bytes | int | float]


def unavailable(exc: BaseException) -> CoordinationUnavailable:
    # The URL is left out: it may carry a password.
    return CoordinationUnavailable(
        f"the coordination store (Redis) failed: {type(exc).__name__}: {exc}; nothing was sent", venue="Redis"
    )


class Store:
    """A synchronous client, and one asynchronous client per event loop (redis.asyncio's connections belong
    to the loop that opened them), each with the scripts registered."""

    def __init__(self, url: str, timeout: float, scripts: dict[str, str]) -> None:
        options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        self._url = url
        self._options = options
        self._texts = scripts
        self.sync = redis.Redis.from_url(url, retry=redis.retry.Retry(NoBackoff(), 1), **options)
        self._scripts = {name: self.sync.register_script(text) for name, text in scripts.items()}
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[redis.asyncio.Redis, dict[str, Any]]]
        self._async = weakref.WeakKeyDictionary()

    def run(self, script: str, keys: Sequence[str], args: Args) -> Any:
        try:
            return self._scripts[script](keys=keys, args=args)
        except RedisError as exc:
            raise unavailable(exc) from exc

    async def arun(self, script: str, keys: Sequence[str], args: Args) -> Any:
        _, scripts = self._async_client()
        try:
            return await scripts[script](keys=keys, args=args)
        except RedisError as exc:
            raise unavailable(exc) from exc

    def set_if_absent(self, key: str, value: str, lease_ms: int) -> bool:
        try:
            return bool(self.sync.set(key, value, nx=True, px=lease_ms))
        except RedisError as exc:
            raise unavailable(exc) from exc

    async def aset_if_absent(self, key: str, value: str, lease_ms: int) -> bool:
        client, _ = self._async_client()
        try:
            return bool(await client.set(key, value, nx=True, px=lease_ms))
        except RedisError as exc:
            raise unavailable(exc) from exc

    def _async_client(self) -> tuple[redis.asyncio.Redis, dict[str, Any]]:
        loop = asyncio.get_running_loop()
        found = self._async.get(loop)
        if found is None:
            retry = redis.asyncio.retry.Retry(NoBackoff(), 1)
            client = redis.asyncio.Redis.from_url(self._url, retry=retry, **self._options)
            found = client, {name: client.register_script(text) for name, text in self._texts.items()}
            self._async[loop] = found
        return found

    def close(self) -> None:
        self.sync.close()

    async def aclose(self) -> None:
        found = self._async.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found[0].aclose()
