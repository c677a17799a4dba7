"""What a hostile server can do to a call, bounded: one deadline per call, a cap on the answer's decompressed size.

A real loopback server (a thread per connection) trickles headers and bodies, sends endless chunks and a gzip bomb;
the timings below are bounds checked with generous slack, never measured performance.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator

import httpx
import pytest

from exchange_clients._network import (
    DEADLINE,
    AnswerTooLarge,
    BodyReader,
    aread_body,
    bound_transport,
    deadline_of,
    is_loopback,
    read_body,
)

Serve = Callable[[socket.socket], None]


@pytest.fixture
def server() -> Iterator[Callable[[Serve], str]]:
    """Start a loopback server that answers every connection with ``serve``; give its base URL."""
    sockets: list[socket.socket] = []

    def start(serve: Serve) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        sockets.append(listener)

        def accept() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                threading.Thread(target=_serve_one, args=(connection, serve), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for listener in sockets:
        listener.close()


def _serve_one(connection: socket.socket, serve: Serve) -> None:
    with connection:
        connection.recv(65536)
        with contextlib.suppress(OSError):  # the client gave up: that is the point
            serve(connection)


def _trickle(data: bytes, every: float) -> Serve:
    def serve(connection: socket.socket) -> None:
        for byte in data:
            connection.sendall(bytes([byte]))
            time.sleep(every)

    return serve


HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 87\r\n\r\n"
BODY = b'{"result":"success","serverTime":"2024-01-01T00:00:00.000Z","tickers":[],"padding":"xxx"}'[:87]


def _client() -> httpx.Client:
    transport = httpx.HTTPTransport()
    bound_transport(transport)
    return httpx.Client(transport=transport, timeout=5.0)


def _timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        call()
    except (httpx.HTTPError, AnswerTooLarge) as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


@pytest.mark.parametrize("slow_part", ["headers", "body"])
def test_a_trickled_answer_cannot_outlive_the_call_deadline(server: Callable[[Serve], str], slow_part: str) -> None:
    # Each byte arrives well within the per-read timeout (5 s), so only a deadline per call can stop it.
    answer = _trickle(HEADERS + BODY, 0.05) if slow_part == "headers" else _headers_then_trickle()
    url = server(answer)
    with _client() as client:
        token = DEADLINE.set(time.monotonic() + 1.0)
        try:
            elapsed, error = _timed(
                lambda: read_body(client.send(client.build_request("GET", url), stream=True), 1 << 20)
            )
        finally:
            DEADLINE.reset(token)
    assert isinstance(error, httpx.TimeoutException)
    assert elapsed < 2.5  # 1 s deadline; the answer would take (87+77) x 50 ms = 8 s


def _headers_then_trickle() -> Serve:
    def serve(connection: socket.socket) -> None:
        connection.sendall(HEADERS)
        _trickle(BODY, 0.1)(connection)

    return serve


def test_an_endless_chunked_answer_stops_at_the_size_cap(server: Callable[[Serve], str]) -> None:
    def serve(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        while True:
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    url = server(serve)
    with _client() as client:
        response = client.send(client.build_request("GET", url), stream=True)
        with pytest.raises(AnswerTooLarge):
            read_body(response, 1 << 20)


def test_a_gzip_bomb_is_refused_without_inflating_it(server: Callable[[Serve], str]) -> None:
    bomb = _gzip_bomb(256)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
    url = server(lambda connection: connection.sendall(head + bomb))
    with _client() as client:
        response = client.send(client.build_request("GET", url), stream=True)
        with pytest.raises(AnswerTooLarge):
            read_body(response, 4 << 20)


def _gzip_bomb(mebibytes: int) -> bytes:
    """That many MiB of zeros, gzipped (about 1/1000 of it), without ever holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(mebibytes)) + packer.flush()


def test_the_decompressed_size_is_what_counts() -> None:
    reader = BodyReader("gzip", 1000)
    with pytest.raises(AnswerTooLarge):
        reader.feed(gzip.compress(b"a" * 5000))
    reader = BodyReader("deflate", 100)
    reader.feed(zlib.compress(b"b" * 100))
    assert reader.body() == b"b" * 100
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    reader = BodyReader("deflate", 100)
    reader.feed(raw.compress(b"c" * 50) + raw.flush())  # raw deflate, as some servers send it
    assert reader.body() == b"c" * 50


def test_an_encoding_we_did_not_ask_for_is_refused() -> None:
    with pytest.raises(ValueError, match="br"):
        BodyReader("br", 1000)


def test_a_declared_size_over_the_cap_is_refused_before_reading(server: Callable[[Serve], str]) -> None:
    url = server(lambda connection: connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n"))
    with _client() as client:
        response = client.send(client.build_request("GET", url), stream=True)
        with pytest.raises(AnswerTooLarge, match="999999999"):
            read_body(response, 1 << 20)


def test_async_trickle_is_bounded_too(server: Callable[[Serve], str]) -> None:
    url = server(_headers_then_trickle())

    async def call() -> BaseException | None:
        transport = httpx.AsyncHTTPTransport()
        bound_transport(transport)
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            DEADLINE.set(time.monotonic() + 1.0)
            try:
                await aread_body(await client.send(client.build_request("GET", url), stream=True), 1 << 20)
            except httpx.TimeoutException as exc:
                return exc
        return None

    started = time.monotonic()
    assert isinstance(asyncio.run(call()), httpx.TimeoutException)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(2.0, 2.0), (None, None), (httpx.Timeout(10.0, connect=5.0), 10.0), (httpx.Timeout(None, read=3.0), 3.0)],
)
def test_the_deadline_is_the_longest_part_of_the_timeout(
    timeout: httpx.Timeout | float | None, expected: float
) -> None:
    assert deadline_of(timeout) == expected


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("[::1]", True), ("127.5.6.7", True), ("api.kraken.com", False),
     ("10.0.0.1", False), ("localhost.evil.example", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
