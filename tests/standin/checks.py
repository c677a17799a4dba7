"""Request checks, done the way each venue does them and rejected in each venue's error shape.

The signatures are re-implemented here from the reference formulas (kraken.md §1-2,
bitflyer.md §2) rather than imported from the overlay, so a passing request proves
two independent implementations agree.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from . import replies
from .keys import FAKE_KEYS
from .replies import Reply
from .routes import Operation
from .spec import Spec, Venue

# bitFlyer publishes no tolerance; ±5 minutes is the window most HMAC APIs use.
BITFLYER_TIMESTAMP_WINDOW = 300
# bitFlyer publishes no error table; -100 is the one validation code observed for a bad
# parameter (bitflyer.md §4.3 "Invalid product"), so every missing body field uses it.
BITFLYER_INVALID_PARAMETER = -100


@dataclass(frozen=True)
class Incoming:
    """A request as received: raw target, raw body, headers (case-insensitive)."""

    venue: Venue
    method: str
    target: str  # the request-target exactly as sent: path plus "?query"
    headers: Message
    body: bytes
    host: str

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    @property
    def media_type(self) -> str:
        return (self.headers.get("Content-Type") or "").partition(";")[0].strip().lower()

    def query_names(self) -> set[str]:
        return set(parse_qs(self.query, keep_blank_values=True))


class NonceBook:
    """The last accepted nonce per (venue, key): each new one must be strictly greater."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], int] = {}

    def accept(self, venue: str, key: str, nonce: int) -> bool:
        with self._lock:
            last = self._last.get((venue, key))
            if last is not None and nonce <= last:
                return False
            self._last[(venue, key)] = nonce
            return True

    def reset(self) -> None:
        with self._lock:
            self._last.clear()


@dataclass(frozen=True)
class Context:
    spec: Spec
    op: Operation
    request: Incoming
    nonces: NonceBook
    clock: Callable[[], float]


def check(ctx: Context) -> Reply | None:
    """The venue's rejection of this request, or None when it would be served."""
    return _CHECKS[ctx.request.venue](ctx)


# --- Kraken Spot -------------------------------------------------------------------------------


