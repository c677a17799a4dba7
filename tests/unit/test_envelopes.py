"""Each venue's envelope rule: which payloads raise which error, and which pass with their warnings."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange_clients._responses import CallContext
from exchange_clients.bitflyer import _envelope as bitflyer
from exchange_clients.errors import (
    AuthenticationError,
    ExchangeError,
    ExchangeWarning,
    FundsRejected,
    InsufficientFunds,
    InvalidArguments,
    InvalidNonce,
    NotFound,
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    UnexpectedResponse,
    UnknownOrderStatus,
)
from exchange_clients.kraken_futures import _envelope as futures
from exchange_clients.kraken_spot import _envelope as spot

CheckEnvelope = Callable[[Any, httpx.Response, CallContext], list[ExchangeWarning]]

SPOT_CTX = CallContext(venue=spot.VENUE, method="POST", path="/0/private/AddOrder")
FUTURES_CTX = CallContext(venue=futures.VENUE, method="POST", path="/derivatives/api/v3/sendorder")
BITFLYER_CTX = CallContext(venue=bitflyer.VENUE, method="POST", path="/v1/me/sendchildorder")
SERVER_TIME = "2016-02-25T09:45:53.818Z"


def _response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(payload).encode(), headers=headers)


def _raised(check: CheckEnvelope, payload: Any, ctx: CallContext, status: int = 200) -> ExchangeError:
    with pytest.raises(ExchangeError) as caught:
        check(payload, _response(payload, status), ctx)
    return caught.value


def _spot_error(*entries: str) -> ExchangeError:
    return _raised(spot.check_envelope, {"error": list(entries)}, SPOT_CTX)


def _futures_error(payload: Any, status: int = 200) -> ExchangeError:
    return _raised(futures.check_envelope, payload, FUTURES_CTX, status)


def _bitflyer_error(payload: Any, status: int = 400) -> ExchangeError:
    return _raised(bitflyer.check_envelope, payload, BITFLYER_CTX, status)


# ---------------------------------------------------------------- Kraken Spot


def test_spot_success_envelope_passes_without_warnings() -> None:
    payload = {"error": [], "result": {"status": "online", "timestamp": "2021-03-22T17:18:03Z"}}
    assert spot.check_envelope(payload, _response(payload), SPOT_CTX) == []


def test_spot_documented_error_becomes_InvalidArguments_with_code_and_message() -> None:
    exc = _spot_error("EGeneral:Invalid arguments:ordertype")
    assert type(exc) is InvalidArguments
    assert exc.code == "EGeneral:Invalid arguments:ordertype"
    assert exc.venue_message == "Invalid arguments:ordertype"
    assert (exc.venue, exc.method, exc.path, exc.http_status) == ("Kraken Spot", "POST", "/0/private/AddOrder", 200)
    assert exc.body == b'{"error": ["EGeneral:Invalid arguments:ordertype"]}'


def test_spot_error_with_spaces_after_the_colons_is_classified_and_normalised() -> None:
    exc = _spot_error("EGeneral: Invalid arguments:ordertype")
    assert type(exc) is InvalidArguments
    assert exc.code == "EGeneral:Invalid arguments:ordertype"


def test_spot_invalid_nonce_becomes_InvalidNonce() -> None:
    exc = _spot_error("EAPI:Invalid nonce")
    assert type(exc) is InvalidNonce
    assert isinstance(exc, AuthenticationError)
    assert str(exc) == "Kraken Spot POST /0/private/AddOrder: EAPI:Invalid nonce (HTTP 200)"


def test_spot_insufficient_funds_becomes_InsufficientFunds() -> None:
    exc = _spot_error("EOrder:Insufficient funds")
    assert type(exc) is InsufficientFunds
    assert str(exc) == "Kraken Spot POST /0/private/AddOrder: EOrder:Insufficient funds (HTTP 200)"


def test_spot_warning_alongside_a_result_is_returned_and_not_raised() -> None:
    payload = {"error": ["WGeneral:Deprecated call: use BalanceEx"], "result": {"ZUSD": "171.8710"}}
    (warning,) = spot.check_envelope(payload, _response(payload), SPOT_CTX)
    assert type(warning) is ExchangeWarning
    assert (warning.code, warning.venue_message) == (
        "WGeneral:Deprecated call: use BalanceEx",
        "Deprecated call: use BalanceEx",
    )


def test_spot_error_next_to_a_warning_raises_with_every_entry_in_the_message() -> None:
    exc = _spot_error("WGeneral:Deprecated", "EOrder:Unknown order", "EGeneral:Internal error")
    assert type(exc) is OrderNotFound
    assert exc.message == "WGeneral:Deprecated; EOrder:Unknown order; EGeneral:Internal error"
    assert exc.code == "EOrder:Unknown order"


def test_spot_throttled_gives_retry_after_until_its_timestamp() -> None:
    reset = int(time.time()) + 30
    exc = _spot_error(f"EService: Throttled: {reset}")
    assert isinstance(exc, RateLimited)
    assert exc.retry_after is not None
    assert 28.0 < exc.retry_after <= 30.0


def test_spot_throttled_timestamp_in_the_past_gives_zero_wait() -> None:
    exc = _spot_error("EService:Throttled:1741500000")
    assert isinstance(exc, RateLimited)
    assert exc.retry_after == 0.0


def test_spot_rate_limit_without_timestamp_has_no_wait_hint() -> None:
    exc = _spot_error("EAPI:Rate limit exceeded")
    assert isinstance(exc, RateLimited)
    assert exc.retry_after is None


# kraken.md §3.2 and §4.4, as documented (extras, spaces and all).
@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("EAPI:Invalid key", AuthenticationError),
        ("EAPI:Invalid signature", AuthenticationError),
        ("EAPI:Feature disabled:viqc", InvalidArguments),
        ("EAPI:Bad request", InvalidArguments),
        ("EGeneral:Invalid arguments:Index unavailable", InvalidArguments),
        ("EGeneral:Temporary lockout", AuthenticationError),
        ("EGeneral:Permission denied", PermissionDenied),
        ("EGeneral:Unknown method", NotFound),
        ("EGeneral:Too many requests", RateLimited),
        ("EGeneral:Internal error:123", ServiceUnavailable),
        ("EDatabase:Internal error", ServiceUnavailable),
        ("EService:Unavailable", ServiceUnavailable),
        ("EService:Busy", ServiceUnavailable),
        ("EService:Market in cancel_only mode", ServiceUnavailable),
        ("EService:Deadline elapsed", ServiceUnavailable),
        ("EOrder:Rate limit exceeded", RateLimited),
        ("EOrder:Domain rate limit exceeded", RateLimited),
        ("EOrder:Orders limit exceeded", OrderRejected),
        ("EOrder:Insufficient margin", InsufficientFunds),
        ("EOrder:Order minimum not met", OrderRejected),
        ("EOrder:Cost minimum not met", OrderRejected),
        ("EOrder:Tick size check failed", OrderRejected),
        ("EOrder:Invalid price:XBTUSD price can only be specified up to 1 decimals.", OrderRejected),
        ("EOrder:Unknown position", OrderNotFound),
        ("EOrder:Margin level too low", OrderRejected),
        ("EOrder:Cannot open position", OrderRejected),
        ("EOrder:Positions limit exceeded", OrderRejected),
        ("EOrder:Reduce only:Non-PC", OrderRejected),
        ("EOrder:Post only order", OrderRejected),
        ("EAuth:Account temporary disabled", AuthenticationError),
        ("EAuth:Account unconfirmed", AuthenticationError),
        ("EAuth:Rate limit exceeded", RateLimited),
        ("EAuth:Too many requests", RateLimited),
        ("EAccount:Invalid permissions", PermissionDenied),
        ("EFunding:Insufficient funds", InsufficientFunds),
        ("EFunding:Invalid amount", InvalidArguments),
        ("EFunding:Unknown asset", InvalidArguments),
        ("EFunding:Unknown withdraw key", InvalidArguments),
        ("EQuery:Unknown asset pair", InvalidArguments),
        ("ETrade:Locked", AuthenticationError),
        ("ESession:Invalid session", AuthenticationError),
        ("EBM:limit exceeded:CAL", OrderRejected),
    ],
)
def test_spot_documented_errors_map_to_their_meaning(entry: str, expected: type[ExchangeError]) -> None:
    assert type(_spot_error(entry)) is expected


@pytest.mark.parametrize(("key", "expected"), list(spot.SPOT_ERRORS["exact"].items()))
def test_spot_every_exact_row_matches_with_any_spacing_case_and_extra(key: str, expected: type[ExchangeError]) -> None:
    category, message = key.split(":")
    assert type(_spot_error(f" {category}: {message.upper()} : extra ")) is expected


@pytest.mark.parametrize(("prefix", "expected"), list(spot.SPOT_ERRORS["broad"].items()))
def test_spot_every_broad_row_matches_entries_it_prefixes(prefix: str, expected: type[ExchangeError]) -> None:
    assert type(_spot_error(f"{prefix}Something undocumented")) is expected


def test_spot_unknown_error_becomes_plain_ExchangeError_keeping_its_code() -> None:
    exc = _spot_error("EEarnings:Something new")
    assert type(exc) is ExchangeError
    assert exc.code == "EEarnings:Something new"


def test_spot_throttled_wording_under_an_unknown_category_stays_a_plain_error() -> None:
    assert type(_spot_error("EOther:Throttled:1741500000")) is ExchangeError


def test_spot_entry_with_unknown_severity_and_no_result_counts_as_an_error() -> None:
    assert type(_spot_error("Invalid arguments")) is ExchangeError


def test_spot_entry_with_unknown_severity_next_to_a_result_is_a_warning_not_a_failure() -> None:
    # The venue did something (a txid came back); an entry we cannot read must not say it did not.
    payload = {"error": ["XOrder:Something new"], "result": {"txid": ["OU22CG-KLAF2-FWUDD7"]}}
    (warning,) = spot.check_envelope(payload, _response(payload), SPOT_CTX)
    assert warning.code == "XOrder:Something new"


@pytest.mark.parametrize(
    "payload", [[], "EGeneral:Invalid arguments", 1, None, {}, {"result": {}}, {"result": [1, 2]}, {"error": []}]
)
def test_spot_payload_without_error_entries_passes_to_the_schema_parse(payload: Any) -> None:
    assert spot.check_envelope(payload, _response(payload), SPOT_CTX) == []


@pytest.mark.parametrize("error", [None, "EGeneral:Invalid arguments", {"EAPI": "Invalid key"}, [1], [["EOrder:x"]]])
def test_spot_error_field_that_is_not_a_list_of_strings_becomes_UnexpectedResponse(error: Any) -> None:
    payload = {"error": error}
    with pytest.raises(UnexpectedResponse):
        spot.check_envelope(payload, _response(payload), SPOT_CTX)


# ---------------------------------------------------------------- Kraken Futures


def test_futures_placed_order_passes() -> None:
    # Seed 000, the successful sendorder example.
    payload = {
        "result": "success",
        "serverTime": SERVER_TIME,
        "sendStatus": {
            "receivedTime": "2016-02-25T09:45:53.601Z",
            "status": "placed",
            "order_id": "c18f0c17-9971-40e6-8e5b10df05d422f0",
        },
    }
    assert futures.check_envelope(payload, _response(payload), FUTURES_CTX) == []


def test_futures_insufficientAvailableFunds_becomes_FundsRejected_with_the_order_status() -> None:
    # Seed 000: "result":"success" although the order was not placed.
    payload = {
        "result": "success",
        "serverTime": SERVER_TIME,
        "sendStatus": {"receivedTime": "2016-02-25T09:45:53.601Z", "status": "insufficientAvailableFunds"},
    }
    exc = _futures_error(payload)
    assert type(exc) is FundsRejected
    assert exc.order_status == "insufficientAvailableFunds"
    assert exc.statuses == ("insufficientAvailableFunds",)
    assert exc.code == "insufficientAvailableFunds"
    assert "sendStatus.status = insufficientAvailableFunds" in str(exc)


def test_futures_apiLimitExceeded_becomes_RateLimited() -> None:
    exc = _futures_error({"result": "error", "serverTime": SERVER_TIME, "error": "apiLimitExceeded"})
    assert type(exc) is RateLimited
    assert exc.code == "apiLimitExceeded"
    assert str(exc) == "Kraken Futures POST /derivatives/api/v3/sendorder: apiLimitExceeded (HTTP 200)"


def test_futures_nonceBelowThreshold_becomes_InvalidNonce() -> None:
    exc = _futures_error({"result": "error", "serverTime": SERVER_TIME, "error": "nonceBelowThreshold"})
    assert type(exc) is InvalidNonce


@pytest.mark.parametrize(("code", "expected"), list(futures.FUTURES_ERRORS["error"].items()))
def test_futures_every_error_code_row_maps_to_its_class(code: str, expected: type[ExchangeError]) -> None:
    exc = _futures_error({"result": "error", "serverTime": SERVER_TIME, "error": code})
    assert type(exc) is expected
    assert exc.code == code


def test_futures_unknown_error_code_becomes_plain_ExchangeError_keeping_its_code() -> None:
    exc = _futures_error({"result": "error", "serverTime": SERVER_TIME, "error": "somethingNew"})
    assert type(exc) is ExchangeError
    assert exc.code == "somethingNew"


def test_futures_insufficient_margin_errors_shape_with_http_500_becomes_InsufficientFunds() -> None:
    # kraken.md §3.3 (b), seen on PUT leveragepreferences (ccxt#19896).
    payload = {
        "status": "INTERNAL_SERVER_ERROR",
        "result": "error",
        "errors": [{"code": 92, "message": "INSUFFICIENT_MARGIN"}],
        "serverTime": SERVER_TIME,
    }
    exc = _futures_error(payload, status=500)
    assert type(exc) is InsufficientFunds
    assert (exc.code, exc.venue_message, exc.http_status) == (92, "INSUFFICIENT_MARGIN", 500)
    assert exc.message == "INTERNAL_SERVER_ERROR: INSUFFICIENT_MARGIN (code 92)"


@pytest.mark.parametrize(("message", "expected"), list(futures.FUTURES_ERRORS["errors"].items()))
def test_futures_every_errors_message_row_maps_to_its_class(message: str, expected: type[ExchangeError]) -> None:
    exc = _futures_error({"result": "error", "serverTime": SERVER_TIME, "errors": [{"code": 1, "message": message}]})
    assert type(exc) is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (500, ServiceUnavailable),
        (503, ServiceUnavailable),
        (400, InvalidArguments),
        (404, NotFound),
        (200, InvalidArguments),
    ],
)
def test_futures_unknown_errors_message_is_classified_by_http_status(
    status: int, expected: type[ExchangeError]
) -> None:
    payload = {
        "result": "error",
        "serverTime": SERVER_TIME,
        "errors": [{"code": 87, "message": "CONTRACT_DOES_NOT_EXIST"}],
    }
    exc = _futures_error(payload, status=status)
    assert type(exc) is expected
    assert exc.code == 87


@pytest.mark.parametrize("errors", [None, [], ["x"], [{"code": 1}], "INSUFFICIENT_MARGIN"])
def test_futures_error_envelope_without_a_readable_code_becomes_ExchangeError(errors: Any) -> None:
    assert type(_futures_error({"result": "error", "errors": errors})) is ExchangeError


def _order_payload(field: str, *statuses: str) -> dict[str, Any]:
    entries = [{"status": status} for status in statuses]
    return {"result": "success", "serverTime": SERVER_TIME, field: entries if field == "batchStatus" else entries[0]}


@pytest.mark.parametrize(
    ("field", "status"),
    [(field, status) for field, known in futures.FUTURES_ORDER_STATUS.items() for status in sorted(known.performed)],
)
def test_futures_every_performed_status_passes_without_a_warning(field: str, status: str) -> None:
    payload = _order_payload(field, status)
    assert futures.check_envelope(payload, _response(payload), FUTURES_CTX) == []


@pytest.mark.parametrize(
    ("field", "status"),
    [(field, status) for field, known in futures.FUTURES_ORDER_STATUS.items() for status in sorted(known.failed)],
)
def test_futures_every_failed_status_raises_OrderRejected_or_its_mapped_class(field: str, status: str) -> None:
    exc = _futures_error(_order_payload(field, status))
    assert isinstance(exc, OrderRejected)
    assert type(exc) is futures.FUTURES_STATUS_ERRORS.get(status, OrderRejected)
    assert exc.order_status == status


def test_futures_edit_that_filled_is_performed_not_rejected() -> None:
    # ../shared/realworld/kraken_futures/editorder_filled_2021.json: the edit crossed the book and executed.
    payload = _order_payload("editStatus", "filled")
    assert futures.check_envelope(payload, _response(payload), FUTURES_CTX) == []


@pytest.mark.parametrize("field", sorted(futures.FUTURES_ORDER_STATUS))
def test_futures_unknown_status_returns_a_warning_and_never_a_rejection(field: str) -> None:
    payload = _order_payload(field, "aStatusNobodyDocumented")
    (warning,) = futures.check_envelope(payload, _response(payload), FUTURES_CTX)
    assert type(warning) is UnknownOrderStatus
    assert (warning.code, warning.order_status) == (field, "aStatusNobodyDocumented")


def test_futures_insufficient_available_funds_is_caught_as_InsufficientFunds() -> None:
    exc = _futures_error(_order_payload("sendStatus", "insufficientAvailableFunds"))
    assert isinstance(exc, InsufficientFunds)
    assert isinstance(exc, OrderRejected)


def test_futures_cancel_of_an_unknown_order_becomes_OrderNotFound() -> None:
    payload = {
        "result": "success",
        "serverTime": SERVER_TIME,
        "cancelStatus": {"status": "notFound", "receivedTime": SERVER_TIME},
    }
    exc = _futures_error(payload)
    assert type(exc) is OrderNotFound
    assert isinstance(exc, NotFound)
    assert isinstance(exc, OrderRejected)
    assert exc.order_status == "notFound"


def test_futures_every_status_the_spec_enumerates_is_classified() -> None:
    import yaml

    from _pipeline import FINAL_DIR

    with (FINAL_DIR / "kraken_futures_api.yaml").open(encoding="utf-8") as handle:
        schemas = yaml.safe_load(handle)["components"]["schemas"]
    fields = {"sendStatus": "SendOrderJson", "editStatus": "EditOrderStatus", "cancelStatus": "CancelOrderStatusJson",
              "batchStatus": "BatchInstructionResult"}  # fmt: skip
    unclassified = {
        (field, status)
        for field, schema in fields.items()
        for status in schemas[schema]["properties"]["status"]["enum"]
        if status not in futures.FUTURES_ORDER_STATUS[field].performed | futures.FUTURES_ORDER_STATUS[field].failed
    }
    assert not unclassified, f"statuses the spec documents but FUTURES_ORDER_STATUS does not classify: {unclassified}"


def test_futures_batch_with_some_failed_entries_returns_the_result() -> None:
    # ../shared/realworld/kraken_futures/batchorder_mixed_2023.json: one order placed among failures; raising would
    # tell the caller nothing was done.
    payload = _order_payload("batchStatus", "placed", "insufficientAvailableFunds", "cancelled")
    assert futures.check_envelope(payload, _response(payload), FUTURES_CTX) == []


def test_futures_batch_where_every_entry_failed_raises_listing_every_status() -> None:
    exc = _futures_error(_order_payload("batchStatus", "insufficientAvailableFunds", "selfFill"))
    assert isinstance(exc, OrderRejected)
    assert exc.order_status == "insufficientAvailableFunds"
    assert exc.statuses == ("insufficientAvailableFunds", "selfFill")
    assert "batchStatus[1].status = selfFill" in exc.message


def test_futures_batch_where_every_entry_succeeded_passes() -> None:
    payload = {
        "result": "success",
        "batchStatus": [{"status": "placed"}, {"status": "edited"}, {"status": "cancelled"}],
    }
    assert futures.check_envelope(payload, _response(payload), FUTURES_CTX) == []


@pytest.mark.parametrize(
    "payload",
    [
        {"elements": [], "len": 0, "continuationToken": "c2VxPTE="},
        {"accountUid": "f7d5571c-6d10-4cf1-944a-048d25682ed0", "logs": []},
        {"result": "success", "serverTime": SERVER_TIME, "accounts": {}},
        {"result": "success", "sendStatus": {"order_id": "no status yet"}},
        {"result": "success", "sendStatus": "placed"},
        [],
        "ok",
        None,
    ],
)
def test_futures_history_and_other_payloads_without_a_failure_pass(payload: Any) -> None:
    assert futures.check_envelope(payload, _response(payload), FUTURES_CTX) == []


# ---------------------------------------------------------------- bitFlyer

# bitflyer.md §4.3, with the messages as observed.
BITFLYER_MESSAGES = {
    -1: "Over API limit per minute",
    -2: "Under maintenance",
    -100: "Invalid product",
    -102: "Invalid direction code",
    -110: "The minimum order size is 0.001 BTC.",
    -200: "Insufficient funds",
    -205: "Margin amount is insufficient for this order.",
    -208: "Order is not accepted. Please try again later.",
    -500: "Invalid signature",
    -505: "Two-factor authentication code is incorrect.",
    -508: "Your ordering has been limited due to submitting an irregular number of orders.",
    -700: "This account has not yet been authenticated",
}


def test_bitflyer_insufficient_funds_becomes_InsufficientFunds() -> None:
    exc = _bitflyer_error({"status": -200, "error_message": "Insufficient funds", "data": None})
    assert type(exc) is InsufficientFunds
    assert (exc.code, exc.venue_message, exc.http_status) == (-200, "Insufficient funds", 400)
    assert str(exc) == "bitFlyer POST /v1/me/sendchildorder: status -200: Insufficient funds (HTTP 400)"


def test_bitflyer_invalid_signature_becomes_AuthenticationError() -> None:
    exc = _bitflyer_error({"status": -500, "error_message": "Invalid signature", "data": None}, status=401)
    assert type(exc) is AuthenticationError


def test_bitflyer_wrong_two_factor_code_becomes_AuthenticationError() -> None:
    # Seed 003, the 2FA example (no "data" key).
    exc = _bitflyer_error({"status": -505, "error_message": "Two-factor authentication code is incorrect."})
    assert type(exc) is AuthenticationError


def test_bitflyer_irregular_ordering_becomes_RateLimited() -> None:
    exc = _bitflyer_error({"status": -508, "error_message": BITFLYER_MESSAGES[-508], "data": None})
    assert type(exc) is RateLimited


def test_bitflyer_unauthenticated_account_becomes_PermissionDenied() -> None:
    # Seed 003, the withdraw error example.
    exc = _bitflyer_error(
        {"status": -700, "error_message": "This account has not yet been authenticated", "data": None}
    )
    assert type(exc) is PermissionDenied


@pytest.mark.parametrize(("code", "expected"), list(bitflyer.BITFLYER_ERRORS["exact"].items()))
def test_bitflyer_every_code_row_maps_to_its_class(code: int, expected: type[ExchangeError]) -> None:
    exc = _bitflyer_error({"status": code, "error_message": BITFLYER_MESSAGES[code], "data": None})
    assert type(exc) is expected
    assert exc.code == code


@pytest.mark.parametrize(("fragment", "expected"), list(bitflyer.BITFLYER_ERRORS["broad"].items()))
@pytest.mark.parametrize("code", [-208, -100, -12345])
def test_bitflyer_every_message_row_wins_over_the_code(code: int, fragment: str, expected: type[ExchangeError]) -> None:
    exc = _bitflyer_error({"status": code, "error_message": fragment.title() + ".", "data": None}, status=404)
    assert type(exc) is expected
    assert exc.code == code


def test_bitflyer_unknown_negative_status_becomes_ExchangeError_keeping_the_code() -> None:
    exc = _bitflyer_error({"status": -999, "error_message": None, "data": None})
    assert type(exc) is ExchangeError
    assert exc.code == -999
    assert exc.message == "status -999"


def test_bitflyer_asp_net_no_route_body_becomes_NotFound_blaming_a_missing_parameter() -> None:
    # bitflyer.md §4.1: getfundingrate without product_code.
    message = "No HTTP resource was found that matches the request URI 'https://api.bitflyer.com/v1/getfundingrate'."
    exc = _bitflyer_error({"Message": message}, status=404)
    assert type(exc) is NotFound
    assert exc.venue_message == message
    assert "required query parameter" in exc.message


def test_bitflyer_other_asp_net_error_body_is_classified_by_http_status() -> None:
    exc = _bitflyer_error({"Message": "An error has occurred."}, status=500)
    assert type(exc) is ServiceUnavailable
    assert exc.venue_message == "An error has occurred."


@pytest.mark.parametrize(
    "payload",
    [
        [],
        [{"product_code": "BTC_JPY", "market_type": "Spot"}],
        {"status": "NORMAL"},
        {"status": 0},
        {"status": True},
        {"health": "NORMAL", "state": "RUNNING"},
        {"Message": "fine"},
        None,
    ],
)
def test_bitflyer_success_payloads_pass(payload: Any) -> None:
    assert bitflyer.check_envelope(payload, _response(payload), BITFLYER_CTX) == []


# ---------------------------------------------------------------- every venue

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
_KEYS = ["error", "errors", "result", "status", "error_message", "Message", "sendStatus", "batchStatus", "message"]
_ENVELOPE_LIKE = st.dictionaries(st.sampled_from(_KEYS), _JSON_VALUES, max_size=5)


@pytest.mark.parametrize(
    ("check", "ctx"),
    [(spot.check_envelope, SPOT_CTX), (futures.check_envelope, FUTURES_CTX), (bitflyer.check_envelope, BITFLYER_CTX)],
    ids=["kraken_spot", "kraken_futures", "bitflyer"],
)
@given(payload=_JSON_VALUES | _ENVELOPE_LIKE, status=st.sampled_from([200, 400, 401, 404, 500]))
def test_any_json_value_passes_or_raises_only_exchange_errors(
    check: CheckEnvelope, ctx: CallContext, payload: Any, status: int
) -> None:
    outcome = _outcome(check, payload, _response(payload, status), ctx)
    if isinstance(outcome, ExchangeError):
        assert outcome.venue == ctx.venue
    else:
        assert all(isinstance(warning, ExchangeWarning) and warning.venue == ctx.venue for warning in outcome)


def _outcome(
    check: CheckEnvelope, payload: Any, response: httpx.Response, ctx: CallContext
) -> list[ExchangeWarning] | ExchangeError:
    try:
        return check(payload, response, ctx)
    except ExchangeError as exc:
        return exc
