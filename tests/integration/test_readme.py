"""Every Python example of the README runs, as written, against the local stand-in venues (those of "What traders
reach for" in test_readme_traders.py).

The examples use the production URLs and read keys from the environment, as a user's script would; the test gives
them the stand-in's keys and sends each request for a production host to the stand-in that plays it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import standin
from redis_server import RedisServer
from standin import keys

ROOT = Path(__file__).resolve().parents[2]
TRADERS = "## What traders reach for"  # its examples need paged lists served: test_readme_traders.py runs them


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    if TRADERS in text:
        start = text.index(TRADERS)
        end = text.find("\n## ", start + len(TRADERS))
        text = text[:start] + (text[end:] if end != -1 else "")
    return re.findall(r"```python\n(.*?)```", text, re.S)


BLOCKS = _blocks()
HOSTS = {"api.kraken.com": "spot", "futures.kraken.com": "futures", "api.bitflyer.com": "bitflyer"}


def readme_blocks() -> list[str]:
    """The README's Python examples, in order (shared with the type-check test)."""
    return list(BLOCKS)


@pytest.fixture(scope="module")
def venues() -> Iterator[standin.StandIn]:
    with standin.StandIn(remember_orders=True) as running:
        yield running


@pytest.fixture(autouse=True)
def _to_the_standin(venues: standin.StandIn, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    venues.reset()
    for name, value in {
        "KRAKEN_API_KEY": keys.FAKE_SPOT_API_KEY,
        "KRAKEN_API_SECRET": keys.FAKE_SPOT_API_SECRET,
        "KRAKEN_FUTURES_API_KEY": keys.FAKE_FUTURES_API_KEY,
        "KRAKEN_FUTURES_API_SECRET": keys.FAKE_FUTURES_API_SECRET,
        "BITFLYER_API_KEY": keys.FAKE_BITFLYER_API_KEY,
        "BITFLYER_API_SECRET": keys.FAKE_BITFLYER_API_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    urls = {"spot": venues.spot_url, "futures": venues.futures_url, "bitflyer": venues.bitflyer_url}

    def redirected(request: httpx.Request) -> None:
        venue = HOSTS.get(request.url.host)
        assert venue is not None, f"the example called {request.url.host}, which the stand-in does not play"
        local = httpx.URL(urls[venue])
        request.url = request.url.copy_with(scheme=local.scheme, host=local.host, port=local.port)

    sync_send, async_send = httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        redirected(request)
        return sync_send(self, request)

    async def handle_async(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        redirected(request)
        return await async_send(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async)
    yield
    assert venues.errors == []


README_REDIS = "redis://127.0.0.1:6379/0"  # what the examples say; the test's own server stands in for it


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with RedisServer() as server:  # a real redis-server on a free loopback port
        yield server.url


def _run(block: str, index: int, redis_url: str | None = None) -> dict[str, Any]:
    if README_REDIS in block:
        assert redis_url is not None
        block = block.replace(README_REDIS, redis_url)
    namespace: dict[str, Any] = {"__name__": f"readme_example_{index}"}
    exec(compile(block, f"README.md example {index}", "exec"), namespace)
    return namespace


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    venues: standin.StandIn, redis_url: str, index: int, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(BLOCKS[index], index, redis_url)
    assert venues.requests, "the example made no call"
    assert all(request.status < 400 for request in venues.requests)
    assert capsys.readouterr().out  # each example shows what it got


def test_the_outcome_unknown_example_reconciles(venues: standin.StandIn, capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = [block for block in BLOCKS if "OrderOutcomeUnknown" in block]
    venues.fail_next("spot", "html_502")  # the order is taken, the answer lost
    _run(block, BLOCKS.index(block))
    assert "placed after all: open" in capsys.readouterr().out
    assert [r.operation_id for r in venues.requests] == ["addOrder", "getOpenOrders"]
