"""Soak: thousands of calls through one facade keep memory and connections flat.

A real keep-alive HTTP/1.1 server on loopback (a thread in this process) answers Kraken Spot's Ticker and
AddOrder; one ``KrakenSpot`` calls it 2,000 times, public and signed calls alternating. After a warm-up
of 500 calls (lazy imports, caches, the connection), the next 1,500 calls must open no connection and
leave no memory behind in our code.
"""

from __future__ import annotations

import base64
import gc
import json
import threading
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from exchange_clients import KrakenSpot
from kraken_spot_api.models import AddOrderRequest, AddOrderRequestType, Ordertype

WARM_UP, CALLS = 500, 2_000
# What the calls after the warm-up may leave allocated by our code (overlay and generated packages), in
# bytes: a leak of even 10 bytes a call would exceed it; one-off allocations (a dict resizing) stay far below.
GROWTH_BOUND = 16 * 1024
OUR_CODE = ("*/exchange_clients/*", "*/kraken_spot_api/*")

SECRET = base64.b64encode(bytes(range(64))).decode()
ANSWERS = {
    "/0/public/Ticker": {
        "error": [],
        "result": {
            "XXBTZUSD": {
                "a": ["30300.10000", "1", "1.000"], "b": ["30300.00000", "1", "1.000"],
                "c": ["30303.20000", "0.00067643"], "v": ["4083.67001100", "4412.73601799"],
                "p": ["30706.77771", "30689.13205"], "t": [34619, 38907], "l": ["29868.30000", "29868.30000"],
                "h": ["31631.00000", "31631.00000"], "o": "30502.80000",
            }
        },
    },
    "/0/private/AddOrder": {
        "error": [],
        "result": {"descr": {"order": "buy 1.25 XBTUSD @ limit 37500.1"}, "txid": ["OU22CG-KLAF2-FWUDD7"]},
    },
}  # fmt: skip
BODIES = {path: json.dumps(answer).encode() for path, answer in ANSWERS.items()}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # headers and body go out in two writes; no delayed-ACK stall between them

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = BODIES.get(self.path.partition("?")[0], b'{"error":["EGeneral:Unknown method"]}')
        self.send_response(200 if self.path.partition("?")[0] in BODIES else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def process_request(self, request: object, client_address: object) -> None:
        self.connections += 1  # one per accepted TCP connection
        super().process_request(request, client_address)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _our_allocations() -> int:
    """Bytes still allocated by a line of our code (the allocating frame), once garbage is collected."""
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, p) for p in OUR_CODE])
    return sum(stat.size for stat in snapshot.statistics("filename"))


def test_memory_and_connections_stay_flat_over_2000_calls(server: _Server) -> None:
    base = f"http://127.0.0.1:{server.server_address[1]}/0"
    order = AddOrderRequest(
        ordertype=Ordertype.LIMIT, type_=AddOrderRequestType.BUY, volume=Decimal("1.25"), pair="XBTUSD", price="37500.1"
    )
    with KrakenSpot("soak-key", SECRET, base_url=base, rate_limit=False) as spot:
        pool = spot._http._transport._pool  # type: ignore[attr-defined]
        limit = pool._max_keepalive_connections

        def call(index: int) -> None:
            if index % 2:
                assert spot.add_order(body=order).txid == ["OU22CG-KLAF2-FWUDD7"]
            else:
                assert spot.get_ticker_information(pair="XBTUSD")["XXBTZUSD"].o == Decimal("30502.80000")

        for index in range(WARM_UP):
            call(index)
        tracemalloc.start(1)  # the allocating frame is all the filter looks at
        try:
            before = _our_allocations()
            # A snapshot of a big test process can outlast the pool's 5 s keep-alive expiry on a loaded machine; the
            # pool then rightly opens a new connection, here, before connections are counted.
            call(WARM_UP)
            connections_before, accepted_before = len(pool.connections), server.connections
            for index in range(WARM_UP + 1, CALLS):
                call(index)
            after = _our_allocations()
        finally:
            tracemalloc.stop()
        assert 1 <= len(pool.connections) <= limit
        assert len(pool.connections) == connections_before
        assert server.connections == accepted_before  # every call after the warm-up reused a connection
        assert after - before < GROWTH_BOUND, f"our code kept {after - before} more bytes after {CALLS} calls"
