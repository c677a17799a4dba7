"""Orders under failure, end to end against the stand-in: an answer lost after the order was taken raises
OrderOutcomeUnknown (never a "not performed" error), nothing is sent twice, and reconcile finds the order.

The stand-in remembers every placement that passed its checks *before* a scenario spoils the answer, which is what
a venue that took the order and then failed to answer does.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from exchange_clients import (
    AsyncKrakenFutures,
    Bitflyer,
    InvalidNonce,
    KrakenFutures,
    KrakenSpot,
    OrderOutcomeUnknown,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import standin
from standin import keys


@pytest.fixture(scope="module")
def running_venues() -> Iterator[standin.StandIn]:
    """conftest's stand-in, remembering the orders it takes; its ``venues`` fixture resets it per test."""
    with standin.StandIn(remember_orders=True) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_standin_errors(venues: standin.StandIn) -> Iterator[None]:
    yield
    assert venues.errors == []


@dataclass(frozen=True)
class Placement:
    venue: str  # the stand-in's name
    operation_id: str  # the stand-in's name for the placing operation
    make: Callable[[standin.StandIn], Any]
    place: Callable[[Any], Any]
    has_client_ids: bool


def _spot(venues: standin.StandIn) -> KrakenSpot:
    return KrakenSpot(keys.FAKE_SPOT_API_KEY, keys.FAKE_SPOT_API_SECRET, base_url=venues.spot_url, rate_limit=False)


def _futures(venues: standin.StandIn) -> KrakenFutures:
    return KrakenFutures(
        keys.FAKE_FUTURES_API_KEY, keys.FAKE_FUTURES_API_SECRET, base_url=venues.futures_url, rate_limit=False
    )


def _bitflyer(venues: standin.StandIn) -> Bitflyer:
    return Bitflyer(
        keys.FAKE_BITFLYER_API_KEY, keys.FAKE_BITFLYER_API_SECRET, base_url=venues.bitflyer_url, rate_limit=False
    )


PLACEMENTS = [
    Placement(
        "spot",
        "addOrder",
        _spot,
        lambda c: c.add_order(ordertype="limit", type="buy", pair="XBTUSD", volume=Decimal("1.25"), price="30000.1"),
        True,
    ),
    Placement(
        "futures",
        "sendOrder",
        _futures,
        lambda c: c.send_order(
            order_type="lmt", symbol="PF_XBTUSD", side="buy", size=Decimal("1"), limit_price=Decimal("50000.5")
        ),
        True,
    ),
    Placement(
        "bitflyer",
        "sendChildOrder",
        _bitflyer,
        lambda c: c.send_child_order(
            product_code="BTC_JPY", child_order_type="LIMIT", side="BUY", price=Decimal("3000000"), size=Decimal("0.01")
        ),
        False,
    ),
]
IDS = [p.venue for p in PLACEMENTS]


def _sent(venues: standin.StandIn, operation_id: str) -> list[dict[str, Any]]:
    """The fields (query and body) of each request for ``operation_id``, oldest first."""
    return [r.fields for r in venues.requests if r.operation_id == operation_id]


@pytest.mark.parametrize("scenario", ["html_502", "truncated_json"])
@pytest.mark.parametrize("placement", PLACEMENTS, ids=IDS)
def test_a_lost_answer_to_a_placed_order_is_outcome_unknown_and_sent_once(
    venues: standin.StandIn, placement: Placement, scenario: str
) -> None:
    before = time.time()
    venues.fail_next(placement.venue, scenario)  # type: ignore[arg-type]
    with placement.make(venues) as client, pytest.raises(OrderOutcomeUnknown) as caught:
        placement.place(client)
    error = caught.value
    assert len(_sent(venues, placement.operation_id)) == 1  # never resent, retries on or not
    assert (
        error.operation
        == {"spot": "add_order", "futures": "send_order", "bitflyer": "send_child_order"}[placement.venue]
    )
    assert error.sent_at is not None
    assert before <= error.sent_at <= time.time()
    if placement.has_client_ids:
        assert error.client_order_id is not None
        uuid.UUID(error.client_order_id)  # generated for the user, and sent
        assert error.client_order_id in _sent(venues, placement.operation_id)[0].values()
    else:
        assert error.client_order_id is None  # bitFlyer has no client order id: reconcile matches on the fields


