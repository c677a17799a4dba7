"""What the venues really send, replayed through the facades: every captured answer must read.

The answers come from ../shared/realworld (captured from the live venues by other public projects; see its README),
read where they lie. For each one, the facade operation that matches its method and path is called with the
production base URL, offline, and answered with the captured body. A success must come back typed, with every key
and every number of the body in the result, numbers as ``Decimal`` where the schema says number, and no drift from
the schema (drifts that reality shows are fixed in the spec by named fixes). A captured error must raise the typed
error of its meaning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from exchange_clients import (
    AuthenticationError,
    ExchangeError,
    NotFound,
    OrderNotFound,
    PermissionDenied,
    SchemaDrift,
)
from exchange_clients.errors import InvalidArguments
from realworld.replay import (
    KEY,
    MISSING,
    Answer,
    answers,
    at,
    numbers_and_keys,
    numbers_not_decimal,
    plain,
    replay,
    shown,
)

ANSWERS = answers()

# What each captured error means (read from the body and its note); a new error capture needs its line here.
EXPECTED_ERRORS: dict[str, type[ExchangeError]] = {
    "bitflyer/error_permission_denied": PermissionDenied,
    "kraken_futures/cancelorder_notfound_2021": OrderNotFound,
    "kraken_futures/cancelorder_notfound_2023": OrderNotFound,
    "kraken_futures/editorder_not_found_2023": OrderNotFound,
    "kraken_futures/error_authentication_editorder_2021": AuthenticationError,
    "kraken_futures/error_bad_request_sendorder_2021": InvalidArguments,
    "kraken_futures/error_not_found_route_2021": NotFound,
    "kraken_spot/error_invalid_key_2019": AuthenticationError,
}


def _ids(answer: Answer) -> str:
    return answer.id


SUCCESSES = [answer for answer in ANSWERS if not answer.expects_error]
ERRORS = [answer for answer in ANSWERS if answer.expects_error]


def _expected_body(answer: Answer) -> object:
    """The part of the body the facade returns: Kraken Spot's facades return the envelope's ``result``."""
    return answer.body["result"] if answer.venue.name == "kraken_spot" else answer.body


def test_every_venue_has_real_answers() -> None:
    assert {answer.venue.name for answer in ANSWERS} == {"kraken_spot", "kraken_futures", "bitflyer"}
    assert ERRORS, "no captured error answers"


@pytest.mark.parametrize("answer", SUCCESSES, ids=_ids)
def test_real_answer_reads_typed_with_every_key_and_number(answer: Answer) -> None:
    outcome = replay(answer)
    assert outcome.error is None, f"{outcome.operation}: {outcome.error!r}"
    drifts = [w for w in outcome.warnings or [] if isinstance(w, SchemaDrift)]
    assert not drifts, "the spec still differs from this real answer:\n" + "\n".join(str(w) for w in drifts)
    assert outcome.result is not None
    assert not isinstance(outcome.result, dict), "a typed model, not raw JSON"
    got = plain(outcome.result)
    lost = []
    for place, value in numbers_and_keys(_expected_body(answer)):
        found = at(got, place)
        if found is MISSING:
            lost.append(f"{shown(place)}: missing from the result")
        elif value is not KEY and not _same_number(found, value):
            lost.append(f"{shown(place)}: {value!r} in the body, {found!r} in the result")
    assert not lost, "\n".join(lost)
    wrong = list(numbers_not_decimal(outcome.result))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("answer", ERRORS, ids=_ids)
def test_real_error_answer_raises_the_typed_error_of_its_meaning(answer: Answer) -> None:
    assert answer.id in EXPECTED_ERRORS, f"{answer.id}: a new captured error; add what it means to EXPECTED_ERRORS"
    outcome = replay(answer)
    assert type(outcome.error) is EXPECTED_ERRORS[answer.id], repr(outcome.error)
    assert outcome.error.http_status == answer.data["status"]  # type: ignore[union-attr]


def _same_number(found: Any, value: Any) -> bool:
    """``found`` (from ``to_dict``) is ``value`` as a number. A decimal string counts too: where one tuple position
    holds a number and another a decimal string (Kraken Spot's trade rows), ``to_dict`` cannot tell which spelling
    came, and writes the Spot spelling; the typed result holds a Decimal either way (``numbers_not_decimal``)."""
    if isinstance(found, str):
        try:
            found = Decimal(found)
        except ArithmeticError:
            return False
    return not isinstance(found, bool) and isinstance(found, int | Decimal) and Decimal(found) == Decimal(value)
