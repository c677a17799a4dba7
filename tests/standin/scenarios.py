"""Scripted failure scenarios, chosen per request by header or queued with ``fail_next``.

A scenario replaces the success answer of a request that passed every check, so a
recorded cassette of a failure still proves the request itself was well-formed.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from . import replies
from .answers import Answer
from .replies import Reply, server_time
from .spec import VENUES, Venue

HEADER = "X-Standin-Scenario"
# Kraken defines the W severity but documents no warning text; this one uses a documented
# category and reads like the deprecation notices other exchanges send (kraken.md §3.1).
SPOT_WARNING = "WGeneral:Deprecated endpoint"
RETRY_AFTER_SECONDS = "2"


@dataclass(frozen=True)
class ScenarioContext:
    venue: Venue
    path: str  # raw path, no query
    answer: Answer  # the success answer the scenario replaces
    now: float


@dataclass(frozen=True)
class Scenario:
    name: str
    venues: frozenset[Venue]
    render: Callable[[ScenarioContext], Reply]


def _spot_warning(ctx: ScenarioContext) -> Reply:
    value = ctx.answer.value if isinstance(ctx.answer.value, dict) else {"result": {}}
    return Reply.json(200, {**value, "error": [SPOT_WARNING]})


def _futures_send_rejected(ctx: ScenarioContext) -> Reply:
    # "success" only means the request was assessed; the order itself was refused (kraken.md §3.3).
    stamp = server_time(ctx.now)
    status = {"status": "insufficientAvailableFunds", "receivedTime": stamp, "orderEvents": []}
    return Reply.json(200, {"result": "success", "serverTime": stamp, "sendStatus": status})


def _futures_cancel_not_found(ctx: ScenarioContext) -> Reply:
    stamp = server_time(ctx.now)
    status = {"status": "notFound", "receivedTime": stamp}
    return Reply.json(200, {"result": "success", "serverTime": stamp, "cancelStatus": status})


def _futures_errors_500(ctx: ScenarioContext) -> Reply:
    # The newer error shape, seen with a real HTTP 500 on PUT leveragepreferences (ccxt#19896).
    errors = [{"code": 92, "message": "INSUFFICIENT_MARGIN"}]
    return Reply.json(500, {"result": "error", "serverTime": server_time(ctx.now), "errors": errors})


def _html_502(ctx: ScenarioContext) -> Reply:
    host = replies.PRODUCTION_HOSTS[ctx.venue]
    page = (
        '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n'
        f'<title>{host} | 502: Bad gateway</title>\n<meta charset="UTF-8" />\n</head>\n<body>\n'
        '<div id="cf-error-details"><h1>Bad gateway <span>Error code 502</span></h1>\n'
        "<p>The web server reported a bad gateway error.</p>\n"
        "<p>Cloudflare Ray ID: <strong>0000000000000000</strong></p></div>\n</body>\n</html>\n"
    )
    headers = (("Server", "cloudflare"), ("CF-RAY", "0000000000000000-NRT"))
    return Reply(502, page.encode("utf-8"), "text/html; charset=UTF-8", headers)


def _truncated_json(ctx: ScenarioContext) -> Reply:
    body = ctx.answer.body if ctx.answer.is_json and len(ctx.answer.body) > 1 else _fallback_json(ctx)
    # Half the document, and a Content-Length that matches what is actually sent.
    return Reply(200, body[: len(body) // 2], replies.JSON_UTF8)


def _fallback_json(ctx: ScenarioContext) -> bytes:
    if ctx.venue == "spot":
        return Reply.json(200, {"error": [], "result": {"status": "online"}}).body
    if ctx.venue == "futures":
        return Reply.json(200, {"result": "success", "serverTime": server_time(ctx.now)}).body
    return Reply.json(200, {"status": 0, "error_message": "", "data": None}).body


def _http_429(ctx: ScenarioContext) -> Reply:
    retry = (("Retry-After", RETRY_AFTER_SECONDS),)
    if ctx.venue == "spot":
        return Reply.json(429, {"error": ["EGeneral:Too many requests"]}, retry)
    if ctx.venue == "bitflyer":
        return Reply.json(429, {"status": -1, "error_message": "Over API limit per minute", "data": None}, retry)
    if ctx.path.startswith("/derivatives/"):
        body = {"result": "error", "serverTime": server_time(ctx.now), "error": "apiLimitExceeded"}
        return Reply.json(429, body, retry)
    # History and the other envelope-less APIs: text/plain plus rate-limit-reset (S3 RateLimited).
    headers = (*retry, ("rate-limit-reset", RETRY_AFTER_SECONDS))
    return Reply(429, b"Too Many Requests", "text/plain; charset=utf-8", headers)


_SPOT: frozenset[Venue] = frozenset({"spot"})
_FUTURES: frozenset[Venue] = frozenset({"futures"})
_BITFLYER: frozenset[Venue] = frozenset({"bitflyer"})
_ANY: frozenset[Venue] = frozenset(VENUES)

SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario("spot_invalid_nonce", _SPOT, lambda ctx: replies.spot_error("EAPI:Invalid nonce")),
        Scenario("spot_invalid_key", _SPOT, lambda ctx: replies.spot_error("EAPI:Invalid key")),
        Scenario("spot_rate_limit", _SPOT, lambda ctx: replies.spot_error("EAPI:Rate limit exceeded")),
        Scenario("spot_insufficient_funds", _SPOT, lambda ctx: replies.spot_error("EOrder:Insufficient funds")),
        Scenario("spot_warning", _SPOT, _spot_warning),
        Scenario("futures_send_rejected", _FUTURES, _futures_send_rejected),
        Scenario("futures_cancel_not_found", _FUTURES, _futures_cancel_not_found),
        Scenario("futures_errors_500", _FUTURES, _futures_errors_500),
        # HTTP 200: the doc examples show the limit inside the usual envelope (kraken.md §4.4).
        Scenario("futures_api_limit", _FUTURES, lambda ctx: replies.futures_error("apiLimitExceeded", ctx.now)),
        # HTTP 400 for both: bitFlyer's validation and business errors use 400 (bitflyer.md §4.2);
        # the status for -505 was never recorded, and 400 is what a bad `code` parameter would get.
        Scenario(
            "bitflyer_2fa",
            _BITFLYER,
            lambda ctx: replies.bitflyer_error(400, -505, "Two-factor authentication code is incorrect."),
        ),
        Scenario(
            "bitflyer_order_error",
            _BITFLYER,
            lambda ctx: replies.bitflyer_error(400, -200, "Insufficient funds"),
        ),
        Scenario("html_502", _ANY, _html_502),
        Scenario("truncated_json", _ANY, _truncated_json),
        Scenario("empty_body", _ANY, lambda ctx: Reply(200, b"", replies.JSON_UTF8)),
        Scenario("http_429", _ANY, _http_429),
    )
}


def validate(venue: str, name: str) -> Scenario:
    """The scenario, or ValueError when the name is unknown or belongs to another venue."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ValueError(f"unknown stand-in scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}")
    if venue not in scenario.venues:
        raise ValueError(f"scenario {name!r} is for {'/'.join(sorted(scenario.venues))}, not {venue}")
    return scenario


class ScenarioQueues:
    """One FIFO per venue; the next request to that venue takes the head (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[str]] = {venue: deque() for venue in VENUES}

    def push(self, venue: str, name: str) -> None:
        if venue not in self._queues:
            raise ValueError(f"unknown venue {venue!r}; known: {', '.join(VENUES)}")
        validate(venue, name)
        with self._lock:
            self._queues[venue].append(name)

    def pop(self, venue: str) -> str | None:
        with self._lock:
            queue = self._queues[venue]
            return queue.popleft() if queue else None

    def clear(self) -> None:
        with self._lock:
            for queue in self._queues.values():
                queue.clear()
