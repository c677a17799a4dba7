"""Decoding shared by all venues: exact decimals, HTML and broken bodies, HTTP statuses, wait hints."""

from __future__ import annotations

import contextlib
import email.utils
from decimal import Decimal

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange_clients._responses import (
    CallContext,
    decode_json,
    error_class_for_status,
    error_context,
    make_error,
    raise_for_http_status,
    retry_after_seconds,
)
from exchange_clients.errors import (
    AuthenticationError,
    ExchangeError,
    InvalidArguments,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    ServiceUnavailable,
    UnexpectedResponse,
)

CTX = CallContext(venue="Kraken Spot", method="GET", path="/0/public/Ticker")
# kraken.md §5.8: the page Cloudflare serves when Kraken's origin does not answer.
CLOUDFLARE_TITLE = "api.kraken.com | 520: Web server is returning an unknown error"
CLOUDFLARE_PAGE = (
    b'<!DOCTYPE html>\n<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->\n'
    b"<head>\n<title>api.kraken.com | 520: Web server is returning an unknown error</title>\n"
    b'<meta charset="UTF-8" />\n</head>\n<body><div id="cf-error-details">Ray ID: 7a1b2c3d4e5f6789</div></body>\n'
    b"</html>\n"
)
HTML = {"Content-Type": "text/html; charset=UTF-8"}
JSON = {"Content-Type": "application/json"}


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=body, headers=JSON if headers is None else headers)


def _decode_error(response: httpx.Response) -> ExchangeError:
    with pytest.raises(ExchangeError) as caught:
        decode_json(response, CTX)
    return caught.value


def test_decode_json_returns_the_documented_spot_success_envelope() -> None:
    body = b'{"error": [], "result": {"status": "online", "timestamp": "2021-03-22T17:18:03Z"}}'
    assert decode_json(_response(200, body), CTX) == {
        "error": [],
        "result": {"status": "online", "timestamp": "2021-03-22T17:18:03Z"},
    }


def test_decode_json_keeps_every_fractional_number_exact_as_decimal() -> None:
    payload = decode_json(_response(200, b'{"price": 0.1000000000000000055511151231257827, "count": 5}'), CTX)
    assert payload["price"] == Decimal("0.1000000000000000055511151231257827")
    assert str(payload["price"]) == "0.1000000000000000055511151231257827"
    assert type(payload["count"]) is int


def test_decode_json_keeps_trailing_zeros_of_bitflyer_numbers() -> None:
    payload = decode_json(_response(200, b'[{"price": 58538.000000000000, "size": 0.000100000000}]'), CTX)
    assert [str(payload[0]["price"]), str(payload[0]["size"])] == ["58538.000000000000", "0.000100000000"]


def test_decode_json_turns_nan_and_infinity_into_decimals_too() -> None:
    payload = decode_json(_response(200, b"[NaN, Infinity, -Infinity]"), CTX)
    assert all(isinstance(value, Decimal) for value in payload)
    assert [str(value) for value in payload] == ["NaN", "Infinity", "-Infinity"]


def test_decode_json_returns_a_json_error_body_of_a_5xx_for_the_envelope_check() -> None:
    body = b'{"status":"INTERNAL_SERVER_ERROR","result":"error","errors":[{"code":92,"message":"INSUFFICIENT_MARGIN"}]}'
    assert decode_json(_response(500, body), CTX)["errors"] == [{"code": 92, "message": "INSUFFICIENT_MARGIN"}]


def test_decode_json_decodes_json_even_when_it_is_labelled_html() -> None:
    assert decode_json(_response(200, b'{"error":[]}', HTML), CTX) == {"error": []}


@pytest.mark.parametrize("status", [520, 502])
def test_cloudflare_html_page_becomes_ServiceUnavailable_naming_its_title(status: int) -> None:
    exc = _decode_error(_response(status, CLOUDFLARE_PAGE, HTML))
    assert type(exc) is ServiceUnavailable
    assert CLOUDFLARE_TITLE in exc.message
    assert exc.http_status == status
    assert exc.body == CLOUDFLARE_PAGE


def test_html_page_with_200_becomes_UnexpectedResponse() -> None:
    exc = _decode_error(_response(200, b"  <html><head><title>Maintenance</title></head></html>", {}))
    assert type(exc) is UnexpectedResponse
    assert "'Maintenance'" in exc.message


def test_html_without_a_title_still_says_it_was_html() -> None:
    exc = _decode_error(_response(200, b"<p>hello</p>", HTML))
    assert exc.message == "HTML page where JSON was expected"


def test_html_title_is_unescaped_collapsed_and_bounded() -> None:
    page = b"<title>\n  a &amp; b\n  " + b"x" * 500 + b"</title>"
    exc = _decode_error(_response(503, page, HTML))
    assert "'a & b xxx" in exc.message
    assert len(exc.message) < 300


