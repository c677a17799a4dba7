"""Hostile answers: whatever a venue sends back, a facade call returns a result or raises an ``ExchangeError``.

Every operation of the three facades is called through its sync method with a ``MockTransport`` that
answers the operation's documented success body, or a hostile variant of it: mutated examples, wrong
top-level types, HTML, empty, truncated, non-UTF-8 and random bodies, 100,000-level nesting, huge
numbers, under random HTTP statuses and content types.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import traceback
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from hostile_support import (
    DEEP_LIST,
    HOSTILE_HEADERS,
    HOSTILE_SETTINGS,
    HTML_PAGES,
    RAW_BODIES,
    UNKNOWN_ENUM,
    UNKNOWN_INT_ENUM,
    VENUES,
    Case,
    HostileAnswer,
    MockVenue,
    Path_,
    case_ids,
    cases,
    delete_at,
    encode_json,
    hostile_answers,
    landmarks,
    minimal_arguments,
    replace_at,
    values_in,
)

# tests/ holds the realworld package (the walk over typed results is shared with the real-answer suite).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange_clients import RetryPolicy
from exchange_clients.errors import ExchangeError, ExchangeWarning, SchemaDrift, TransportError, UnknownOrderStatus
from exchange_clients.kraken_futures._envelope import FUTURES_ORDER_STATUS
from realworld.replay import numbers_not_decimal

CASES = cases()
JSON_CASES = tuple(case for case in CASES if case.is_json)
# Documented examples that contradict their own schema, so no client can parse them: spec gaps for the fix
# documents (specs/fixes), not parser bugs. Strict: a fixed spec turns the xfail into a failure to remove here.
KNOWN_BROKEN_EXAMPLES: dict[str, str] = {}  # case id -> why; none at present
VENUE = MockVenue()
CLIENTS = {case.venue.key: VENUE.sync_client(case.venue) for case in CASES}
# HOSTILE_EXAMPLES=<n> multiplies both budgets for a deeper local run; the defaults keep the suite near 30 s.
_SCALE = int(os.environ.get("HOSTILE_EXAMPLES", "1"))
PER_OPERATION_EXAMPLES = 40 * _SCALE
SWEEP_EXAMPLES = 2000 * _SCALE
EXTRA_FIELD = "hostile_unknown_field"
EXTRA_VALUE = {"nested": [1, "two", None, {"deeper": True}]}


def call(case: Case, response: httpx.Response) -> Any:
    VENUE.answer(response)
    return getattr(CLIENTS[case.venue.key], case.name)(**minimal_arguments(case))


def call_expecting_only_exchange_errors(case: Case, answer: HostileAnswer) -> Any:
    """Call with this answer: a result, or an ``ExchangeError`` that says where it happened; nothing else."""
    try:
        return call(case, answer.response())
    except ExchangeError as exc:
        error = exc
    except Exception as exc:  # the property under test: nothing else may escape
        where = "".join(traceback.format_exception(exc)[-6:])
        pytest.fail(f"{case.id}: {type(exc).__name__} escaped the facade: {exc!r}\n{where}")
    assert error.venue == CLIENTS[case.venue.key].profile.name
    assert (error.method, error.path) == (case.operation.method, case.operation.path)
    if not isinstance(error, TransportError):  # a body that fails to decompress never became a response
        assert error.http_status == answer.status
    assert str(error)
    assert repr(error)
    return None


def test_every_operation_of_the_three_facades_has_a_case() -> None:
    for venue in VENUES:
        cases = [case.name for case in CASES if case.venue.key == venue.key]
        assert sorted(cases) == sorted(venue.operations)  # each operation once; the facades match the specs elsewhere


def documented(selected: tuple[Case, ...]) -> list[Any]:
    """The cases as parameters, the known-broken examples marked as strict expected failures."""
    return [
        pytest.param(case, id=case.id, marks=pytest.mark.xfail(reason=KNOWN_BROKEN_EXAMPLES[case.id], strict=True))
        if case.id in KNOWN_BROKEN_EXAMPLES
        else pytest.param(case, id=case.id)
        for case in selected
    ]


def is_order_status(case: Case, where: tuple[str | int, ...]) -> bool:
    """Kraken Futures ``sendStatus.status`` and friends: an unknown value there means *not performed*."""
    return (
        case.venue.key == "futures" and len(where) >= 2 and where[0] in FUTURES_ORDER_STATUS and where[-1] == "status"
    )


@pytest.mark.parametrize("case", documented(CASES))
def test_documented_answer_parses_into_a_result(case: Case) -> None:
    VENUE.warnings.clear()
    result = call(case, case.documented_response())
    assert len(VENUE.requests) == 1
    assert not VENUE.warnings
    if not case.operation.empty_success:
        assert result is not None
    assert list(numbers_not_decimal(result)) == []  # every amount a Decimal, whatever JSON spelling the spec used


@pytest.mark.parametrize("case", documented(JSON_CASES))
def test_unknown_fields_and_unknown_enum_values_in_a_documented_answer_still_parse(case: Case) -> None:
    found = landmarks(case.spec, case.answer.schema, case.answer.value)
    enums = [(where, unknown) for where, unknown in found.enums if not is_order_status(case, where)]
    value = case.answer.value
    for where in found.objects:
        value = replace_at(value, (*where, EXTRA_FIELD), EXTRA_VALUE)
    for where, unknown in enums:
        value = replace_at(value, where, unknown)
    result = call(case, case.json_response(value))
    assert result is not None or case.operation.empty_success
    if enums:
        leaves = list(values_in(result))
        assert UNKNOWN_ENUM in leaves or UNKNOWN_INT_ENUM in leaves, "the unknown enum value was lost"


def required_field_cases() -> list[Any]:
    """(case, place) for every field the schema requires that the documented answer carries, one at a time."""
    return [
        pytest.param(case, where, id=f"{case.id}:{'.'.join(map(str, where))}")
        for case in JSON_CASES
        for where in landmarks(case.spec, case.answer.schema, case.answer.value).required
        if where != (case.operation.unwrap,)  # without the envelope's result there is nothing to return
    ]


@pytest.mark.parametrize(("case", "where"), required_field_cases())
def test_answer_missing_any_one_required_field_still_reads_and_reports_one_drift(case: Case, where: Path_) -> None:
    value = delete_at(case.answer.value, where)
    warnings: list[ExchangeWarning] = []
    client = case.venue.sync_class(**{**VENUE.options(case.venue), "on_warning": warnings.append})
    VENUE.answer(case.json_response(value))
    result = getattr(client, case.name)(**minimal_arguments(case))
    assert result is not None
    drifts = [w for w in warnings if isinstance(w, SchemaDrift)]
    if case.spec.is_valid(value, case.answer.schema):  # e.g. now a valid member of another oneOf branch
        assert not drifts, [str(w) for w in drifts]
        return
    assert len(drifts) == 1, [str(w) for w in drifts]
    (drift,) = drifts
    assert drift.field.endswith(f".{where[-1]}")
    assert drift.found == "nothing (field missing)"
    assert drift.operation == case.name


def order_status_cases() -> list[Case]:
    """The operations whose documented answer carries a Kraken Futures order status."""
    found = []
    for case in JSON_CASES:
        enums = landmarks(case.spec, case.answer.schema, case.answer.value).enums
        if any(is_order_status(case, where) for where, _ in enums):
            found.append(case)
    return found


@pytest.mark.parametrize("case", order_status_cases(), ids=case_ids)
def test_unknown_futures_order_status_returns_the_result_with_a_warning_never_a_rejection(case: Case) -> None:
    found = landmarks(case.spec, case.answer.schema, case.answer.value)
    value = case.answer.value
    for where, unknown in found.enums:
        if is_order_status(case, where):
            value = replace_at(value, where, unknown)
    VENUE.warnings.clear()
    result = call(case, case.json_response(value))
    assert result is not None
    assert UNKNOWN_ENUM in [w.order_status for w in VENUE.warnings if isinstance(w, UnknownOrderStatus)]


@pytest.mark.parametrize("case", CASES, ids=case_ids)
@settings(HOSTILE_SETTINGS, max_examples=PER_OPERATION_EXAMPLES)
@given(data=st.data())
def test_hostile_answer_raises_nothing_but_exchange_errors(case: Case, data: st.DataObject) -> None:
    answer: HostileAnswer = data.draw(hostile_answers(case), label="answer")
    call_expecting_only_exchange_errors(case, answer)


@settings(HOSTILE_SETTINGS, max_examples=SWEEP_EXAMPLES)
@given(case=st.sampled_from(CASES), data=st.data())
def test_random_sweep_over_all_operations_raises_nothing_but_exchange_errors(case: Case, data: st.DataObject) -> None:
    answer: HostileAnswer = data.draw(hostile_answers(case), label="answer")
    call_expecting_only_exchange_errors(case, answer)


FIXED_BODIES = {
    "empty-200": (200, "application/json", b""),
    "empty-500": (500, "application/json", b""),
    "html-200": (200, "text/html", HTML_PAGES[0]),
    "html-502": (502, "text/html", HTML_PAGES[0]),
    "deep-list-200": (200, "application/json", DEEP_LIST.encode()),
    "not-utf8-200": (200, "application/json", RAW_BODIES[3]),
    "huge-exponent-200": (200, "application/json", b"1e999999"),
    "huge-int-200": (200, "application/json", encode_json(10**400)),
}


@pytest.mark.parametrize("body", sorted(FIXED_BODIES))
@pytest.mark.parametrize(
    "case",
    [next(case for case in JSON_CASES if case.venue.key == key) for key in ("spot", "futures", "bitflyer")],
    ids=case_ids,
)
def test_async_facade_raises_only_exchange_errors_for_hostile_bodies(case: Case, body: str) -> None:
    status, content_type, content = FIXED_BODIES[body]
    venue = MockVenue()
    venue.answer(httpx.Response(status, content=content, headers={"Content-Type": content_type}))

    async def run() -> None:
        async with venue.async_client(case.venue) as client:
            await getattr(client, case.name)(**minimal_arguments(case))

    with pytest.raises(ExchangeError):
        asyncio.run(run())
    assert len(venue.requests) == 1


RETRYABLE_ANSWERS = st.builds(
    HostileAnswer,
    status=st.sampled_from((429, 500, 502, 503, 520, 200)),
    content_type=st.just("application/json"),
    body=st.sampled_from(
        (
            b"",
            b'{"error":["EAPI:Rate limit exceeded"]}',
            b'{"error":["EService:Throttled:99999999999"]}',
            b'{"error":["EService:Throttled:' + b"9" * 400 + b'"]}',
            b'{"error":["EService:Unavailable"]}',
            b'{"result":"error","error":"apiLimitExceeded"}',
            b'{"status":-1,"error_message":"Over API limit per period per IP address"}',
        )
    ),
    kind=st.just("retryable"),
    headers=st.lists(st.sampled_from(HOSTILE_HEADERS), max_size=2).map(tuple),
)


@pytest.mark.parametrize("case", [case for case in JSON_CASES if case.operation.read][::7], ids=case_ids)
@settings(HOSTILE_SETTINGS, max_examples=15)
@given(answer=RETRYABLE_ANSWERS)
def test_hostile_wait_hints_never_stretch_retries_beyond_the_policy(case: Case, answer: HostileAnswer) -> None:
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=2.0)
    venue = MockVenue()
    venue.respond = lambda request: answer.response()
    client = venue.sync_client(case.venue, retry=policy)
    waits: list[float] = []
    with mock.patch("exchange_clients._runtime.time.sleep", waits.append):
        call_with(client, case)
    assert len(venue.requests) == len(waits) + 1 <= policy.attempts
    assert all(0 <= wait <= policy.max_delay for wait in waits), waits


def call_with(client: Any, case: Case) -> None:
    with contextlib.suppress(ExchangeError):
        getattr(client, case.name)(**minimal_arguments(case))
