"""What goes back on the wire, and each venue's real error shapes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from .answers import Answer

JSON_UTF8 = "application/json; charset=utf-8"
PRODUCTION_HOSTS = {"spot": "api.kraken.com", "futures": "futures.kraken.com", "bitflyer": "api.bitflyer.com"}


@dataclass(frozen=True)
class Reply:
    """One HTTP answer. ``content_type`` None means no Content-Type header (an empty body)."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_UTF8
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, value: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
        return cls(status, _dump(value), JSON_UTF8, headers)

    @classmethod
    def of_answer(cls, answer: Answer) -> Reply:
        if answer.media_type is None:
            return cls(answer.status, b"", None)
        content_type = JSON_UTF8 if answer.is_json else answer.media_type
        return cls(answer.status, answer.body, content_type)


def _dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def server_time(now: float) -> str:
    """Kraken Futures' ``serverTime``: ISO-8601 UTC with milliseconds and ``Z``."""
    seconds = int(now)
    millis = min(999, int((now - seconds) * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


# --- Kraken Spot: errors travel in the envelope with HTTP 200 (kraken.md §3.1) -----------------


def spot_error(*messages: str) -> Reply:
    return Reply.json(200, {"error": list(messages)})


def spot_not_found() -> Reply:
    # The body is the envelope clients map ("EGeneral:Unknown method", kraken.md §3.2); the status
    # is 404 because a path outside Kraken's method table never reaches the API's 200-with-error
    # layer. Chosen: no capture of the live answer to an unknown path was available.
    return Reply.json(404, {"error": ["EGeneral:Unknown method"]})


# --- Kraken Futures: {"result":"error","serverTime":...,"error":...} (kraken.md §3.3) ---------


def futures_error(code: str, now: float, status: int = 200) -> Reply:
    return Reply.json(status, {"result": "error", "serverTime": server_time(now), "error": code})


def futures_not_found(now: float) -> Reply:
    return futures_error("notFound", now, status=404)


def futures_status(path: str, envelope_status: int, bare_status: int) -> int:
    """HTTP status for a futures error: ``/derivatives`` answers errors in a 200 envelope,
    while ``/api/history|charts|auth|stats`` have no envelope and use real statuses (§3.3 c)."""
    return envelope_status if path.startswith("/derivatives/") else bare_status


# --- bitFlyer: {"status": <negative>, "error_message": ..., "data": null} (bitflyer.md §4) --------


def bitflyer_error(http_status: int, status: int, message: str) -> Reply:
    return Reply.json(http_status, {"status": status, "error_message": message, "data": None})


def bitflyer_no_route(uri: str) -> Reply:
    # ASP.NET's answer when a required query parameter is missing and no route matches.
    return Reply.json(404, {"Message": f"No HTTP resource was found that matches the request URI '{uri}'."})


def bitflyer_not_found() -> Reply:
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 Not Found</title></head>\n'
        "<body><h1>404 Not Found</h1><p>The requested page could not be found.</p></body></html>\n"
    )
    return Reply(404, page.encode("utf-8"), "text/html; charset=utf-8")


def not_found(venue: str, now: float) -> Reply:
    if venue == "spot":
        return spot_not_found()
    if venue == "futures":
        return futures_not_found(now)
    return bitflyer_not_found()


def standin_error(message: str) -> Reply:
    """A misuse of the stand-in itself (unknown scenario name): clearly not a venue answer."""
    return Reply.json(400, {"standin_error": message})
