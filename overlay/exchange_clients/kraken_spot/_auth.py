"""Kraken Spot request signing: nonce injection into the body plus ``API-Sign``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncGenerator, Callable, Generator
from urllib.parse import unquote_plus, urlencode

import httpx

from exchange_clients._json import top_level_members
from exchange_clients._nonce import awaitable_supplier, nonce_source_for
from exchange_clients._secrets import Secret, decode_b64_secret

__all__ = ["KrakenSpotAuth", "sign"]

_VENUE = "Kraken Spot"
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


def sign(secret_b64: str | bytes, uri_path: str, nonce: str, body: bytes) -> str:
    """``API-Sign`` = base64(HMAC-SHA512(b64decode(secret), uri_path + SHA256(nonce + body))).

    ``secret_b64`` is the base64 text Kraken issues, as ``str`` or ASCII ``bytes``;
    ``uri_path`` includes any ``?query`` exactly as sent.
    """
    text = secret_b64.decode("ascii") if isinstance(secret_b64, bytes) else secret_b64
    return _sign_with_key(decode_b64_secret(text, _VENUE), uri_path, nonce, body)


def _sign_with_key(key: bytes, uri_path: str, nonce: str, body: bytes) -> str:
    inner = hashlib.sha256(nonce.encode("ascii") + body).digest()
    mac = hmac.new(key, uri_path.encode("ascii") + inner, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode("ascii")


class KrakenSpotAuth(httpx.Auth):
    """Puts a fresh ``nonce`` (and ``otp``) into the body, then signs the exact bytes sent.

    The nonce is drawn on every pass through ``auth_flow``, so a resent request
    is re-signed with a new nonce instead of replaying a rejected one.
    """

    requires_request_body = True

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        otp: str | Callable[[], str] | None = None,
        nonce: Callable[[], int] | None = None,
    ) -> None:
        self._api_key = Secret(api_key)
        self._key = Secret(decode_b64_secret(api_secret, _VENUE))
        self._otp = _as_supplier(otp)
        self._nonce = nonce if nonce is not None else nonce_source_for(api_key).next
        self._anonce = awaitable_supplier(self._nonce)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self._signed(request, str(self._nonce()))

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # A shared nonce source (Redis) is awaited, not called: the event loop goes on while it answers.
        await request.aread()
        yield self._signed(request, str(await self._anonce() if self._anonce else self._nonce()))

    def _signed(self, request: httpx.Request, nonce: str) -> httpx.Request:
        otp = self._otp() if self._otp is not None else None
        content_type, body = _body_with_nonce(request, nonce, otp)
        signed = _replace_body(request, content_type, body)
        uri_path = request.url.raw_path.decode("ascii")
        signed.headers["API-Key"] = self._api_key.reveal()
        signed.headers["API-Sign"] = _sign_with_key(self._key.reveal(), uri_path, nonce, body)
        return signed

    def __repr__(self) -> str:
        return f"KrakenSpotAuth(api_key=***, api_secret=***, otp={self._otp is not None})"


def _as_supplier(otp: str | Callable[[], str] | None) -> Callable[[], str] | None:
    if isinstance(otp, str):
        # A bound Secret method, so even the supplier's repr hides a static OTP.
        return Secret(otp).reveal
    return otp


def _injected_fields(nonce: str, otp: str | None) -> list[tuple[str, str]]:
    # The nonce goes first and as a string: the signature prefix is its bare digits anyway.
    return [("nonce", nonce)] if otp is None else [("nonce", nonce), ("otp", otp)]


def _media_type(request: httpx.Request) -> str:
    content_type: str = request.headers.get("Content-Type", "")
    return content_type.partition(";")[0].strip().lower()


def _body_with_nonce(request: httpx.Request, nonce: str, otp: str | None) -> tuple[str, bytes]:
    """Return the Content-Type to send and the body with ``nonce``/``otp`` set first."""
    media_type = _media_type(request)
    body = request.content
    if media_type == _JSON:
        return request.headers["Content-Type"], _json_with_nonce(body, nonce, otp)
    if media_type == _FORM or (not body and not media_type):
        return _FORM, _form_with_nonce(body, nonce, otp)
    described = media_type or "a body without Content-Type"
    raise ValueError(f"KrakenSpotAuth can only add a nonce to a form or JSON body, not {described}")


def _form_with_nonce(body: bytes, nonce: str, otp: str | None) -> bytes:
    # Other fields keep their original bytes, so the caller's encoding choices
    # (e.g. "%25" in a trailing-stop price) reach Kraken untouched.
    injected = _injected_fields(nonce, otp)
    replaced = {name for name, _ in injected}
    kept = [field for field in body.split(b"&") if field and _form_name(field) not in replaced]
    return b"&".join([urlencode(injected).encode("ascii"), *kept])


def _form_name(field: bytes) -> str:
    return unquote_plus(field.partition(b"=")[0].decode("utf-8", "replace"))


def _json_with_nonce(body: bytes, nonce: str, otp: str | None) -> bytes:
    text = body.decode("utf-8") if body else "{}"
    json.loads(text)  # reject malformed JSON before slicing it by hand
    stripped = text.strip(" \t\n\r")
    if not stripped.startswith("{"):
        raise ValueError("KrakenSpotAuth needs a JSON object body to add a nonce to")
    if otp is None and '"nonce"' not in text and "\\" not in text:
        # Nothing to replace (the usual case: the facade never sends a nonce): put it first, keep the rest.
        rest = stripped[1:].lstrip(" \t\n\r")
        return f'{{"nonce":"{nonce}"{"" if rest.startswith("}") else ","}{rest}'.encode()
    injected = _injected_fields(nonce, otp)
    replaced = {name for name, _ in injected}
    kept = [member for name, member in top_level_members(text) if name not in replaced]
    fields = [f"{json.dumps(name)}:{json.dumps(value)}" for name, value in injected]
    return ("{" + ",".join([*fields, *kept]) + "}").encode("utf-8")


def _replace_body(request: httpx.Request, content_type: str, body: bytes) -> httpx.Request:
    """The request with ``body`` as its content, in place.

    Building a new ``httpx.Request`` is the public way, but it costs about three times the signature itself on
    every private call. So: new stream, matching headers, and ``_content`` (httpx's cached ``request.content``,
    which transports such as MockTransport read) kept in step; httpx is pinned below 0.29, and the loopback
    test in tests/unit/test_signing.py proves that the bytes on the wire are the bytes signed.
    """
    request.headers.pop("Transfer-Encoding", None)
    request.headers["Content-Type"] = content_type
    request.headers["Content-Length"] = str(len(body))
    request.stream = httpx.ByteStream(body)
    request._content = body
    return request
