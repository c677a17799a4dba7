"""Kraken Spot's matching-engine counter: per pair and tier, order-age penalties, cancels that never wait."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from limits_support import FakeClock, Op, limiter, max_over_counter

from exchange_clients._ratelimit import RateLimiter
from exchange_clients.kraken_spot import spot_rate_limits
from exchange_clients.kraken_spot._engine import HORIZON, OrderAges, age_penalty

ADD = Op("add_order", "/private/AddOrder")
ADD_BATCH = Op("add_order_batch", "/private/AddOrderBatch")
AMEND = Op("amend_order", "/private/AmendOrder")
EDIT = Op("edit_order", "/private/EditOrder")
CANCEL = Op("cancel_order", "/private/CancelOrder")
CANCEL_BATCH = Op("cancel_order_batch", "/private/CancelOrderBatch")
CANCEL_ALL = Op("cancel_all_orders", "/private/CancelAll")


def _place(lim: RateLimiter, txid: str, pair: str = "XBTUSD", cl_ord_id: str | None = None) -> float:
    fields = {"pair": pair, "ordertype": "limit", **({"cl_ord_id": cl_ord_id} if cl_ord_id else {})}
    waited = lim.acquire(ADD, fields)
    lim.record(ADD, fields, SimpleNamespace(txid=[txid]))
    return waited


def _fill_to(lim: RateLimiter, level: int, pair: str = "XBTUSD") -> None:
    """Raise the pair's counter to ``level`` with adds of orders no one will touch again."""
    for i in range(level):
        _place(lim, f"filler-{pair}-{i}", pair)


@pytest.mark.parametrize(
    ("transaction", "expected"),
    [
        ("cancel", [8, 8, 6, 5, 4, 4, 2, 1, 1, 0]),
        ("edit", [6, 6, 5, 4, 2, 2, 1, 0, 0, 0]),
        ("amend", [3, 3, 2, 1, 0, 0, 0, 0, 0, 0]),
    ],
)
def test_penalties_by_order_age(transaction: str, expected: list[int]) -> None:
    ages = [0, 4.99, 5, 10, 15, 44.9, 45, 90, 299.9, 300]
    assert [age_penalty(transaction, age) for age in ages] == expected


@pytest.mark.parametrize(("tier", "threshold", "decay"), [("starter", 60, 1.0), ("intermediate", 125, 2.34),
                                                          ("pro", 180, 3.75)])  # fmt: skip
def test_adds_on_one_pair_hold_the_threshold_and_the_decay_of_each_tier(
    tier: str, threshold: int, decay: float
) -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits(tier), clock)
    admitted = []
    start = clock.now
    index = 0
    while clock.now < start + 120:
        _place(lim, f"O{index}")
        admitted.append((clock.now, 1.0))
        index += 1
    assert max_over_counter(admitted, decay) <= threshold + 1e-6
    assert len(admitted) >= threshold + decay * 120 - 2


def test_pairs_have_counters_of_their_own() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    _fill_to(lim, 60, "XBTUSD")
    assert _place(lim, "E1", "ETHUSD") == 0.0
    assert _place(lim, "X61", "XBTUSD") == pytest.approx(1.0)


def test_a_batch_add_costs_half_its_size() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    fields = {"pair": "XBTUSD", "orders": [{"ordertype": "limit"}] * 10}
    for _ in range(12):  # 12 x 5 = 60
        assert lim.acquire(ADD_BATCH, fields) == 0.0
    assert lim.acquire(ADD_BATCH, fields) == pytest.approx(5.0)


def test_a_young_cancel_is_charged_8_but_never_waits_even_over_the_threshold() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    _place(lim, "OYOUNG", cl_ord_id="my-order")
    _fill_to(lim, 59)  # the counter is at 60: the threshold
    assert lim.acquire(CANCEL, {"cl_ord_id": "my-order"}) == 0.0  # by client id; not held back
    lim.record(CANCEL, {"cl_ord_id": "my-order"}, SimpleNamespace(count=1))
    assert _place(lim, "NEXT") == pytest.approx(9.0)  # 60 + 8 + 1 over 60, at 1 per second


def test_cancel_penalty_falls_with_age_and_ends_at_300_seconds() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    _place(lim, "OLD")
    _place(lim, "OLDER")
    clock.now += 50  # the counter (2) has decayed to 0; the orders are 50 s old: cancel costs 2 each
    _fill_to(lim, 60)
    lim.acquire(CANCEL, {"txid": "OLD"})
    assert _place(lim, "NEXT") == pytest.approx(3.0)
    clock.now += HORIZON
    _fill_to(lim, 60, "XBTUSD")
    lim.acquire(CANCEL, {"txid": "OLDER"})  # 350 s old: nothing
    assert _place(lim, "LAST") == pytest.approx(1.0)


def test_amend_resets_the_age_and_costs_by_it() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    _place(lim, "OA")
    clock.now += 100
    _fill_to(lim, 58)
    assert lim.acquire(AMEND, {"txid": "OA", "limit_price": "1"}) == 0.0  # 100 s old: the fixed 1 -> 59
    lim.record(AMEND, {"txid": "OA"}, SimpleNamespace(amend_id="A1"))
    clock.now += 2  # 59 - 2 = 57; the order is now 2 s old again
    assert lim.acquire(AMEND, {"txid": "OA"}) == pytest.approx(1.0)  # 1 + 3 = 4 over 57 -> wait 1 s


