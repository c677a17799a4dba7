"""``client.with_options(...)``: the same client with other options for some calls, and the escape hatch for
fields the spec does not list yet.

A timeout or retry setting for one call should not need a second client: a second client would open its own
connections and, worse, keep its own rate-limit state and nonces. The client ``with_options`` returns shares the
original's connection pool, signer (so its nonce source), rate limiter and loaded markets; closing it closes
nothing of the original's.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from exchange_clients._json import dumps_exact
from exchange_clients._markets import shared_cache
from exchange_clients._network import deadline_of
from exchange_clients._query import query_string
from exchange_clients._ratelimit import RateLimiter
from exchange_clients._retry import NO_RETRY, RetryPolicy
from exchange_clients.errors import InvalidArguments

if TYPE_CHECKING:
    from typing_extensions import Self

    from exchange_clients._client_ids import ClientId
    from exchange_clients._runtime import Operation, _Core, _Prepared

    _Base = _Core[Any, Any]
else:
    _Base = object

__all__ = ["PerCallOptions"]

_KEEP: Any = object()  # "as the original client has it"


class PerCallOptions(_Base):
    """``with_options`` and what it changes in a call: the request's timeout and the extra fields."""

    _request_timeout: httpx.Timeout | None = None
    _extra_query: Mapping[str, Any] | None = None
    _extra_body: Mapping[str, Any] | None = None
    _extra_headers: Mapping[str, str] | None = None

    def with_options(
        self,
        *,
        timeout: httpx.Timeout | float | None = _KEEP,
        retry: RetryPolicy | bool = _KEEP,
        rate_limit: bool | RateLimiter = _KEEP,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A client like this one (same connections, keys, nonce source, rate limiter and markets) with:

        timeout: seconds or an ``httpx.Timeout`` for each request, and the deadline of each whole call.
        retry: ``True``, ``False`` or a ``RetryPolicy``.
        rate_limit: ``False`` (none for these calls), ``True`` (the original's limiter) or another ``RateLimiter``.
        extra_query, extra_body, extra_headers: fields sent with every call in addition to the method's arguments,
            for parameters the venue accepts before the spec lists them. They are sent as given (a body field joins
            a form or JSON body, and is signed with it); they override arguments of the same name. A body on an
            operation that sends none is refused.
        """
        shared_cache(self)  # created now, so that both clients share the markets loaded later
        other = copy.copy(self)
        other._owns_http = False  # the pool stays the original's to close
        if timeout is not _KEEP:
            other._call_seconds = deadline_of(timeout)
            other._request_timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        if retry is not _KEEP:
            other._retry = RetryPolicy() if retry is True else NO_RETRY if retry is False else retry
        if rate_limit is not _KEEP:
            if rate_limit is True and self._limiter is None:
                raise ValueError("rate_limit=True keeps the original's limiter, and this client has none")
            other._limiter = None if rate_limit is False else self._limiter if rate_limit is True else rate_limit
        other._extra_query = {**(self._extra_query or {}), **(extra_query or {})} or None
        other._extra_body = {**(self._extra_body or {}), **(extra_body or {})} or None
        other._extra_headers = {**(self._extra_headers or {}), **(extra_headers or {})} or None
        return other

    def _prepare(self, op: Operation, args: Mapping[str, Any]) -> _Prepared:
        prepared = super()._prepare(op, args)
        if self._request_timeout is not None:
            prepared.request.extensions["timeout"] = self._request_timeout.as_dict()
        return prepared

    def _request_arguments(
        self, op: Operation, args: Mapping[str, Any], client: httpx.Client | httpx.AsyncClient | None = None
    ) -> tuple[dict[str, Any], Mapping[str, Any], list[ClientId]]:
        request, fields, ids = super()._request_arguments(op, args, client)
        if self._extra_query:
            if "params" in request:
                request["params"] = {**request["params"], **self._extra_query}
            else:
                url = request["url"]
                request["url"] = f"{url}{'&' if '?' in url else '?'}{query_string(self._extra_query)}"
            fields = {**fields, **self._extra_query}
        if self._extra_body:
            _add_body(request, self._extra_body, op, self.profile.name)
            fields = {**fields, **self._extra_body}
        if self._extra_headers:
            request["headers"] = {**request["headers"], **self._extra_headers}
        return request, fields, ids


def _add_body(request: dict[str, Any], extra: Mapping[str, Any], op: Operation, venue: str) -> None:
    if "data" in request:
        request["data"] = {**request["data"], **extra}
    elif "content" in request and request["headers"].get("Content-Type") == "application/json":
        body = json.loads(request["content"], parse_float=Decimal)
        if not isinstance(body, dict):
            raise InvalidArguments(f"{op.name}: extra_body needs a JSON object body", code="client-side", venue=venue)
        request["content"] = dumps_exact({**body, **extra})
    elif op.method in ("GET", "DELETE") or "content" in request or "files" in request:
        raise InvalidArguments(
            f"{op.name}: extra_body cannot join this request's body", code="client-side", venue=venue
        )
    else:
        request["content"] = dumps_exact(dict(extra))
        request["headers"] = {**request["headers"], "Content-Type": "application/json"}
