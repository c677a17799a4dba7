"""Turning an HTTP response into JSON or a typed error, the part every venue shares.

The order of work for a call is: ``decode_json`` (the body must be JSON at all),
the venue's ``check_envelope`` (the venue's own error signal), then
``raise_for_http_status`` (a status the envelope did not explain).
"""

from __future__ import annotations

import datetime
import decimal
import email.utils
import html
import json
import math
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from exchange_clients._json import top_level_members
from exchange_clients.errors import (
    AuthenticationError,
    ExchangeError,
    ExchangeWarning,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    ServiceUnavailable,
    UnexpectedResponse,
)

__all__ = [
    "CallContext",
    "decode_json",
    "error_class_for_status",
    "error_context",
    "make_error",
    "make_warning",
    "media_type",
    "raise_for_http_status",
    "refuse_duplicate_keys",
    "retry_after_seconds",
]

_STATUS_ERRORS: dict[int, type[ExchangeError]] = {
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    408: RequestTimeout,
    429: RateLimited,
}
# The title sits in <head>; searching further only costs time on hostile pages.
_HEAD_LIMIT = 64 * 1024
_TITLE_LIMIT = 200
# What json.loads(text, parse_float=Decimal, parse_constant=Decimal) builds on every call, built once.
_DECODER = json.JSONDecoder(parse_float=decimal.Decimal, parse_constant=decimal.Decimal)


@dataclass(frozen=True)
class CallContext:
    """What an error needs to say where it happened."""

    venue: str
    method: str
    path: str

    def __post_init__(self) -> None:
        # Query strings can carry order ids and account details; errors name the path only.
        object.__setattr__(self, "path", self.path.partition("?")[0])


def error_context(response: httpx.Response, ctx: CallContext) -> dict[str, Any]:
    """Keyword arguments locating an ``ExchangeError``: venue, HTTP status, method, path and the raw body."""
    return {
        "venue": ctx.venue,
        "http_status": response.status_code,
        "method": ctx.method,
        "path": ctx.path,
        "body": response.content,
    }


def make_error(
    cls: type[ExchangeError], message: str, response: httpx.Response, ctx: CallContext, **fields: Any
) -> ExchangeError:
    """``cls(message)`` located at this response; a ``RateLimited`` without ``retry_after`` reads the headers."""
    context = error_context(response, ctx) | fields
    if issubclass(cls, RateLimited) and context.get("retry_after") is None:
        context["retry_after"] = retry_after_seconds(response)
    return cls(message, **context)


def make_warning(
    cls: type[ExchangeWarning], message: str, response: httpx.Response, ctx: CallContext, **fields: Any
) -> ExchangeWarning:
    """``cls(message)`` located at this response, for the client's ``on_warning``."""
    return cls(message, **(error_context(response, ctx) | fields))


def error_class_for_status(status: int) -> type[ExchangeError]:
    """The error an HTTP status means when the body explains nothing more."""
    if status >= 500:
        return ServiceUnavailable
    return _STATUS_ERRORS.get(status, UnexpectedResponse)


def raise_for_http_status(response: httpx.Response, ctx: CallContext) -> None:
    """Raise for a non-2xx status; call it once the venue's envelope check found nothing to raise."""
    status = response.status_code
    if 200 <= status < 300:
        return
    # str() appends "(HTTP <status>)", so the message is the reason phrase alone.
    raise _status_error(response, ctx, response.reason_phrase or "unexpected status")