def test_edit_replaces_the_order_and_its_age() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    _place(lim, "OE")
    clock.now += 100
    lim.acquire(EDIT, {"txid": "OE", "pair": "XBTUSD"})
    lim.record(EDIT, {"txid": "OE", "pair": "XBTUSD"}, SimpleNamespace(txid="ONEW", originaltxid="OE"))
    _fill_to(lim, 59)  # 1 (edit) + 59 = 60
    assert lim.acquire(CANCEL, {"txid": "OE"}) == 0.0  # the old txid is gone: no charge
    assert lim.acquire(CANCEL, {"txid": "ONEW"}) == 0.0  # the new one is young: +8, not held back
    assert _place(lim, "NEXT") == pytest.approx(9.0)


def test_batch_cancel_charges_each_order_on_its_own_pair() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    _place(lim, "X1", "XBTUSD")
    _place(lim, "X2", "XBTUSD", cl_ord_id="c2")
    _place(lim, "E1", "ETHUSD")
    clock.now += 20  # counters at 0; orders 20 s old: 4 each
    fields = {"orders": [{"txid": "X1"}, {"txid": "E1"}, {"txid": "unknown"}], "cl_ord_ids": [{"cl_ord_id": "c2"}]}
    assert lim.acquire(CANCEL_BATCH, fields) == 0.0
    lim.record(CANCEL_BATCH, fields, SimpleNamespace(count=3))
    _fill_to(lim, 52, "XBTUSD")  # 8 + 52 = 60
    _fill_to(lim, 56, "ETHUSD")  # 4 + 56 = 60
    assert _place(lim, "X3", "XBTUSD") == pytest.approx(1.0)
    # A second later ETHUSD has decayed to 59: one add fits, the next waits.
    assert _place(lim, "E2", "ETHUSD") == 0.0
    assert _place(lim, "E3", "ETHUSD") == pytest.approx(1.0)
    assert lim.acquire(CANCEL, {"txid": "X1"}) == 0.0  # forgotten once cancelled


def test_cancel_all_charges_every_known_order_and_forgets_them() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    for i in range(5):
        _place(lim, f"O{i}")
    clock.now += 5  # counter at 0; 5 s old: 6 each
    assert lim.acquire(CANCEL_ALL, {}) == 0.0
    lim.record(CANCEL_ALL, {}, SimpleNamespace(count=5))
    lim.acquire(CANCEL, {"txid": "O1"})  # forgotten: free
    _fill_to(lim, 30)
    assert _place(lim, "NEXT") == pytest.approx(1.0)  # 30 + 30 + 1 over 60


def test_a_charge_is_capped_at_the_threshold() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    for i in range(20):
        _place(lim, f"O{i}")
    clock.now += 20  # counter at 0; 20 orders 20 s old: 80, more than the threshold
    lim.acquire(CANCEL_ALL, {})
    assert _place(lim, "NEXT") == pytest.approx(1.0)  # 60 + 1, not 80 + 1


def test_orders_placed_elsewhere_cost_only_what_the_request_shows() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    _fill_to(lim, 59)
    assert lim.acquire(CANCEL, {"txid": "OTHER"}) == 0.0
    assert lim.acquire(AMEND, {"txid": "OTHER"}) == 0.0  # no pair known: nothing
    assert lim.acquire(EDIT, {"txid": "OTHER", "pair": "XBTUSD"}) == 0.0  # the fixed 1 -> 60
    assert _place(lim, "NEXT") == pytest.approx(1.0)


def test_validate_only_adds_place_nothing() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    fields = {"pair": "XBTUSD", "validate": True}
    lim.acquire(ADD, fields)
    lim.record(ADD, fields, SimpleNamespace(txid=[]))
    _fill_to(lim, 59)
    assert lim.acquire(CANCEL, {"txid": "anything"}) == 0.0
    assert _place(lim, "NEXT") == pytest.approx(1.0)


def test_a_batch_add_tracks_the_orders_that_were_placed() -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    fields = {"pair": "XBTUSD", "orders": [{"cl_ord_id": "a"}, {"cl_ord_id": "b"}]}
    lim.acquire(ADD_BATCH, fields)
    result = SimpleNamespace(orders=[SimpleNamespace(txid="TA"), SimpleNamespace(error="EOrder:Insufficient funds")])
    lim.record(ADD_BATCH, fields, result)
    _fill_to(lim, 59)  # 1 + 59 = 60
    lim.acquire(CANCEL, {"cl_ord_id": "b"})  # refused by the venue: unknown, free
    lim.acquire(CANCEL, {"cl_ord_id": "a"})  # young: +8
    assert _place(lim, "NEXT") == pytest.approx(9.0)


def test_the_order_book_forgets_orders_after_300_seconds_and_stays_bounded() -> None:
    book = OrderAges(capacity=100)
    for i in range(1000):
        book.place("XBTUSD", [f"T{i}", f"C{i}"], now=float(i) / 10)
    assert len(book) <= 100
    assert book.find("T999", now=100.0) is not None
    assert book.find("T0", now=100.0) is None
    assert book.find("T999", now=99.9 + HORIZON) is None
    assert len(book) == 0


def test_a_bookkeeping_failure_never_costs_the_caller_the_result(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    lim = limiter(spot_rate_limits("starter"), clock)
    lim.acquire(ADD_BATCH, {"pair": "XBTUSD", "orders": [{}]})
    lim.record(ADD_BATCH, {"pair": "XBTUSD", "orders": [{}]}, SimpleNamespace(orders=object()))  # not a list
    assert "could not record add_order_batch" in caplog.text
