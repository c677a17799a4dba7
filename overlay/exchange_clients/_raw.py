"""``client.with_raw_response.<method>(...)``: the typed result together with the HTTP answer it came from.

(The facades' ``with_raw_response`` returns a :class:`RawResponses`; for type checkers, a Protocol generated beside
each facade gives every method its ``RawResponse[<result>]`` type.)

Status, headers and elapsed time are what a trader checks when something is slow or throttled; bitFlyer counts a
key's calls in ``X-RateLimit-*`` headers, Kraken Futures sends ``rate-limit-reset``. The call is the ordinary one
(checked, signed, rate limited, retried); the answer of its last attempt is kept for the duration of that call only,
in a context variable, so concurrent calls on one client never see each other's.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from exchange_clients._events import ANSWERS, elapsed_of
from exchange_clients._responses import retry_after_seconds

__all__ = ["RateLimitHeaders", "RawResponse", "RawResponses"]

_T = TypeVar("_T")


def _number(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class RateLimitHeaders:
    """The rate-limit headers of one answer: bitFlyer's ``X-RateLimit-Limit``/``-Remaining``/``-Period``/``-Reset``
    (the Unix time its window resets), Kraken Futures' ``rate-limit-reset`` and any ``Retry-After``, read into
    numbers; ``reset_in`` is the seconds until the venue admits calls again, when the answer says. ``headers``
    holds every rate-limit header as sent."""

    limit: float | None
    remaining: float | None
    period: float | None
    reset_in: float | None
    headers: Mapping[str, str]

    @classmethod
    def of(cls, response: httpx.Response) -> RateLimitHeaders:
        found = {
            name: value
            for name, value in response.headers.items()
            if "ratelimit" in name.lower() or "rate-limit" in name.lower() or name.lower() == "retry-after"
        }
        headers = response.headers
        return cls(
            limit=_number(headers.get("X-RateLimit-Limit")),
            remaining=_number(headers.get("X-RateLimit-Remaining")),
            period=_number(headers.get("X-RateLimit-Period")),
            reset_in=retry_after_seconds(response) if found else None,
            headers=found,
        )


@dataclass(frozen=True)
class RawResponse(Generic[_T]):
    """A call's typed ``result`` and the HTTP answer it was read from (of the last attempt, if retried)."""

    result: _T
    status_code: int
    headers: httpx.Headers
    elapsed: float | None  # seconds from sending to the last byte of the answer (None if the transport says not)
    attempts: int  # answers received for this call (a retried read has more than one)
    http_response: httpx.Response

    @property
    def rate_limit(self) -> RateLimitHeaders:
        return RateLimitHeaders.of(self.http_response)


def _raw(result: Any, answers: list[httpx.Response]) -> RawResponse[Any]:
    last = answers[-1]
    return RawResponse(result, last.status_code, last.headers, elapsed_of(last), len(answers), last)


class RawResponses:
    """The methods of a client, each returning a :class:`RawResponse` (a coroutine of one on the async clients)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"{self._client!r}.with_raw_response"

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._client, name)
        if name.startswith(("_", "iter_")) or name in _NOT_CALLS or not callable(method):
            raise AttributeError(f"{name!r} is not an API operation of {type(self._client).__name__}")
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def acall(*args: Any, **kwargs: Any) -> RawResponse[Any]:
                answers: list[httpx.Response] = []
                token = ANSWERS.set(answers)
                try:
                    result = await method(*args, **kwargs)
                finally:
                    ANSWERS.reset(token)
                return _raw(result, answers)

            return acall

        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            answers: list[httpx.Response] = []
            token = ANSWERS.set(answers)
            try:
                result = method(*args, **kwargs)
            finally:
                ANSWERS.reset(token)
            return _raw(result, answers)

        return call


# Client methods that are not one API call (and so have no one answer to show).
_NOT_CALLS = frozenset({"markets", "reconcile", "with_options", "close", "aclose"})
