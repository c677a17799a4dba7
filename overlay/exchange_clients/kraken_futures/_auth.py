"""Kraken Futures request signing: ``APIKey``, ``Nonce`` and ``Authent`` headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from exchange_clients._nonce import awaitable_supplier, nonce_source_for
from exchange_clients._secrets import Secret, decode_b64_secret

__all__ = ["KrakenFuturesAuth", "endpoint_path", "sign"]

_VENUE = "Kraken Futures"
_DERIVATIVES_PREFIX = "/derivatives"


def sign(secret_b64: str | bytes, post_data: str, nonce: str, endpoint_path: str) -> str:
    """``Authent`` = base64(HMAC-SHA512(b64decode(secret), SHA256(postData + nonce + path))).

    ``secret_b64`` is the base64 text Kraken issues, as ``str`` or ASCII ``bytes``;
    ``post_data`` is the URL-encoded string exactly as sent, and ``nonce`` may be ``""``.
    """
    text = secret_b64.decode("ascii") if isinstance(secret_b64, bytes) else secret_b64
    key = decode_b64_secret(text, _VENUE)
    return _sign_with_key(key, post_data.encode("utf-8"), nonce, endpoint_path)


def _sign_with_key(key: bytes, post_data: bytes, nonce: str, endpoint_path: str) -> str:
    digest = hashlib.sha256(post_data + nonce.encode("ascii") + endpoint_path.encode("ascii"))
    mac = hmac.new(key, digest.digest(), hashlib.sha512)
    return base64.b64encode(mac.digest()).decode("ascii")


def endpoint_path(url_path: str) -> str:
    """The path Kraken Futures signs: the URL path with only a leading ``/derivatives`` removed.

    History, auth and stats paths (``/api/history/...``) are signed in full.
    """
    # Segment-aware, so a hypothetical "/derivativesfoo" is not cut in half.
    if url_path == _DERIVATIVES_PREFIX or url_path.startswith(_DERIVATIVES_PREFIX + "/"):
        return url_path[len(_DERIVATIVES_PREFIX) :]
    return url_path


class KrakenFuturesAuth(httpx.Auth):
    """Signs the body (or, with no body, the query string) exactly as it goes on the wire.

    The body is never rewritten: Kraken Futures takes its nonce as a header.
    """

    requires_request_body = True

    def __init__(self, api_key: str, api_secret: str, *, nonce: Callable[[], int] | None = None) -> None:
        self._api_key = Secret(api_key)
        self._key = Secret(decode_b64_secret(api_secret, _VENUE))
        self._nonce = nonce if nonce is not None else nonce_source_for(api_key).next
        self._anonce = awaitable_supplier(self._nonce)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self._signed(request, str(self._nonce()))

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # A shared nonce source (Redis) is awaited, not called: the event loop goes on while it answers.
        await request.aread()
        yield self._signed(request, str(await self._anonce() if self._anonce else self._nonce()))

    def _signed(self, request: httpx.Request, nonce: str) -> httpx.Request:
        # POST parameters may travel in the URL (the spec declares them "in: query"),
        # in which case the query string is what the server hashes.
        post_data = request.content or request.url.query
        path = endpoint_path(request.url.raw_path.partition(b"?")[0].decode("ascii"))
        request.headers["APIKey"] = self._api_key.reveal()
        request.headers["Nonce"] = nonce
        request.headers["Authent"] = _sign_with_key(self._key.reveal(), post_data, nonce, path)
        return request

    def __repr__(self) -> str:
        return "KrakenFuturesAuth(api_key=***, api_secret=***)"
