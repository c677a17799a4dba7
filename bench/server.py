"""A small keep-alive HTTP/1.1 server on loopback that answers canned bodies per path, for the benchmark only.

Run as its own process (``python -m bench.server``) so that the client's CPU time is measured apart from
the server's. It prints ``PORT <n>`` once it listens. Besides the canned answers it checks what the
benchmark's signed calls send:

* Kraken Spot (``/0/private/*``): the ``API-Sign`` over the exact body, and the nonce per ``API-Key``: a nonce
  seen before is a duplicate (a real nonce error); a nonce lower than the highest already received arrived
  *out of order* (Kraken would refuse it unless the key has a nonce window). Both are counted; the answer is
  the canned success either way, so that a benchmark run is never cut short.
* Kraken Futures (``/derivatives/api/v3/*`` with ``Authent``) and bitFlyer (``/v1/me/*``): the signature.

A bad signature gets the venue's authentication error, so a client that signs wrong fails loudly.
``GET /__stats`` returns the counters as JSON; ``POST /__reset`` clears them. Nothing in the tests uses this.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import sys
from typing import Any
from urllib.parse import parse_qsl

from bench.bodies import all_examples, call_bodies

# The benchmark's fake credentials (base64 of 64 bytes for Kraken, any text for bitFlyer).
KRAKEN_SECRET = base64.b64encode(bytes(range(64))).decode()
BITFLYER_SECRET = "bench-bitflyer-secret"
_KRAKEN_KEY_BYTES = base64.b64decode(KRAKEN_SECRET)
_BITFLYER_KEY_BYTES = BITFLYER_SECRET.encode()

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


def _response(status: int, body: bytes, keep_alive: bool = True) -> bytes:
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"{'' if keep_alive else 'Connection: close' + chr(13) + chr(10)}"
        "\r\n"
    )
    return head.encode("latin-1") + body


class _KeyStats:
    __slots__ = ("bad_signatures", "calls", "duplicates", "highest", "out_of_order", "seen")

    def __init__(self) -> None:
        self.calls = 0
        self.duplicates = 0
        self.out_of_order = 0
        self.bad_signatures = 0
        self.highest = -1
        self.seen: set[int] = set()

    def as_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "duplicates": self.duplicates,
            "out_of_order": self.out_of_order,
            "bad_signatures": self.bad_signatures,
        }


class State:
    def __init__(self) -> None:
        routes = all_examples()
        routes.update(call_bodies())
        self.routes = {path: _response(200, body) for path, body in routes.items()}
        self.not_found = _response(404, b'{"error":["EGeneral:Unknown method"]}')
        self.spot_bad_sign = _response(200, b'{"error":["EAPI:Invalid signature"],"result":{}}')
        self.futures_bad_sign = _response(401, b'{"result":"error","error":"authenticationError"}')
        self.bitflyer_bad_sign = _response(401, b'{"status":-500,"error_message":"Invalid signature"}')
        self.keys: dict[str, _KeyStats] = {}
        self.requests = 0
        self.connections = 0
        self.open_connections = 0

    def key(self, name: str) -> _KeyStats:
        stats = self.keys.get(name)
        if stats is None:
            stats = self.keys[name] = _KeyStats()
        return stats

    def stats(self) -> bytes:
        data: dict[str, Any] = {
            "requests": self.requests,
            "connections": self.connections,
            "open_connections": self.open_connections,
            "keys": {name: stats.as_dict() for name, stats in self.keys.items()},
        }
        return _response(200, json.dumps(data).encode())

    # -- signature and nonce checks ------------------------------------------------------------------

    def spot_private(self, target: bytes, headers: dict[bytes, bytes], body: bytes) -> bytes | None:
        key = headers.get(b"api-key", b"").decode("latin-1")
        stats = self.key(key)
        stats.calls += 1
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media == b"application/json":
            nonce_text = str(json.loads(body).get("nonce", ""))
        else:
            nonce_text = dict(parse_qsl(body.decode("latin-1"))).get("nonce", "")
        inner = hashlib.sha256(nonce_text.encode("ascii") + body).digest()
        expected = base64.b64encode(hmac.new(_KRAKEN_KEY_BYTES, target + inner, hashlib.sha512).digest())
        if not nonce_text.isdigit() or not hmac.compare_digest(expected, headers.get(b"api-sign", b"")):
            stats.bad_signatures += 1
            return self.spot_bad_sign
        nonce = int(nonce_text)
        if nonce in stats.seen:
            stats.duplicates += 1
        elif nonce < stats.highest:
            stats.out_of_order += 1
        stats.seen.add(nonce)
        stats.highest = max(stats.highest, nonce)
        return None

    def futures_private(self, target: bytes, headers: dict[bytes, bytes], body: bytes) -> bytes | None:
        stats = self.key("futures:" + headers.get(b"apikey", b"").decode("latin-1"))
        stats.calls += 1
        path, _, query = target.partition(b"?")
        post_data = body or query
        endpoint = path[len(b"/derivatives") :] if path.startswith(b"/derivatives/") else path
        digest = hashlib.sha256(post_data + headers.get(b"nonce", b"") + endpoint).digest()
        expected = base64.b64encode(hmac.new(_KRAKEN_KEY_BYTES, digest, hashlib.sha512).digest())
        if not hmac.compare_digest(expected, headers.get(b"authent", b"")):
            stats.bad_signatures += 1
            return self.futures_bad_sign
        return None

    def bitflyer_private(self, method: bytes, target: bytes, headers: dict[bytes, bytes], body: bytes) -> bytes | None:
        stats = self.key("bitflyer:" + headers.get(b"access-key", b"").decode("latin-1"))
        stats.calls += 1
        prehash = headers.get(b"access-timestamp", b"") + method + target + body
        expected = hmac.new(_BITFLYER_KEY_BYTES, prehash, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(expected, headers.get(b"access-sign", b"")):
            stats.bad_signatures += 1
            return self.bitflyer_bad_sign
        return None

    def answer(self, method: bytes, target: bytes, headers: dict[bytes, bytes], body: bytes) -> bytes:
        self.requests += 1
        path = target.partition(b"?")[0].decode("latin-1")
        if path == "/__stats":
            return self.stats()
        if path == "/__reset":
            self.keys.clear()
            self.requests = 0
            self.connections = self.open_connections
            return _response(200, b"{}")
        refusal: bytes | None = None
        if path.startswith("/0/private/"):
            refusal = self.spot_private(target, headers, body)
        elif path.startswith("/derivatives/api/v3/") and b"authent" in headers:
            refusal = self.futures_private(target, headers, body)
        elif path.startswith("/v1/me/"):
            refusal = self.bitflyer_private(method, target, headers, body)
        if refusal is not None:
            return refusal
        return self.routes.get(path, self.not_found)


class HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive and pipelining; Content-Length bodies only (what the clients send)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.state.connections += 1
        self.state.open_connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.open_connections -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        out = []
        close = False
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buffer[:end].split(b"\r\n")
            headers: dict[bytes, bytes] = {}
            for line in head[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0") or 0)
            if len(self.buffer) < end + 4 + length:
                break
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            method, target, _version = head[0].split(b" ", 2)
            out.append(self.state.answer(method, target, headers, body))
            if headers.get(b"connection", b"").lower() == b"close":
                close = True
                break
        if out and self.transport is not None:
            self.transport.write(b"".join(out))
            if close:
                self.transport.close()


async def serve(port: int) -> None:
    state = State()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HttpProtocol(state), "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    # The server also stops when its parent goes away (stdin closes), so it never outlives a run.
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not os.read(sys.stdin.fileno(), 1024) else None)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
