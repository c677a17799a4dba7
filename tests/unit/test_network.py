"""What a hostile server can do to a call, bounded: one deadline per call, a cap on the answer's decompressed size.

A real loopback server (a thread per connection) trickles headers and bodies, sends endless chunks and a gzip bomb;
the timings below are bounds checked with generous slack, never measured performance.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpcore
import httpx
import pytest

from exchange_clients import (
    AuthenticationError,
    Bitflyer,
    ExchangeError,
    ExchangeWarning,
    InvalidArguments,
    KrakenFutures,
    KrakenSpot,
    OrderOutcomeUnknown,
    RequestTimeout,
    UnexpectedResponse,
)
from exchange_clients._network import (
    DEADLINE,
    AnswerTooLarge,
    BodyReader,
    DeadlineBackend,
    _DeadlineStream,
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


# ---------------------------------------------------------------- through the facades

SECRET = "a2V5IGZvciB0ZXN0cyBvbmx5IC0tIG5vdCBhIHJlYWwgc2VjcmV0IC0tIDAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMw=="
PRIVATE_CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("kraken_spot_read", lambda c: c.get_account_balance()),
    ("kraken_spot_write", lambda c: c.cancel_order(txid="OQCLML-BW3P3-BUCMWZ")),
    ("kraken_futures_read", lambda c: c.get_open_orders()),
    ("kraken_futures_write", lambda c: c.cancel_order(order_id="c18f0c17-9971-40e6-8e5b-10df05d422f0")),
    ("bitflyer_read", lambda c: c.get_balance()),
    ("bitflyer_write", lambda c: c.cancel_all_child_orders(product_code="BTC_JPY")),
]
FACADE_OF = {"kraken_spot": KrakenSpot, "kraken_futures": KrakenFutures, "bitflyer": Bitflyer}


def _facade(name: str, **options: Any) -> Any:
    return FACADE_OF[name.rsplit("_", 1)[0]]("the-api-key", SECRET, retry=False, rate_limit=False, **options)


@pytest.mark.parametrize(("name", "call"), PRIVATE_CALLS, ids=[name for name, _ in PRIVATE_CALLS])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_signed_call_is_never_redirected_whatever_client_is_injected(
    name: str, call: Callable[[Any], Any], status: int
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers={"Location": "https://collector.example/steal"})

    injected = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    with pytest.raises(ExchangeError) as caught:
        call(_facade(name, http_client=injected))
    assert [request.url.host for request in seen] == [seen[0].url.host]  # one request, never to the other host
    assert seen[0].url.host != "collector.example"
    assert isinstance(caught.value, (UnexpectedResponse, OrderOutcomeUnknown))
    assert "the-api-key" not in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_gzip_bomb_through_the_facade_is_a_typed_error(server: Callable[[Serve], str]) -> None:
    bomb = _gzip_bomb(64)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
    url = server(lambda connection: connection.sendall(head + b"Content-Length: %d\r\n\r\n" % len(bomb) + bomb))
    with (
        Bitflyer(base_url=url, retry=False, rate_limit=False, max_response_bytes=1 << 20) as client,
        pytest.raises(UnexpectedResponse, match=r"1048576|1 MiB|larger"),
    ):
        client.get_markets()


def test_an_answer_over_the_cap_is_a_typed_error_and_a_write_is_outcome_unknown(
    server: Callable[[Serve], str],
) -> None:
    body = b"[" + b'{"product_code":"BTC_JPY"},' * 50_000 + b'{"product_code":"ETH_JPY"}]'
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    url = server(lambda connection: connection.sendall(head + body))
    with (
        Bitflyer(base_url=url, retry=False, rate_limit=False, max_response_bytes=len(body) - 1) as client,
        pytest.raises(UnexpectedResponse),
    ):
        client.get_markets()
    with (
        _facade("bitflyer_write", base_url=url, max_response_bytes=len(body) - 1) as client,
        pytest.raises(OrderOutcomeUnknown),
    ):  # the venue answered; we could not read what it said
        client.cancel_all_child_orders(product_code="BTC_JPY")
    with Bitflyer(base_url=url, retry=False, rate_limit=False, max_response_bytes=len(body)) as client:
        assert len(client.get_markets()) == 50_001  # the cap is a bound, not a guess


def test_a_trickled_answer_through_the_facade_ends_at_the_call_deadline(server: Callable[[Serve], str]) -> None:
    url = server(_headers_then_trickle())
    started = time.monotonic()
    with (
        KrakenFutures(base_url=url, timeout=1.0, retry=False, rate_limit=False) as client,
        pytest.raises(RequestTimeout),
    ):
        client.get_tickers()
    assert time.monotonic() - started < 2.5  # one 1 s deadline for the call; the answer would take 8.7 s


@pytest.mark.parametrize("value", ["..", ".", ""])
def test_a_path_parameter_cannot_leave_its_segment(value: str) -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(200, json={}))
    with pytest.raises(InvalidArguments, match="tradeable"):
        KrakenFutures(transport=transport).get_public_execution_events(tradeable=value)
    assert seen == []


def test_an_over_long_url_is_refused_before_sending() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(200, json={}))
    with pytest.raises(InvalidArguments, match="URL"):
        KrakenFutures(transport=transport).get_public_execution_events(tradeable="x" * 70_000)
    assert seen == []


def test_a_key_from_an_env_file_is_stripped_and_a_non_ascii_key_is_refused_without_echo() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(200, json=[]))
    Bitflyer(" the-api-key\n", "s\n", transport=transport).get_balance()
    assert seen[0].headers["ACCESS-KEY"] == "the-api-key"
    with pytest.raises(AuthenticationError) as caught:
        Bitflyer("the-äpi-key", "s", transport=transport)
    assert "äpi" not in str(caught.value)
    assert "the-" not in repr(caught.value)


def test_no_object_but_the_signer_keeps_the_key_in_clear() -> None:
    client = KrakenSpot("the-api-key", SECRET)
    signer = client._auth
    found: list[str] = []

    def walk(value: Any, where: str, depth: int) -> None:
        if value is signer or depth > 6 or isinstance(value, (type, httpx.Client)):
            return
        if isinstance(value, str):
            if "the-api-key" in value or SECRET in value:
                found.append(where)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key, f"{where}[{key!r}]", depth + 1)
                walk(item, f"{where}[{key!r}]", depth + 1)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]", depth + 1)
        elif hasattr(value, "__dict__") or hasattr(value, "__slots__"):
            names = list(getattr(value, "__dict__", {})) + list(getattr(value, "__slots__", ()))
            for name in names:
                walk(getattr(value, name, None), f"{where}.{name}", depth + 1)

    walk(client, "client", 0)
    assert found == []


def test_credentials_to_a_plain_http_host_are_refused_unless_loopback_or_allowed() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(200, json=[]))
    with pytest.raises(InvalidArguments, match="plain HTTP"):
        Bitflyer("k", "s", base_url="http://api.example.com", transport=transport).get_balance()
    assert seen == []
    Bitflyer("k", "s", base_url="http://api.example.com", transport=transport, allow_insecure_http=True).get_balance()
    Bitflyer("k", "s", base_url="http://127.0.0.1:1", transport=transport).get_balance()
    assert len(seen) == 2
    Bitflyer(base_url="http://api.example.com", transport=transport).get_markets()  # public: nothing to leak


def test_a_duplicated_error_key_is_not_read_as_success() -> None:
    body = b'{"error":["EOrder:Insufficient funds"],"result":{"txid":["X"]},"error":[]}'
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
    )
    with pytest.raises(ExchangeError) as caught:
        KrakenSpot("k", SECRET, transport=transport, retry=False).get_account_balance()
    assert isinstance(caught.value, UnexpectedResponse)
    with pytest.raises(OrderOutcomeUnknown):  # a write that got this answer may or may not have happened
        KrakenSpot("k", SECRET, transport=transport, retry=False).cancel_order(txid="OQCLML-BW3P3-BUCMWZ")


def test_a_warning_never_loses_the_result_of_a_write() -> None:
    answer = {"error": ["WGeneral:Deprecated call"], "result": {"descr": {"order": "buy"}, "txid": ["OUF4EM"]}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))

    def place(**options: Any) -> Any:
        client = KrakenSpot("k", SECRET, transport=transport, retry=False, rate_limit=False, **options)
        return client.add_order(ordertype="market", type="buy", pair="XBTUSD", volume=Decimal("1"))

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # python -W error
        assert place().txid == ["OUF4EM"]

    def explode(warning: ExchangeWarning) -> None:
        raise RuntimeError("a handler with a bug")

    assert place(on_warning=explode).txid == ["OUF4EM"]


def test_a_tls_handshake_or_unix_connect_after_the_deadline_is_a_connect_timeout_not_a_zero_timeout() -> None:
    # A socket timeout of 0 would make the socket non-blocking: the handshake would fail as a connection error.
    class Wrapped(httpcore.NetworkStream):
        def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            raise AssertionError("started after the deadline")

    class Backend(httpcore.NetworkBackend):
        def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            raise AssertionError("connected after the deadline")

    token = DEADLINE.set(time.monotonic() - 1.0)
    try:
        with pytest.raises(httpcore.ConnectTimeout, match="deadline"):
            _DeadlineStream(Wrapped()).start_tls(ssl.create_default_context(), "example.com", 5.0)
        with pytest.raises(httpcore.ConnectTimeout, match="deadline"):
            DeadlineBackend(Backend()).connect_unix_socket("/nonexistent", 5.0)
    finally:
        DEADLINE.reset(token)
