"""``StandIn``: three local HTTP/1.1 servers (Kraken Spot, Kraken Futures, bitFlyer) on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from . import checks, replies, scenarios
from .answers import ANSWERS
from .checks import Incoming, NonceBook
from .orders import OrderMemory, request_fields
from .paging import PagedRows, paged_rows
from .replies import Reply
from .routes import route_table
from .scenarios import ScenarioContext, ScenarioQueues
from .spec import VENUES, Venue, load_spec

# Header values never kept in the request log (names stay, so presence can be asserted).
SECRET_HEADERS = frozenset(
    name.lower()
    for name in ("API-Key", "API-Sign", "APIKey", "Authent", "ACCESS-KEY", "ACCESS-SIGN", "Authorization", "Cookie")
)
REDACTED = "<redacted>"
_POLL_INTERVAL = 0.05  # how often serve_forever notices shutdown()
_IDLE_TIMEOUT = 30.0  # an idle keep-alive connection is dropped after this many seconds
_MAX_BODY = 16 * 1024 * 1024


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the stand-in saw it (secret header values replaced by ``<redacted>``)."""

    venue: Venue
    method: str
    path: str  # raw path, no query
    query: str  # raw query string, no "?"
    headers: dict[str, str]
    body: bytes
    operation_id: str | None  # None for an unknown route
    status: int  # the HTTP status answered
    scenario: str | None  # the scenario applied, if any

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    @property
    def fields(self) -> dict[str, Any]:
        """The request's fields, query and body together."""
        content_type = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")
        return request_fields(self.query, self.body, content_type.partition(";")[0].strip().lower())


@dataclass
class _State:
    """Everything the three servers share; each part carries its own lock."""

    clock: Callable[[], float]
    nonces: NonceBook = field(default_factory=NonceBook)
    queues: ScenarioQueues = field(default_factory=ScenarioQueues)
    log_lock: threading.Lock = field(default_factory=threading.Lock)
    log: list[ReceivedRequest] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    orders: OrderMemory | None = None  # set by StandIn(remember_orders=True)
    pages: dict[tuple[str, str], PagedRows] = field(default_factory=dict)