def decode_json(response: httpx.Response, ctx: CallContext) -> Any:
    """Decode the body as JSON with every non-integer number as an exact ``Decimal``.

    A non-2xx status with a JSON body is returned, not raised: the envelope
    usually says more than the status does.
    """
    if response.status_code == 429:
        raise _status_error(response, ctx, "rate limited")
    body = response.content
    if not body.strip():
        raise _undecodable(response, ctx, "empty body where JSON was expected")
    if body.lstrip().startswith(b"<"):
        raise _undecodable(response, ctx, _describe_html(body))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _undecodable(response, ctx, f"body is not UTF-8 (invalid byte at offset {exc.start})") from None
    try:
        # NaN and Infinity become Decimals too, so every non-integer number has one type.
        return _loads(text)
    except json.JSONDecodeError as exc:
        if media_type(response) == "text/html":
            raise _undecodable(response, ctx, _describe_html(body)) from None
        reason = f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (of {len(text)} chars)"
        raise _undecodable(response, ctx, reason) from None
    except ValueError as exc:  # an integer longer than sys.get_int_max_str_digits()
        raise _undecodable(response, ctx, f"body is not usable JSON: {exc}") from None
    except RecursionError:
        raise make_error(UnexpectedResponse, "JSON nested too deeply to decode", response, ctx) from None


def _loads(text: str) -> Any:
    """``json.loads(text, parse_float=Decimal, parse_constant=Decimal)`` with its decoder built once."""
    if text.startswith("\ufeff"):  # json.loads refuses a BOM before decoding; so do we, with its message
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)


def refuse_duplicate_keys(payload: Any, response: httpx.Response, ctx: CallContext, keys: tuple[str, ...]) -> None:
    """An envelope that names one of its ``keys`` twice is refused: ``{"error": [...], "error": []}`` would read
    as a success, since JSON decoders keep the last. Cheap unless the body spells a key more than once."""
    if not keys or not isinstance(payload, dict):
        return
    body = response.content
    for spelled in _spelled(keys):
        if body.count(spelled) > 1:
            break
    else:
        return
    names = [name for name, _ in top_level_members(body.decode("utf-8"))]
    for key in keys:
        if names.count(key) > 1:
            raise make_error(UnexpectedResponse, f"the answer names {key!r} more than once", response, ctx)


@cache
def _spelled(keys: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(b'"%s"' % key.encode() for key in keys)


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After`` (seconds or HTTP-date), Kraken's ``rate-limit-reset`` (seconds) or
    bitFlyer's ``X-RateLimit-Reset`` (the Unix time the window resets)."""
    now = time.time() if now is None else now
    retry_after = response.headers.get("Retry-After")
    if retry_after is not None:
        seconds = _seconds(retry_after)
        if seconds is None:
            seconds = _seconds_until_date(retry_after, now)
        if seconds is not None:
            return seconds
    reset = response.headers.get("rate-limit-reset")
    if reset is not None:
        return _seconds(reset)
    reset_at = _seconds(response.headers.get("X-RateLimit-Reset", ""))
    return None if reset_at is None else max(0.0, reset_at - now)


def _status_error(response: httpx.Response, ctx: CallContext, message: str) -> ExchangeError:
    return make_error(error_class_for_status(response.status_code), message, response, ctx)


def _undecodable(response: httpx.Response, ctx: CallContext, reason: str) -> ExchangeError:
    # A 2xx that is not JSON broke the API's promise; otherwise the status is the only signal left.
    if 200 <= response.status_code < 300:
        return make_error(UnexpectedResponse, reason, response, ctx)
    return _status_error(response, ctx, reason)


def _describe_html(body: bytes) -> str:
    title = _html_title(body)
    if not title:
        return "HTML page where JSON was expected"
    if len(title) > _TITLE_LIMIT:
        title = title[: _TITLE_LIMIT - 1] + "…"
    return f"HTML page where JSON was expected: {title!r}"


def _html_title(body: bytes) -> str:
    head = body[:_HEAD_LIMIT]
    folded = head.lower()
    tag = folded.find(b"<title")
    start = folded.find(b">", tag) + 1 if tag >= 0 else 0
    end = folded.find(b"</title", start) if start > 0 else -1
    if end < 0:
        return ""
    return " ".join(html.unescape(head[start:end].decode("utf-8", "replace")).split())


def media_type(response: httpx.Response) -> str:
    """The Content-Type without parameters, lower-cased (``application/json``)."""
    content_type: str = response.headers.get("Content-Type", "")
    return content_type.partition(";")[0].strip().lower()


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _seconds_until_date(value: str, now: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 5322 "-0000": UTC with no claim about the local zone
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - now)