def spot_signature(secret_b64: str, uri_path: str, nonce: str, body: bytes) -> str:
    """base64(HMAC-SHA512(b64decode(secret), uri_path + SHA256(nonce + body)))."""
    inner = hashlib.sha256(nonce.encode("ascii") + body).digest()
    mac = hmac.new(base64.b64decode(secret_b64), uri_path.encode("latin-1") + inner, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode("ascii")


def _check_spot(ctx: Context) -> Reply | None:
    request = ctx.request
    if not ctx.op.private:
        missing = _missing(ctx.op.required_params("query"), request.query_names())
        return replies.spot_error(f"EGeneral:Invalid arguments:{missing}") if missing else None
    key, secret = FAKE_KEYS["spot"]
    if request.headers.get("API-Key") != key:
        return replies.spot_error("EAPI:Invalid key")
    fields = _body_fields(request)
    if fields is None:
        return replies.spot_error("EGeneral:Invalid arguments")
    nonce = _nonce_text(fields.get("nonce"))
    if nonce is None:
        return replies.spot_error("EAPI:Invalid nonce")
    # The signature is checked before the nonce is remembered, so a forged request
    # cannot burn nonces of the real key holder.
    expected = spot_signature(secret, request.target, nonce, request.body)
    if not hmac.compare_digest(expected, request.headers.get("API-Sign") or ""):
        return replies.spot_error("EAPI:Invalid signature")
    if not ctx.nonces.accept("spot", key, int(nonce)):
        return replies.spot_error("EAPI:Invalid nonce")
    missing = _missing(ctx.op.required_body_fields(ctx.spec), set(fields))
    return replies.spot_error(f"EGeneral:Invalid arguments:{missing}") if missing else None


def _nonce_text(value: Any) -> str | None:
    """The nonce's bare digits (a JSON number or string, or a form value), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value > 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    return None


# --- Kraken Futures ----------------------------------------------------------------------------


def futures_signature(secret_b64: str, post_data: bytes, nonce: str, endpoint_path: str) -> str:
    """base64(HMAC-SHA512(b64decode(secret), SHA256(postData + nonce + endpointPath)))."""
    digest = hashlib.sha256(post_data + nonce.encode("ascii") + endpoint_path.encode("latin-1")).digest()
    return base64.b64encode(hmac.new(base64.b64decode(secret_b64), digest, hashlib.sha512).digest()).decode("ascii")


def futures_endpoint_path(path: str) -> str:
    """The signed path: only a leading ``/derivatives`` segment is removed."""
    prefix = "/derivatives"
    return path[len(prefix) :] if path == prefix or path.startswith(prefix + "/") else path


def _check_futures(ctx: Context) -> Reply | None:
    request = ctx.request
    now = ctx.clock()
    if ctx.op.private:
        rejection = _futures_auth(ctx, now)
        if rejection is not None:
            return rejection
    missing = _missing(ctx.op.required_params("query"), request.query_names())
    if not missing and ctx.op.request_body is not None:
        fields = _body_fields(request)
        missing = _missing(ctx.op.required_body_fields(ctx.spec), set(fields or {}))
    if missing:
        status = replies.futures_status(request.path, 200, 400)
        return replies.futures_error("requiredArgumentMissing", now, status)
    return None


def _futures_auth(ctx: Context, now: float) -> Reply | None:
    request = ctx.request
    key, secret = FAKE_KEYS["futures"]
    # /derivatives reports auth failures in its 200 envelope; the envelope-less APIs answer 401.
    status = replies.futures_status(request.path, 200, 401)
    if request.headers.get("APIKey") != key:
        return replies.futures_error("authenticationError", now, status)
    nonce = request.headers.get("Nonce") or ""  # optional; signed as "" when absent
    if nonce and not (nonce.isascii() and nonce.isdigit()):
        return replies.futures_error("authenticationError", now, status)
    # postData is the raw body if there is one, else the raw query string (kraken.md §2.4).
    post_data = request.body or request.query.encode("latin-1")
    expected = futures_signature(secret, post_data, nonce, futures_endpoint_path(request.path))
    if not hmac.compare_digest(expected, request.headers.get("Authent") or ""):
        return replies.futures_error("authenticationError", now, status)
    if nonce and not ctx.nonces.accept("futures", key, int(nonce)):
        return replies.futures_error("nonceBelowThreshold", now, status)
    return None


# --- bitFlyer ----------------------------------------------------------------------------------


def bitflyer_signature(secret: str, timestamp: str, method: str, path_with_query: str, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, timestamp + METHOD + path?query + body))."""
    prehash = (timestamp + method + path_with_query).encode("latin-1") + body
    return hmac.new(secret.encode("utf-8"), prehash, hashlib.sha256).hexdigest()


def _check_bitflyer(ctx: Context) -> Reply | None:
    request = ctx.request
    if ctx.op.private:
        rejection = _bitflyer_auth(ctx)
        if rejection is not None:
            return rejection
    if _missing(ctx.op.required_params("query"), request.query_names()):
        return replies.bitflyer_no_route(f"http://{request.host}{request.target}")
    if ctx.op.request_body is not None:
        fields = _body_fields(request)
        if fields is None:
            return replies.bitflyer_error(400, BITFLYER_INVALID_PARAMETER, "Invalid request body.")
        missing = _missing(ctx.op.required_body_fields(ctx.spec), set(fields))
        if missing:
            message = f"Invalid parameter: {missing} is required."
            return replies.bitflyer_error(400, BITFLYER_INVALID_PARAMETER, message)
    return None


def _bitflyer_auth(ctx: Context) -> Reply | None:
    request = ctx.request
    key, secret = FAKE_KEYS["bitflyer"]
    sent_key = request.headers.get("ACCESS-KEY")
    if not sent_key:
        return replies.bitflyer_error(401, -500, "ACCESS-KEY header is required")
    timestamp = request.headers.get("ACCESS-TIMESTAMP") or ""
    valid_time = (
        timestamp.isascii() and timestamp.isdigit() and abs(int(timestamp) - ctx.clock()) <= BITFLYER_TIMESTAMP_WINDOW
    )
    expected = bitflyer_signature(secret, timestamp, request.method, request.target, request.body)
    signed = hmac.compare_digest(expected, request.headers.get("ACCESS-SIGN") or "")
    if sent_key != key or not valid_time or not signed:
        return replies.bitflyer_error(401, -500, "Invalid signature")
    return None


# --- shared ------------------------------------------------------------------------------------


def _body_fields(request: Incoming) -> Mapping[str, Any] | None:
    return body_fields(request.body, request.media_type)


def body_fields(body: bytes, media_type: str) -> Mapping[str, Any] | None:
    """A body's top-level fields, by media type (JSON, or form when unset); None if unreadable."""
    if not body:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    if media_type in ("", "application/x-www-form-urlencoded"):
        return {name: values[-1] for name, values in parse_qs(text, keep_blank_values=True).items()}
    return None


def _missing(required: list[str], present: set[str]) -> str | None:
    return next((name for name in required if name not in present), None)


_CHECKS: dict[str, Callable[[Context], Reply | None]] = {
    "spot": _check_spot,
    "futures": _check_futures,
    "bitflyer": _check_bitflyer,
}