def test_html_labelled_body_that_is_not_json_is_reported_as_html() -> None:
    exc = _decode_error(_response(503, b"Service Temporarily Unavailable", HTML))
    assert type(exc) is ServiceUnavailable
    assert "HTML page" in exc.message


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, AuthenticationError), (403, PermissionDenied), (404, NotFound), (400, UnexpectedResponse)],
)
def test_html_page_with_a_4xx_is_classified_by_the_status(status: int, expected: type[ExchangeError]) -> None:
    # bitflyer.md §4.1: an unknown bitFlyer path answers 404 with an HTML page.
    exc = _decode_error(_response(status, b"<!DOCTYPE html><title>404 - File or directory not found.</title>", HTML))
    assert type(exc) is expected


def test_truncated_json_becomes_UnexpectedResponse_saying_where_decoding_failed() -> None:
    exc = _decode_error(_response(200, b'{"error":[],"result":{"a":'))
    assert type(exc) is UnexpectedResponse
    assert "not valid JSON" in exc.message
    assert "line 1 column 27" in exc.message


def test_truncated_json_with_a_5xx_becomes_ServiceUnavailable() -> None:
    assert type(_decode_error(_response(502, b'{"error":[],"res'))) is ServiceUnavailable


@pytest.mark.parametrize("body", [b"", b" \r\n"])
def test_empty_body_with_200_becomes_UnexpectedResponse(body: bytes) -> None:
    exc = _decode_error(_response(200, body))
    assert type(exc) is UnexpectedResponse
    assert exc.message.startswith("empty body")


def test_empty_body_with_502_becomes_ServiceUnavailable() -> None:
    exc = _decode_error(_response(502, b""))
    assert type(exc) is ServiceUnavailable
    assert exc.message.startswith("empty body")


def test_non_utf8_body_becomes_UnexpectedResponse_naming_the_offset() -> None:
    exc = _decode_error(_response(200, b'{"a":"\xff\xfe"}'))
    assert type(exc) is UnexpectedResponse
    assert "not UTF-8" in exc.message
    assert "offset 6" in exc.message


def test_json_nested_100000_deep_becomes_UnexpectedResponse() -> None:
    exc = _decode_error(_response(200, b"[" * 100_000 + b"]" * 100_000))
    assert type(exc) is UnexpectedResponse
    assert "nested too deeply" in exc.message


def test_integer_too_long_to_convert_becomes_UnexpectedResponse() -> None:
    assert type(_decode_error(_response(200, b"[" + b"9" * 5000 + b"]"))) is UnexpectedResponse


def test_429_with_retry_after_seconds_becomes_RateLimited() -> None:
    exc = _decode_error(_response(429, b'{"result":"error","error":"apiLimitExceeded"}', {"Retry-After": "3"}))
    assert isinstance(exc, RateLimited)
    assert exc.retry_after == 3.0
    assert exc.http_status == 429


def test_429_text_plain_with_rate_limit_reset_becomes_RateLimited() -> None:
    # kraken.md §3.3 (c): futures history answers 429 as text/plain with rate-limit-reset seconds.
    response = _response(429, b"Too Many Requests", {"Content-Type": "text/plain", "rate-limit-reset": "12"})
    exc = _decode_error(response)
    assert isinstance(exc, RateLimited)
    assert exc.retry_after == 12.0


def test_decode_errors_carry_the_call_context_and_the_whole_body() -> None:
    exc = _decode_error(_response(520, CLOUDFLARE_PAGE, HTML))
    assert (exc.venue, exc.method, exc.path, exc.http_status) == ("Kraken Spot", "GET", "/0/public/Ticker", 520)
    assert exc.body == CLOUDFLARE_PAGE
    assert "Ray ID" not in repr(exc)
    assert str(exc).startswith("Kraken Spot GET /0/public/Ticker: HTML page where JSON was expected:")


@given(status=st.integers(min_value=100, max_value=599), body=st.binary(max_size=200))
def test_decode_json_returns_or_raises_only_exchange_errors(status: int, body: bytes) -> None:
    with contextlib.suppress(ExchangeError):
        decode_json(_response(status, body), CTX)


def test_retry_after_reads_delta_seconds() -> None:
    assert retry_after_seconds(_response(503, b"", {"Retry-After": "120"})) == 120.0


def test_retry_after_reads_an_http_date_relative_to_now() -> None:
    when = 1_445_412_480.0
    response = _response(503, b"", {"Retry-After": email.utils.formatdate(when, usegmt=True)})
    assert retry_after_seconds(response, now=when - 30) == 30.0


