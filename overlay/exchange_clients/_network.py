"""What the network may do to a call, bounded: one deadline for the whole call, a cap on the answer's size.

httpx bounds each read and write, not a call: a server that trickles one byte a second keeps a call alive for
ever. The facades set a deadline per call (``DEADLINE``) and the transports they build read the network through
:class:`DeadlineBackend`, which gives every socket operation only the time left. The answer is read raw and
decompressed here with a bound on its decompressed size, so neither a huge body nor a gzip bomb can take the
memory. (A transport or client the user injects keeps its own network code: the body bound and the deadline
between chunks still hold, a read that hangs is bounded by that client's timeouts.)
"""

from __future__ import annotations

import contextvars
import ipaddress
import time
import zlib
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = [
    "DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "NOT_SENT",
    "AnswerTooLarge",
    "BodyReader",
    "aread_body",
    "bound_transport",
    "deadline_of",
    "is_loopback",
    "read_body",
    "time_left",
]

# Generous for the largest real answers (AssetPairs with every pair is about 1 MiB), small enough for any machine.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# Failures before a single byte of the request went out: the only ones after which a write may safely be sent again.
NOT_SENT: tuple[type[httpx.HTTPError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)
# The monotonic time by which the current call must be over (None: no deadline).
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("exchange_clients_deadline", default=None)
_DEADLINE_GET = DEADLINE.get
_monotonic = time.monotonic


def deadline_of(timeout: httpx.Timeout | float | None) -> float | None:
    """Seconds a whole call may take: a number as given, or the longest of an ``httpx.Timeout``'s parts."""
    if timeout is None or isinstance(timeout, int | float):
        return None if timeout is None else float(timeout)
    parts = [value for value in (timeout.connect, timeout.read, timeout.write, timeout.pool) if value is not None]
    return max(parts) if parts else None


def time_left() -> float | None:
    """Seconds until the current call's deadline (never below zero), or None without one."""
    deadline = DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _within_deadline(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` cut to the time the call has left; ``expired`` raised when none is left. Every read and write of
    a request comes through here, so it is one call, with no helpers of its own."""
    deadline = _DEADLINE_GET()
    if deadline is not None:
        left = deadline - _monotonic()
        if timeout is None or left < timeout:
            timeout = left
    if timeout is not None and timeout <= 0:
        raise expired("the call's deadline passed")
    return timeout


class _DeadlineStream(httpcore.NetworkStream):
    # The calls that need no bound go straight to the wrapped stream (bound as attributes, one frame less each).
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream
        self.close = stream.close  # type: ignore[method-assign]
        self.get_extra_info = stream.get_extra_info  # type: ignore[method-assign]

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout = _within_deadline(timeout, httpcore.ReadTimeout)
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        timeout = _within_deadline(timeout, httpcore.WriteTimeout)
        self._stream.write(buffer, timeout)

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        bounded = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded))


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every operation bounded by the time the current call has left."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        bounded = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self.aclose = stream.aclose  # type: ignore[method-assign]
        self.get_extra_info = stream.get_extra_info  # type: ignore[method-assign]

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout = _within_deadline(timeout, httpcore.ReadTimeout)
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        timeout = _within_deadline(timeout, httpcore.WriteTimeout)
        await self._stream.write(buffer, timeout)

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        bounded = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _AsyncDeadlineStream(await self._stream.start_tls(ssl_context, server_hostname, bounded))


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """As :class:`DeadlineBackend`, for asyncio (and trio)."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        bounded = _within_deadline(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, bounded, local_address, socket_options)
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        bounded = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _AsyncDeadlineStream(await self._backend.connect_unix_socket(path, bounded, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def bound_transport(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> None:
    """Make a transport we built read the network under the call's deadline.

    httpx gives no public way to choose httpcore's network backend, so the pool's is wrapped in place: httpx is
    pinned below 0.29 and tests/unit/test_network.py proves the bound on a real socket.
    """
    pool = transport._pool
    backend = pool._network_backend
    if isinstance(backend, httpcore.AsyncNetworkBackend):
        pool._network_backend = AsyncDeadlineBackend(backend)
    elif isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = DeadlineBackend(backend)


class AnswerTooLarge(Exception):
    """The answer is larger than the client accepts (decompressed size counted)."""


class BodyReader:
    """Decompresses an answer's raw bytes as they come, refusing to hold more than ``limit`` bytes of it.

    Only the encodings we ask for (gzip, deflate; ``Accept-Encoding`` is set) are decoded; zlib is asked for at
    most the bytes still allowed, so a bomb costs no more memory than the limit.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._inflate = None
        if not content_encoding:  # the usual answer
            return
        encodings = [part.strip().lower() for part in content_encoding.split(",") if part.strip()]
        encodings = [encoding for encoding in encodings if encoding != "identity"]
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
            raise ValueError(f"content encoding {content_encoding!r} was not asked for")
        if encodings:
            # gzip and zlib-wrapped deflate are told apart by their headers (wbits 32+); raw deflate is tried after.
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)
            self._raw_deflate = encodings[0] == "deflate"

    def feed(self, chunk: bytes) -> None:
        if self._inflate is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            try:
                out = self._inflate.decompress(data, self._limit - self._size + 1)
            except zlib.error:
                if not (self._raw_deflate and self._size == 0 and not self._parts):
                    raise
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # a server that sends raw deflate
                self._raw_deflate = False
                continue
            self._keep(out)
            data = self._inflate.unconsumed_tail

    def _keep(self, part: bytes) -> None:
        self._size += len(part)
        if self._size > self._limit:
            raise AnswerTooLarge(f"the answer is larger than {self._limit} bytes")
        self._parts.append(part)

    def body(self) -> bytes:
        if self._inflate is not None:
            self._keep(self._inflate.flush())
        return b"".join(self._parts)


def _reader(response: httpx.Response, limit: int) -> BodyReader:
    """A reader for the answer's body; one that declares more than ``limit`` bytes is refused before reading."""
    declared = encoding = ""
    for name, value in response.headers.raw:  # one pass: httpx's lookups each scan the headers
        lowered = name.lower()
        if lowered == b"content-length":
            declared = value.decode("latin-1")
        elif lowered == b"content-encoding":
            encoding = f"{encoding},{value.decode('latin-1')}" if encoding else value.decode("latin-1")
    if declared.isdigit() and not encoding and int(declared) > limit:
        raise AnswerTooLarge(f"the answer declares {declared} bytes, more than the {limit} accepted")
    return BodyReader(encoding, limit)


def _check_time() -> None:
    left = time_left()
    if left is not None and left <= 0:
        raise httpx.ReadTimeout("the call's deadline passed while the answer was arriving")


def _already_read(response: httpx.Response, limit: int) -> bytes | None:
    """The content of a response that was made whole (mock transports build them so), within the limit."""
    if not hasattr(response, "_content"):
        return None
    if len(response._content) > limit:
        raise AnswerTooLarge(f"the answer is larger than {limit} bytes")
    return response._content


def read_body(response: httpx.Response, limit: int) -> bytes:
    """Read a streamed answer within the limit and the deadline, and leave it on the response as its content."""
    whole = _already_read(response, limit)
    if whole is not None:
        return whole
    try:
        reader = _reader(response, limit)
        for chunk in response.iter_raw():
            reader.feed(chunk)
            _check_time()
        response._content = reader.body()
    finally:
        response.close()
    return response._content


async def aread_body(response: httpx.Response, limit: int) -> bytes:
    """As :func:`read_body`, without blocking the event loop."""
    whole = _already_read(response, limit)
    if whole is not None:
        return whole
    try:
        reader = _reader(response, limit)
        async for chunk in response.aiter_raw():
            reader.feed(chunk)
            _check_time()
        response._content = reader.body()
    finally:
        await response.aclose()
    return response._content


def is_loopback(host: str) -> bool:
    """The host is this machine (where plain HTTP cannot be read by anyone else)."""
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