@pytest.mark.parametrize("placement", PLACEMENTS, ids=IDS)
def test_reconcile_finds_the_order_whose_answer_was_lost(venues: standin.StandIn, placement: Placement) -> None:
    venues.fail_next(placement.venue, "html_502")  # type: ignore[arg-type]
    with placement.make(venues) as client:
        with pytest.raises(OrderOutcomeUnknown) as caught:
            placement.place(client)
        found = client.reconcile(caught.value)
    assert found.found, found
    assert found.order is not None
    assert found.checked
    assert len(_sent(venues, placement.operation_id)) == 1  # reconciling reads; it never places


@pytest.mark.parametrize("placement", PLACEMENTS[:2], ids=IDS[:2])
def test_reconcile_says_not_found_for_an_order_the_venue_never_took(
    venues: standin.StandIn, placement: Placement
) -> None:
    with placement.make(venues) as client:
        placement.place(client)  # another order exists: the lookup must match on the id, not on any order
        missing = client.reconcile(client_order_id=str(uuid.uuid4()))
    assert not missing.found
    assert missing.order is None
    assert missing.checked


def test_reconcile_on_the_async_facade(venues: standin.StandIn) -> None:
    async def scenario() -> Any:
        async with AsyncKrakenFutures(
            keys.FAKE_FUTURES_API_KEY, keys.FAKE_FUTURES_API_SECRET, base_url=venues.futures_url, rate_limit=False
        ) as client:
            venues.fail_next("futures", "html_502")
            with pytest.raises(OrderOutcomeUnknown) as caught:
                await client.send_order(order_type="lmt", symbol="PF_XBTUSD", side="buy", size=Decimal("2"))
            return await client.reconcile(caught.value)

    assert asyncio.run(scenario()).found


def test_the_client_order_id_comes_back_on_the_result(venues: standin.StandIn) -> None:
    with _spot(venues) as spot:
        placed = spot.add_order(ordertype="market", type="sell", pair="XBTUSD", volume=Decimal("0.5"))
    assert placed["cl_ord_id"]
    assert _sent(venues, "addOrder")[0]["cl_ord_id"] == placed["cl_ord_id"]


def test_a_user_client_id_is_kept_and_userref_means_none_is_added(venues: standin.StandIn) -> None:
    with _spot(venues) as spot:
        spot.add_order(ordertype="market", type="sell", pair="XBTUSD", volume=Decimal("1"), cl_ord_id="mine-1")
        spot.add_order(ordertype="market", type="sell", pair="XBTUSD", volume=Decimal("1"), userref=7)
    first, second = _sent(venues, "addOrder")
    assert first["cl_ord_id"] == "mine-1"
    assert "cl_ord_id" not in second
    assert second["userref"] == 7


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
def test_an_invalid_nonce_is_answered_once_with_a_fresh_nonce(venues: standin.StandIn, write: bool) -> None:
    operation_id = "addOrder" if write else "getAccountBalance"
    with _spot(venues) as spot:

        def call() -> Any:
            if write:
                return spot.add_order(ordertype="market", type="buy", pair="XBTUSD", volume=Decimal("1"))
            return spot.get_account_balance()

        venues.fail_next("spot", "spot_invalid_nonce")
        call()  # the venue refused the first unread: the resend is the only one that counts
        sent = _sent(venues, operation_id)
        assert len(sent) == 2
        assert int(sent[1]["nonce"]) > int(sent[0]["nonce"])

        venues.reset()
        venues.fail_next("spot", "spot_invalid_nonce")
        venues.fail_next("spot", "spot_invalid_nonce")
        with pytest.raises(InvalidNonce):
            call()
        assert len(_sent(venues, operation_id)) == 2  # once more, never twice more: invalid nonces count to a lockout
