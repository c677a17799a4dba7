"""What traders reach for besides the API itself: per-call options that share the pool, raw responses with their
rate-limit headers, and logs (with the ``on_event`` hook) that show requests, retries and waits but never a secret.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path

import httpx
import pytest

from exchange_clients import (
    AsyncBitflyer,
    AuthenticationError,
    Bitflyer,
    InvalidArguments,
    KrakenSpot,
    ServiceUnavailable,
)
from exchange_clients._events import Event
from exchange_clients.kraken_spot import spot_rate_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from limits_support import FakeClock, limiter

from standin import StandIn, keys

SPOT_KEY, SPOT_SECRET = keys.FAKE_KEYS["spot"]
BITFLYER_KEY, BITFLYER_SECRET = keys.FAKE_KEYS["bitflyer"]


# --- with_options --------------------------------------------------------------------------------------------


def test_with_options_shares_pool_signer_limiter_and_markets(venues: StandIn) -> None:
    client = KrakenSpot(SPOT_KEY, SPOT_SECRET, base_url=venues.spot_url)
    quick = client.with_options(timeout=2.5, retry=False)
    assert quick._http is client._http  # one connection pool
    assert quick._auth is client._auth  # one signer: one nonce source
    assert quick._limiter is client._limiter  # one rate-limit state
    assert quick._retry.attempts == 1
    assert client._retry.attempts == 3
    quick.get_account_balance()
    client.get_account_balance()  # nonces of both clients keep increasing: the stand-in accepts both
    assert client.markets() is quick.markets()  # loaded once, for both
    quick.close()  # closes nothing of the original's
    client.get_server_time()
    client.close()
    assert venues.errors == []


def test_with_options_sets_each_request_timeout_and_can_drop_the_limiter() -> None:
    seen: list[dict[str, float]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={"error": [], "result": {"unixtime": 1, "rfc1123": "x"}})

    client = KrakenSpot(base_url="https://api.kraken.com", transport=httpx.MockTransport(answer))
    client.get_server_time()
    client.with_options(timeout=httpx.Timeout(1.5, connect=0.5)).get_server_time()
    assert seen[0]["read"] == 10.0
    assert seen[1] == {"connect": 0.5, "read": 1.5, "write": 1.5, "pool": 1.5}
    assert client.with_options(rate_limit=False)._limiter is None
    with pytest.raises(ValueError, match="has none"):
        client.with_options(rate_limit=False).with_options(rate_limit=True)


def test_per_call_retry_policy() -> None:
    answers = iter([httpx.Response(502, text="bad gateway"), httpx.Response(200, json=[])])
    client = Bitflyer(base_url="https://api.bitflyer.com", transport=httpx.MockTransport(lambda r: next(answers)))
    with pytest.raises(ServiceUnavailable):
        client.with_options(retry=False).get_markets()
    assert client.get_markets() == []  # the original still retries


def test_extra_query_body_and_headers_are_sent_and_signed(venues: StandIn) -> None:
    client = KrakenSpot(SPOT_KEY, SPOT_SECRET, base_url=venues.spot_url)
    extra = client.with_options(extra_query={"asset_class": "tokenized_asset"}, extra_headers={"X-Trace": "t1"})
    extra.get_tradable_asset_pairs(pair="XBTUSD")
    extra.with_options(extra_body={"without_count": "true"}).get_ledgers()  # the stand-in checks the signature
    ticker, ledgers = venues.requests
    assert ticker.params["pair"] == ["XBTUSD"]
    assert ticker.params["asset_class"] == ["tokenized_asset"]
    assert ticker.headers["X-Trace"] == "t1"
    assert json.loads(ledgers.body)["without_count"] == "true"
    assert ledgers.status == 200
    with pytest.raises(InvalidArguments, match="extra_body"):
        client.with_options(extra_body={"x": 1}).get_server_time()


# --- raw responses -------------------------------------------------------------------------------------------


def test_raw_response_gives_status_headers_elapsed_and_bitflyer_rate_limit_headers() -> None:
    reset = int(time.time()) + 120
    headers = {"X-RateLimit-Limit": "500", "X-RateLimit-Remaining": "497", "X-RateLimit-Period": "300",
               "X-RateLimit-Reset": str(reset)}  # fmt: skip
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[], headers=headers))
    client = Bitflyer(BITFLYER_KEY, BITFLYER_SECRET, base_url="https://api.bitflyer.com", transport=transport)
    raw = client.with_raw_response.get_child_orders(product_code="BTC_JPY")
    assert raw.result == []
    assert (raw.status_code, raw.attempts) == (200, 1)
    assert raw.elapsed is None or raw.elapsed >= 0
    limit = raw.rate_limit
    assert (limit.limit, limit.remaining, limit.period) == (500, 497, 300)
    assert limit.reset_in is not None
    assert 100 < limit.reset_in <= 120
    assert limit.headers["x-ratelimit-remaining"] == "497"
    with pytest.raises(AttributeError):
        client.with_raw_response.markets()


def test_raw_response_of_a_retried_read_is_its_last_answer_and_async_works(venues: StandIn) -> None:
    venues.fail_next("bitflyer", "html_502")

    async def call() -> object:
        async with AsyncBitflyer(base_url=venues.bitflyer_url) as client:
            return await client.with_raw_response.get_ticker(product_code="BTC_JPY")

    raw = asyncio.run(call())
    assert raw.attempts == 2
    assert raw.status_code == 200


# --- logging and events --------------------------------------------------------------------------------------


def test_logs_show_requests_retries_and_waits_and_never_a_secret(
    venues: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[httpx.Request] = []
    events: list[Event] = []
    clock = FakeClock()
    http = httpx.Client(event_hooks={"request": [sent.append]})  # sees each request as signed
    limits = limiter(spot_rate_limits("starter"), clock, SPOT_KEY)
    client = KrakenSpot(
        SPOT_KEY, SPOT_SECRET, base_url=venues.spot_url, http_client=http, otp="otp-975310", rate_limit=limits,
        on_event=events.append,
    )  # fmt: skip
    logging.getLogger("exchange_clients").setLevel(logging.NOTSET)  # as a user leaves it: the root's level rules
    with caplog.at_level(logging.DEBUG):  # every logger, every level: ours, httpx's, httpcore's
        venues.fail_next("spot", "html_502")
        client.get_ledgers()  # retried once
        for _ in range(9):
            client.get_ledgers()  # ledgers cost 2 of the starter tier's 15: the last calls wait
        venues.fail_next("spot", "spot_invalid_key")
        with pytest.raises(AuthenticationError, match="Invalid key"):
            client.get_account_balance()
    ours = [r for r in caplog.records if r.name.startswith("exchange_clients")]
    assert {r.name for r in ours} == {"exchange_clients.kraken_spot"}
    messages = [r.getMessage() for r in ours]
    assert any("POST /0/private/Ledgers → 200" in m for m in messages if "get_ledgers" in m)
    assert any("retrying in" in m and "ServiceUnavailable" in m for m in messages)
    assert any("waited" in m and "for the rate limit" in m for m in messages)
    assert {e.kind for e in events} == {"request", "retry", "rate_limit_wait"}

    secrets = {SPOT_KEY, SPOT_SECRET, "otp-975310"}
    for request in sent:
        secrets.add(request.headers["API-Sign"])
        secrets.add(json.loads(request.content)["nonce"])
    everything = "\n".join([*(r.getMessage() for r in caplog.records), caplog.text])
    assert not [secret for secret in secrets if secret in everything]
    http.close()