class _VenueServer(ThreadingHTTPServer):
    daemon_threads = True
    # Never join handler threads on close: an idle keep-alive connection would block it.
    block_on_close = False
    # The default backlog of 5 drops SYNs when a test opens many connections at once,
    # and the client's retransmit then costs a whole second.
    request_queue_size = 128

    def __init__(self, venue: Venue, state: _State) -> None:
        self.venue = venue
        self.state = state
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Wake handler threads parked on idle keep-alive connections so they exit now."""
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; keep it for assertions instead.
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.state.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = _IDLE_TIMEOUT
    # Headers and body go out in two writes; with Nagle on, the second waits for the
    # client's delayed ACK (~40 ms a request on loopback).
    disable_nagle_algorithm = True
    server: _VenueServer

    def version_string(self) -> str:
        return "standin"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the stand-in never writes to stderr."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            self._send(replies.standin_error("unreadable request body"), close=True)
            return
        incoming = Incoming(
            venue=self.server.venue,
            method=self.command,
            target=self.path,
            headers=self.headers,
            body=body,
            host=self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}",
        )
        try:
            reply, operation_id, scenario = _respond(self.server.state, incoming)
        except Exception as error:  # a stand-in bug must reach the test, not a stderr traceback
            self.server.state.errors.append(error)
            reply, operation_id, scenario = Reply(500, b"stand-in internal error", "text/plain"), None, None
        _record(self.server.state, incoming, self.headers, reply, operation_id, scenario)
        self._send(reply)

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.isdigit() or int(length) > _MAX_BODY:
            return None
        return self.rfile.read(int(length))

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _send(self, reply: Reply, *, close: bool = False) -> None:
        if close:
            self.close_connection = True
        self.send_response(reply.status)
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()


def _respond(state: _State, incoming: Incoming) -> tuple[Reply, str | None, str | None]:
    venue = incoming.venue
    now = state.clock()
    # A header picks the scenario for this request; otherwise the venue's queue is consumed
    # by this request, whatever becomes of it (one fail_next affects exactly one request).
    requested = incoming.headers.get(scenarios.HEADER)
    name = requested if requested is not None else state.queues.pop(venue)
    scenario = None
    if name is not None:
        try:
            scenario = scenarios.validate(venue, name)
        except ValueError as error:
            return replies.standin_error(str(error)), None, None
    found = route_table(venue).match(incoming.method, incoming.path)
    if found is None:
        return replies.not_found(venue, now), None, None
    op, _ = found
    context = checks.Context(load_spec(venue), op, incoming, state.nonces, state.clock)
    rejection = checks.check(context)
    if rejection is not None:
        return rejection, op.operation_id, None
    paged = state.pages.get((venue, op.operation_id))
    if paged is not None and scenario is None:
        return paged.reply(incoming), op.operation_id, None
    if state.orders is not None:
        fields = request_fields(incoming.query, incoming.body, incoming.media_type)
        state.orders.observe(op, fields, now)  # taken, whatever the scenario then makes of the answer
        remembered = state.orders.answer(op, fields)
        if remembered is not None and scenario is None:
            return remembered, op.operation_id, None
    answer = ANSWERS.answer(op)
    if scenario is None:
        return Reply.of_answer(answer), op.operation_id, None
    reply = scenario.render(ScenarioContext(venue, incoming.path, answer, now))
    return reply, op.operation_id, scenario.name


def _record(
    state: _State,
    incoming: Incoming,
    headers: Message,
    reply: Reply,
    operation_id: str | None,
    scenario: str | None,
) -> None:
    kept = {name: (REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers.items()}
    entry = ReceivedRequest(
        venue=incoming.venue,
        method=incoming.method,
        path=incoming.path,
        query=incoming.query,
        headers=kept,
        body=incoming.body,
        operation_id=operation_id,
        status=reply.status,
        scenario=scenario,
    )
    with state.log_lock:
        state.log.append(entry)


class StandIn:
    """Local stand-ins for the three venues, with production's paths.

    Use as a context manager (or ``start()``/``stop()``)::

        with StandIn() as venues:
            httpx.get(venues.spot_url + "/public/Time")
    """

    def __init__(self, *, clock: Callable[[], float] = time.time, remember_orders: bool = False) -> None:
        """``remember_orders``: answer order lookups with the orders placed here (see ``orders.py``)."""
        self._state = _State(clock=clock, orders=OrderMemory() if remember_orders else None)
        self._servers: dict[Venue, _VenueServer] = {}
        self._threads: list[threading.Thread] = []

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> StandIn:
        if self._servers:
            return self
        for venue in VENUES:
            route_table(venue)  # parse the documents before the first request, not during it
            server = _VenueServer(venue, self._state)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL},
                name=f"standin-{venue}",
                daemon=True,
            )
            thread.start()
            self._servers[venue] = server
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop all three servers and drop open connections; returns within about ``timeout``."""
        servers, self._servers = self._servers, {}
        threads, self._threads = self._threads, []
        deadline = time.monotonic() + timeout
        for server in servers.values():
            # shutdown() waits for serve_forever to notice; run it aside so a wedged
            # loop can never hang the caller.
            stopper = threading.Thread(target=server.shutdown, daemon=True)
            stopper.start()
            stopper.join(max(0.0, deadline - time.monotonic()))
            server.drop_connections()
            server.server_close()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------------------------

    def url(self, venue: Venue) -> str:
        """The base URL a client is configured with, including the server's base path."""
        server = self._servers.get(venue)
        if server is None:
            raise RuntimeError("the stand-in is not running")
        return f"http://127.0.0.1:{server.server_address[1]}{route_table(venue).base_path}"

    @property
    def spot_url(self) -> str:
        """``http://127.0.0.1:PORT/0``: Kraken Spot's server base includes ``/0``."""
        return self.url("spot")

    @property
    def futures_url(self) -> str:
        return self.url("futures")

    @property
    def bitflyer_url(self) -> str:
        return self.url("bitflyer")

    # -- scripting and inspection ---------------------------------------------------------------

    def fail_next(self, venue: Venue, scenario: str) -> None:
        """Queue ``scenario`` for the next request to ``venue`` (FIFO; ValueError if it does not apply)."""
        self._state.queues.push(venue, scenario)

    def serve_pages(self, venue: Venue, operation_id: str, *, rows: int = 600, arriving: int = 0) -> PagedRows:
        """Answer ``operation_id`` from ``rows`` rows, a page at a time as the venue pages (standin.paging), with
        ``arriving`` newer rows added after each page served."""
        template = ANSWERS.answer(route_table(venue).by_id(operation_id)).value
        paged = paged_rows(venue, operation_id, template, rows, arriving)
        self._state.pages[(venue, operation_id)] = paged
        return paged

    @property
    def requests(self) -> list[ReceivedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._state.log_lock:
            return list(self._state.log)

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the stand-in (always empty unless it has a bug)."""
        return list(self._state.errors)

    def reset(self) -> None:
        """Forget accepted nonces, queued scenarios, remembered orders, paged lists and the request log."""
        self._state.pages.clear()
        self._state.nonces.reset()
        self._state.queues.clear()
        if self._state.orders is not None:
            self._state.orders.clear()
        with self._state.log_lock:
            self._state.log.clear()
        self._state.errors.clear()