def test_retry_after_date_in_the_past_gives_zero() -> None:
    response = _response(503, b"", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(response, now=2_000_000_000.0) == 0.0


def test_retry_after_prefers_retry_after_over_rate_limit_reset() -> None:
    assert retry_after_seconds(_response(429, b"", {"Retry-After": "1", "rate-limit-reset": "12"})) == 1.0


def test_retry_after_falls_back_to_rate_limit_reset_when_retry_after_is_unreadable() -> None:
    assert retry_after_seconds(_response(429, b"", {"Retry-After": "soon", "rate-limit-reset": "12"})) == 12.0


@pytest.mark.parametrize("value", ["soon", "-5", "nan", "inf", ""])
def test_unreadable_or_negative_wait_hints_give_none(value: str) -> None:
    assert retry_after_seconds(_response(429, b"", {"Retry-After": value, "rate-limit-reset": value})) is None


def test_no_wait_hint_gives_none() -> None:
    assert retry_after_seconds(_response(429, b"")) is None


@pytest.mark.parametrize("status", [200, 201, 204])
def test_raise_for_http_status_lets_2xx_through(status: int) -> None:
    raise_for_http_status(_response(status, b""), CTX)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, AuthenticationError),
        (403, PermissionDenied),
        (404, NotFound),
        (408, RequestTimeout),
        (429, RateLimited),
        (500, ServiceUnavailable),
        (502, ServiceUnavailable),
        (503, ServiceUnavailable),
        (520, ServiceUnavailable),
        (400, UnexpectedResponse),
        (409, UnexpectedResponse),
        (302, UnexpectedResponse),
    ],
)
def test_raise_for_http_status_classifies_by_status(status: int, expected: type[ExchangeError]) -> None:
    with pytest.raises(expected) as caught:
        raise_for_http_status(_response(status, b'{"secret":"BODY-ONLY"}'), CTX)
    assert type(caught.value) is expected
    assert caught.value.http_status == status
    assert str(caught.value).endswith(f" (HTTP {status})")
    assert "BODY-ONLY" not in repr(caught.value)


def test_raise_for_http_status_says_the_reason_phrase_once_with_the_status() -> None:
    with pytest.raises(NotFound) as caught:
        raise_for_http_status(_response(404, b"{}"), CTX)
    assert str(caught.value) == "Kraken Spot GET /0/public/Ticker: Not Found (HTTP 404)"
    with pytest.raises(ServiceUnavailable) as caught:
        raise_for_http_status(_response(520, b"{}"), CTX)
    assert str(caught.value) == "Kraken Spot GET /0/public/Ticker: unexpected status (HTTP 520)"


def test_raise_for_http_status_429_reads_the_wait_hint() -> None:
    with pytest.raises(RateLimited) as caught:
        raise_for_http_status(_response(429, b"", {"Retry-After": "7"}), CTX)
    assert caught.value.retry_after == 7.0


def test_error_class_for_status_matches_raise_for_http_status_for_errors() -> None:
    assert error_class_for_status(504) is ServiceUnavailable
    assert error_class_for_status(200) is UnexpectedResponse


def test_error_context_gives_the_keyword_arguments_of_an_exchange_error() -> None:
    response = _response(400, b'{"status":-100}')
    assert error_context(response, CTX) == {
        "venue": "Kraken Spot",
        "http_status": 400,
        "method": "GET",
        "path": "/0/public/Ticker",
        "body": b'{"status":-100}',
    }
    assert InvalidArguments("x", **error_context(response, CTX)).http_status == 400


def test_make_error_reads_retry_after_only_when_none_was_given() -> None:
    response = _response(200, b"", {"Retry-After": "4"})
    from_headers = make_error(RateLimited, "slow", response, CTX)
    explicit = make_error(RateLimited, "slow", response, CTX, retry_after=9.0)
    assert isinstance(from_headers, RateLimited)
    assert isinstance(explicit, RateLimited)
    assert (from_headers.retry_after, explicit.retry_after) == (4.0, 9.0)


def test_call_context_never_keeps_a_query_string() -> None:
    ctx = CallContext(venue="bitFlyer", method="GET", path="/v1/me/getchildorders?product_code=BTC_JPY")
    assert ctx.path == "/v1/me/getchildorders"


def test_bitflyer_rate_limit_reset_time_becomes_seconds_to_wait() -> None:
    response = httpx.Response(429, headers={"X-RateLimit-Reset": "1700000030"})
    assert retry_after_seconds(response, now=1_700_000_000.0) == 30.0
    past = httpx.Response(429, headers={"X-RateLimit-Reset": "1699999990"})
    assert retry_after_seconds(past, now=1_700_000_000.0) == 0.0
