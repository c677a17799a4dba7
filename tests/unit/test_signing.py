"""Request signing for Kraken Spot, Kraken Futures and bitFlyer.

Published vectors pin the pure ``sign`` functions. The end-to-end tests check
the auth objects against reference implementations written here straight from
the documented formulas, applied to the bytes the server actually receives.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from exchange_clients._secrets import Secret, decode_b64_secret
from exchange_clients.bitflyer._auth import BitflyerAuth
from exchange_clients.bitflyer._auth import sign as bitflyer_sign
from exchange_clients.kraken_futures._auth import KrakenFuturesAuth, endpoint_path
from exchange_clients.kraken_futures._auth import sign as futures_sign
from exchange_clients.kraken_spot._auth import KrakenSpotAuth
from exchange_clients.kraken_spot._auth import sign as spot_sign

Handler = Callable[[httpx.Request], None]

# kraken.md §1.5 (S-1, S-2 and the computed JSON values share this secret and nonce).
SPOT_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
SPOT_NONCE = "1616492376594"
S1_BODY = b"nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
S1_SIGN = "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
S2_PATH = "/0/private/GetCustodyTask?id=TGWOJ4JQPOTZT2"
S2_SIGN = "2rM09q8HG7LvjivBitQUybwZ/DSeO8+i0U/at/wclH2Jma6gMaE/0Nw9dyLR+ykMd5eWCngSL4K58i6uJzXDCw=="
S2_FORM_PAYLOAD_SIGN = "2ZC5iGTjrWLCzekqY5obpHf3HDHI4cbFjBIjQobb9BuX/2eYMYce3PXI+QmmbBlxwlwNWK25XTQGgmFX5S7NDw=="
ADD_ORDER_COMPACT_JSON = (
    b'{"nonce":"1616492376594","ordertype":"limit","pair":"XBTUSD","price":"37500","type":"buy","volume":"1.25"}'
)
ADD_ORDER_COMPACT_JSON_SIGN = "r/o+GpKxXjV/mls/r5CKLu5R+yzK5psqvQ4hXxMX1nzdxTBhV+ui82QGgPZMMitpFwCOAdPEZMmXgZxD2chJEg=="
PKS_SECRET = "cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ=="

# kraken.md §2.6. The docs print the F-A secret with 87 characters; F-A pads it.
FA_SECRET_AS_PRINTED = "rttp4AzwRfYEdQ7R7X8Z/04Y4TZPa97pqCypi3xXxAqftygftnI6H9yGV+OcUOOJeFtZkr8mVwbAndU3Kz4Q+eG"
FA_SECRET = FA_SECRET_AS_PRINTED + "="
FA_WITH_NONCE = "DqUyz8Wh/72af7dimSXHw91IFxrAriTgVodyg2s67PU2mVStwLDQak+uIoCtfb43XONq0xVAp+vm5dqnhFAB1Q=="
FA_WITHOUT_NONCE = "BGOdiF//YXbOtKUkyFFRqKAft7gai33YfScxFrXMdMHGUJ6wSaMA6y0p6UzfYzj5Flgvv+SFQe53h2KrEe37Ng=="
FB_AUTHENT = "Txi+gJVXe3EN1brXYQ46FuV6UVtEVSKhc6dYMhPb7a/HXZLGvO6m9UUg+KVKqhLxrbllOPI7qRkHYmPfJZZSGA=="
FC_SECRET = "DuWQ3317vPm8tlOoylWmhfQJwGkKiR+ABuNNocaPxU2DA5H9aZAKkGO0sYBSGKirtdlkm8dL9DAp6husEABgWyOr"
FC_NONCE = "1629361663947"
FC_ENCODED = "orderType=lmt&symbol=PI_XBTUSD&side=buy&size=1&limitPrice=44587.5&cliOrdId=123%2B%2F%3D&reduceOnly=false"
FC_ENCODED_AUTHENT = "YU08zbwSTBmsVOSQQh8EPPW6eAZUmqgpRy6t5EmO2j/5aEyX3LTw1G2H+CP0dqUWOhLIFoQAXuZQcK5vU/B/qQ=="
FC_DECODED_AUTHENT = "gq6mJGJJ/E1+Sv5fYBVMsDZYPPv2rfyCaPnwd4WYmz1uao2Mqix+NRd2mvSl4kSX6/nHrLxhSr4txnVVaXEb/Q=="

API_KEY = "PUBKEY-4f1c9e2a7b3d8e6f0a5c"
BITFLYER_SECRET = "Qz7vT2mK9pW4xL8nR3"
SPOT_URL = "https://api.kraken.com/0/private/AddOrder"
FUTURES_HOST = "https://futures.kraken.com"
BITFLYER_HOST = "https://api.bitflyer.com"


# --- reference implementations, written from the documented formulas -----------------------


def _reference_spot_sign(secret_b64: str, uri_path: str, nonce: str, body: bytes) -> str:
    inner = hashlib.sha256(nonce.encode() + body).digest()
    mac = hmac.new(base64.b64decode(secret_b64), uri_path.encode() + inner, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def _reference_futures_sign(secret_b64: str, post_data: bytes, nonce: str, path: str) -> str:
    digest = hashlib.sha256(post_data + nonce.encode() + path.encode()).digest()
    mac = hmac.new(base64.b64decode(secret_b64), digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def _reference_bitflyer_sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    prehash = (timestamp + method + path).encode() + body
    return hmac.new(secret.encode(), prehash, hashlib.sha256).hexdigest()


# --- helpers -------------------------------------------------------------------------------


def _received_nonce(request: httpx.Request) -> str:
    if request.headers["Content-Type"].startswith("application/json"):
        return str(json.loads(request.content)["nonce"])
    return parse_qs(request.content.decode())["nonce"][0]


def _assert_spot_signed(request: httpx.Request) -> None:
    assert int(request.headers["Content-Length"]) == len(request.content)
    assert request.headers["API-Key"] == API_KEY
    uri_path = request.url.raw_path.decode()
    expected = _reference_spot_sign(SPOT_SECRET, uri_path, _received_nonce(request), request.content)
    assert request.headers["API-Sign"] == expected


def _assert_futures_signed_with(secret_b64: str) -> Handler:
    def verify(request: httpx.Request) -> None:
        post_data = request.content or request.url.query
        path = request.url.path.removeprefix("/derivatives")
        expected = _reference_futures_sign(secret_b64, post_data, request.headers["Nonce"], path)
        assert request.headers["APIKey"] == API_KEY
        assert request.headers["Authent"] == expected

    return verify


_assert_futures_signed = _assert_futures_signed_with(FA_SECRET)


def _assert_bitflyer_signed(request: httpx.Request) -> None:
    expected = _reference_bitflyer_sign(
        BITFLYER_SECRET,
        request.headers["ACCESS-TIMESTAMP"],
        request.method,
        request.url.raw_path.decode(),
        request.content,
    )
    assert request.headers["ACCESS-KEY"] == API_KEY
    assert request.headers["ACCESS-SIGN"] == expected


def _send(mode: str, auth: httpx.Auth, verify: Handler, method: str, url: str, **kwargs: Any) -> httpx.Request:
    """Send one request through a sync or async client; ``verify`` runs inside the handler."""
    received: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        verify(request)
        received.append(request)
        return httpx.Response(200, json={"error": []})

    transport = httpx.MockTransport(handler)
    if mode == "sync":
        with httpx.Client(transport=transport, auth=auth) as client:
            client.request(method, url, **kwargs)
    else:

        async def send_async() -> None:
            async with httpx.AsyncClient(transport=transport, auth=auth) as client:
                await client.request(method, url, **kwargs)

        asyncio.run(send_async())
    return received[0]


def _fixed_nonce(value: str) -> Callable[[], int]:
    return lambda: int(value)


def _windows(text: str, width: int = 6) -> Iterator[str]:
    return (text[start : start + width] for start in range(len(text) - width + 1))


# --- published and computed vectors --------------------------------------------------------


def test_spot_sign_matches_official_form_vector_s1() -> None:
    assert spot_sign(SPOT_SECRET, "/0/private/AddOrder", SPOT_NONCE, S1_BODY) == S1_SIGN


def test_spot_sign_matches_official_json_vector_s2_with_query_in_path() -> None:
    body = b'{"nonce":1616492376594}'

    assert spot_sign(SPOT_SECRET, S2_PATH, SPOT_NONCE, body) == S2_SIGN


def test_spot_sign_of_s2_form_payload_differs_from_the_published_value() -> None:
    signature = spot_sign(SPOT_SECRET, S2_PATH, SPOT_NONCE, b"nonce=1616492376594")

    assert signature == S2_FORM_PAYLOAD_SIGN
    assert signature != S2_SIGN


@pytest.mark.parametrize(
    ("uri_path", "body", "expected"),
    [
        ("/0/private/AddOrder", ADD_ORDER_COMPACT_JSON, ADD_ORDER_COMPACT_JSON_SIGN),
        (
            "/0/private/AddOrder",
            (
                b'{"nonce": "1616492376594", "ordertype": "limit", "pair": "XBTUSD", '
                b'"price": "37500", "type": "buy", "volume": "1.25"}'
            ),
            "xpaEX6OcQ6HSAlpZQybyOfLGI4OeIxsMlrIkp+lsDFklwLDkE9m3+msq9MH2e3JTCc9Npg+/trh/iZirI1oSHQ==",
        ),
        (
            "/0/private/CancelOrderBatch",
            b'{"nonce":"1616492376594","orders":["OG5IL4-6AR7I-ZAPZEZ","OAUHYR-YCVK6-P22G6P"]}',
            "EppnQ3mOYbzD3nV/NjZjY7yD7R5utVtw1nV9fXvmsY/0dAE7xmPhrXPoNtitJ0Xe0fzxceh3FqBS74f/1KzciA==",
        ),
        (
            "/0/private/CancelOrderBatch",
            b'{"orders": ["OG5IL4-6AR7I-ZAPZEZ", "OAUHYR-YCVK6-P22G6P"], "nonce": "1616492376594"}',
            "Eg2QIIKhNfH3t4OnymFRMaebmkrmeEl3iDNfZItxkSlIZ0iBNYzdqh/in+eHrTcIxq4ULvd5lajCo13oj5qU7g==",
        ),
    ],
    ids=["add-order-compact", "add-order-default-separators", "batch-ccxt", "batch-pks"],
)
def test_spot_sign_matches_computed_json_regression_values(uri_path: str, body: bytes, expected: str) -> None:
    assert spot_sign(SPOT_SECRET, uri_path, SPOT_NONCE, body) == expected


def test_spot_sign_matches_python_kraken_sdk_pinned_value() -> None:
    body = b"nonce=1616492376594&ordertype=limit&pair=XBTUSD"
    expected = "Fo+0Uhanvs3F1byZFCjVBMLsCcRE2xLQMDpoA3Q9hawoZ0ZL35AmbknAQBlOIs4baRx9UGhzQH+/CTl9qnyp1w=="

    assert spot_sign(PKS_SECRET, "/0/private/AddOrder", SPOT_NONCE, body) == expected


def test_spot_sign_accepts_the_secret_as_ascii_bytes() -> None:
    path = "/0/private/AddOrder"

    assert spot_sign(SPOT_SECRET.encode(), path, SPOT_NONCE, S1_BODY) == S1_SIGN


@pytest.mark.parametrize(
    ("nonce", "expected"),
    [("1415957147987", FA_WITH_NONCE), ("", FA_WITHOUT_NONCE)],
    ids=["with-nonce", "nonce-omitted"],
)
def test_futures_sign_matches_vector_fa(nonce: str, expected: str) -> None:
    path = endpoint_path("/derivatives/api/v3/orderbook")

    assert futures_sign(FA_SECRET, "symbol=fi_xbtusd_180615", nonce, path) == expected


def test_futures_sign_pads_the_87_character_secret_printed_in_the_docs() -> None:
    signature = futures_sign(FA_SECRET_AS_PRINTED, "symbol=fi_xbtusd_180615", "1415957147987", "/api/v3/orderbook")

    assert signature == FA_WITH_NONCE


def test_futures_sign_matches_python_kraken_sdk_vector_fb() -> None:
    path = endpoint_path("/derivatives/api/v3/sendorder")

    assert futures_sign(PKS_SECRET, "orderType=lmt&symbol=PI_XBTUSD", SPOT_NONCE, path) == FB_AUTHENT


def test_futures_sign_of_url_encoded_post_data_matches_vector_fc() -> None:
    signature = futures_sign(FC_SECRET, FC_ENCODED, FC_NONCE, "/api/v3/sendorder")

    assert signature == FC_ENCODED_AUTHENT


def test_futures_sign_of_decoded_post_data_does_not_match_vector_fc() -> None:
    decoded = FC_ENCODED.replace("123%2B%2F%3D", "123+/=")
    signature = futures_sign(FC_SECRET, decoded, FC_NONCE, "/api/v3/sendorder")

    assert signature == FC_DECODED_AUTHENT
    assert signature != FC_ENCODED_AUTHENT


@pytest.mark.parametrize(
    ("url_path", "expected"),
    [
        ("/derivatives/api/v3/sendorder", "/api/v3/sendorder"),
        ("/api/history/v2/orders", "/api/history/v2/orders"),
        ("/api/auth/v1/api-keys/v3/check", "/api/auth/v1/api-keys/v3/check"),
        ("/derivativesx/api/v3/sendorder", "/derivativesx/api/v3/sendorder"),
        ("/api/v3/derivatives/x", "/api/v3/derivatives/x"),
    ],
)
def test_endpoint_path_strips_only_a_leading_derivatives_segment(url_path: str, expected: str) -> None:
    assert endpoint_path(url_path) == expected


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/me/getchildorders?product_code=BTC_JPY&count=10", b""),
        (
            "POST",
            "/v1/me/sendchildorder",
            (b'{"product_code":"BTC_JPY","child_order_type":"LIMIT","side":"BUY","price":30000,"size":0.1}'),
        ),
    ],
    ids=["get-with-query", "post-with-json"],
)
def test_bitflyer_sign_is_hex_hmac_sha256_of_timestamp_method_path_body(method: str, path: str, body: bytes) -> None:
    prehash = b"1700000000" + method.encode() + path.encode() + body
    expected = hmac.new(BITFLYER_SECRET.encode(), prehash, hashlib.sha256).hexdigest()

    assert bitflyer_sign(BITFLYER_SECRET, "1700000000", method, path, body) == expected


# --- Kraken Spot auth end to end -----------------------------------------------------------

MODES = pytest.mark.parametrize("mode", ["sync", "async"])
# The order of vector S-1, as fields (the auth adds the nonce).
S1_FIELDS = {"ordertype": "limit", "pair": "XBTUSD", "price": "37500", "type": "buy", "volume": "1.25"}


@MODES
def test_spot_auth_puts_nonce_first_in_a_form_body_and_reproduces_s1(mode: str) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET, nonce=_fixed_nonce(SPOT_NONCE))

    received = _send(mode, auth, _assert_spot_signed, "POST", SPOT_URL, data=S1_FIELDS)

    assert received.content == S1_BODY
    assert received.headers["API-Sign"] == S1_SIGN


@MODES
def test_spot_auth_puts_a_string_nonce_first_in_a_json_body(mode: str) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET, nonce=_fixed_nonce(SPOT_NONCE))

    received = _send(mode, auth, _assert_spot_signed, "POST", SPOT_URL, json=S1_FIELDS)

    assert received.content == ADD_ORDER_COMPACT_JSON
    assert received.headers["API-Sign"] == ADD_ORDER_COMPACT_JSON_SIGN


@MODES
def test_spot_auth_replaces_the_callers_form_nonce_and_keeps_repeated_fields(mode: str) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET, nonce=_fixed_nonce("42"))
    form = {"pair": "XBTUSD", "nonce": "0", "tags": ["a", "b"], "price": "5%"}

    received = _send(mode, auth, _assert_spot_signed, "POST", SPOT_URL, data=form)

    assert received.content == b"nonce=42&pair=XBTUSD&tags=a&tags=b&price=5%25"


@MODES
def test_spot_auth_keeps_json_number_tokens_byte_identical(mode: str) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET, nonce=_fixed_nonce("42"))
    body = b'{ "pair" : "XBTUSD", "nonce": 0, "price": 37500.10, "volume": 1.250E0, "x": {"a": [1.0]} }\n'

    received = _send(
        mode,
        auth,
        _assert_spot_signed,
        "POST",
        SPOT_URL,
        content=body,
        headers={"Content-Type": "application/json"},
    )

    expected = b'{"nonce":"42","pair":"XBTUSD","price":37500.10,"volume":1.250E0,"x":{"a": [1.0]}}'
    assert received.content == expected


@MODES
def test_spot_auth_signs_the_query_string_as_part_of_the_path(mode: str) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET, nonce=_fixed_nonce(SPOT_NONCE))
    url = "https://api.kraken.com" + S2_PATH

    received = _send(mode, auth, _assert_spot_signed, "POST", url, json={})

    assert received.content == b'{"nonce":"1616492376594"}'
    assert received.url.raw_path == S2_PATH.encode()


@MODES
def test_spot_auth_turns_an_empty_body_into_a_form_with_the_nonce(mode: str) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET, nonce=_fixed_nonce("42"))

    received = _send(mode, auth, _assert_spot_signed, "POST", SPOT_URL)

    assert received.content == b"nonce=42"
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"


@MODES
@pytest.mark.parametrize("otp", ["123456", lambda: "123456"], ids=["static", "callable"])
def test_spot_auth_adds_the_otp_after_the_nonce(mode: str, otp: str | Callable[[], str]) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET, otp=otp, nonce=_fixed_nonce("42"))

    form = _send(mode, auth, _assert_spot_signed, "POST", SPOT_URL, data={"otp": "stale", "pair": "X"})
    body = _send(mode, auth, _assert_spot_signed, "POST", SPOT_URL, json={"pair": "X"})

    assert form.content == b"nonce=42&otp=123456&pair=X"
    assert body.content == b'{"nonce":"42","otp":"123456","pair":"X"}'


@MODES
def test_spot_auth_keeps_the_per_request_timeout_on_the_rebuilt_request(mode: str) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET)

    received = _send(mode, auth, _assert_spot_signed, "POST", SPOT_URL, data={}, timeout=7.5)

    timeout = received.extensions["timeout"]
    assert timeout == {"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}


def test_spot_auth_draws_a_fresh_increasing_nonce_for_every_request() -> None:
    auth = KrakenSpotAuth("fresh-nonce-key", SPOT_SECRET)
    nonces: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        nonces.append(int(parse_qs(request.content.decode())["nonce"][0]))
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        for _ in range(3):
            client.post(SPOT_URL, data={"pair": "XBTUSD"})

    assert nonces[0] < nonces[1] < nonces[2]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": b"hello", "headers": {"Content-Type": "text/plain"}},
        {"content": b"pair=XBTUSD"},
        {"content": b"[1, 2]", "headers": {"Content-Type": "application/json"}},
    ],
    ids=["text-plain", "untyped-body", "json-array"],
)
def test_spot_auth_refuses_a_body_it_cannot_add_a_nonce_to(kwargs: dict[str, Any]) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET)

    transport = httpx.MockTransport(lambda _: httpx.Response(200))

    with httpx.Client(transport=transport, auth=auth) as client, pytest.raises(ValueError, match="KrakenSpotAuth"):
        client.post(SPOT_URL, **kwargs)


class _EchoHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        echo = {
            "path": self.path,
            "body": body.decode(),
            "content_length": self.headers["Content-Length"],
            "api_sign": self.headers["API-Sign"],
        }
        payload = json.dumps(echo).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    "kwargs",
    [{"data": {"nonce": "0", "pair": "XBTUSD"}}, {"json": {"pair": "XBTUSD", "price": 1.5}}],
    ids=["form", "json"],
)
def test_spot_auth_wire_bytes_on_a_real_socket_equal_the_signed_bytes(echo_server: str, kwargs: dict[str, Any]) -> None:
    auth = KrakenSpotAuth(API_KEY, SPOT_SECRET)

    with httpx.Client(auth=auth, trust_env=False) as client:
        echo = client.post(f"{echo_server}/0/private/AddOrder?probe=1", **kwargs).json()

    body = echo["body"].encode()
    nonce = parse_qs(echo["body"])["nonce"][0] if "data" in kwargs else json.loads(body)["nonce"]
    assert int(echo["content_length"]) == len(body)
    assert echo["path"] == "/0/private/AddOrder?probe=1"
    assert echo["api_sign"] == _reference_spot_sign(SPOT_SECRET, echo["path"], nonce, body)


# --- Kraken Futures auth end to end --------------------------------------------------------


@MODES
def test_futures_auth_signs_the_form_body_and_reproduces_fb(mode: str) -> None:
    auth = KrakenFuturesAuth(API_KEY, PKS_SECRET, nonce=_fixed_nonce(SPOT_NONCE))
    url = f"{FUTURES_HOST}/derivatives/api/v3/sendorder"

    form = {"orderType": "lmt", "symbol": "PI_XBTUSD"}

    received = _send(mode, auth, _assert_futures_signed_with(PKS_SECRET), "POST", url, data=form)

    assert received.content == b"orderType=lmt&symbol=PI_XBTUSD"
    assert received.headers["Nonce"] == SPOT_NONCE
    assert received.headers["Authent"] == FB_AUTHENT


@MODES
@pytest.mark.parametrize(
    "path_and_query",
    [
        "/derivatives/api/v3/fills?lastFillTime=2020-07-21T12%3A41%3A52.790Z",
        "/derivatives/api/v3/orderbook?symbol=fi_xbtusd_180615",
        "/api/history/v2/orders?sort=asc",
    ],
    ids=["fills", "orderbook", "history"],
)
def test_futures_auth_signs_the_raw_query_when_there_is_no_body(mode: str, path_and_query: str) -> None:
    auth = KrakenFuturesAuth(API_KEY, FA_SECRET)

    received = _send(mode, auth, _assert_futures_signed, "GET", FUTURES_HOST + path_and_query)

    assert received.content == b""
    assert received.url.raw_path == path_and_query.encode()


def test_futures_auth_reproduces_fa_for_the_documented_orderbook_request() -> None:
    auth = KrakenFuturesAuth(API_KEY, FA_SECRET_AS_PRINTED, nonce=_fixed_nonce("1415957147987"))
    url = f"{FUTURES_HOST}/derivatives/api/v3/orderbook?symbol=fi_xbtusd_180615"

    received = _send("sync", auth, _assert_futures_signed, "GET", url)

    assert received.headers["Authent"] == FA_WITH_NONCE


@MODES
def test_futures_auth_sends_the_url_encoded_body_it_signs(mode: str) -> None:
    auth = KrakenFuturesAuth(API_KEY, FA_SECRET)
    url = f"{FUTURES_HOST}/derivatives/api/v3/sendorder"

    received = _send(mode, auth, _assert_futures_signed, "POST", url, data={"cliOrdId": "123+/="})

    assert received.content == b"cliOrdId=123%2B%2F%3D"


# --- bitFlyer auth end to end --------------------------------------------------------------


@MODES
def test_bitflyer_auth_signs_a_get_with_query_using_whole_seconds(mode: str) -> None:
    auth = BitflyerAuth(API_KEY, BITFLYER_SECRET, clock=lambda: 1_700_000_000.987)
    path = "/v1/me/getchildorders?product_code=BTC_JPY&count=10"

    received = _send(mode, auth, _assert_bitflyer_signed, "GET", BITFLYER_HOST + path)

    assert received.headers["ACCESS-TIMESTAMP"] == "1700000000"
    assert received.headers["ACCESS-SIGN"] == _reference_bitflyer_sign(BITFLYER_SECRET, "1700000000", "GET", path, b"")


@MODES
def test_bitflyer_auth_signs_a_post_json_body_exactly_as_sent(mode: str) -> None:
    auth = BitflyerAuth(API_KEY, BITFLYER_SECRET, clock=lambda: 1_700_000_000.0)
    order = {"product_code": "BTC_JPY", "child_order_type": "LIMIT", "side": "BUY", "price": 30000}

    url = f"{BITFLYER_HOST}/v1/me/sendchildorder"

    received = _send(mode, auth, _assert_bitflyer_signed, "POST", url, json=order)

    assert json.loads(received.content) == order
    assert received.headers["ACCESS-SIGN"] == _reference_bitflyer_sign(
        BITFLYER_SECRET, "1700000000", "POST", "/v1/me/sendchildorder", received.content
    )


# --- secrets never leak --------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [
        KrakenSpotAuth(API_KEY, SPOT_SECRET, otp="918273"),
        KrakenFuturesAuth(API_KEY, SPOT_SECRET),
        BitflyerAuth(API_KEY, BITFLYER_SECRET),
    ],
    ids=["spot", "futures", "bitflyer"],
)
def test_auth_repr_shows_no_part_of_the_key_or_secret(auth: httpx.Auth) -> None:
    shown = repr(auth) + str(auth)
    credentials = [API_KEY, SPOT_SECRET, BITFLYER_SECRET, "918273"]

    assert not [piece for text in credentials for piece in _windows(text) if piece in shown]


def test_secret_hides_its_value_until_revealed() -> None:
    secret = Secret("hunter2-value")

    assert repr(secret) == str(secret) == "***"
    assert f"{secret}" == "***"
    assert secret.reveal() == "hunter2-value"


def test_decode_b64_secret_pads_a_secret_missing_its_equals_sign() -> None:
    assert decode_b64_secret(FA_SECRET_AS_PRINTED, "Kraken Futures") == base64.b64decode(FA_SECRET)


@pytest.mark.parametrize(
    "bad_secret",
    ["not*base64*at*all!", "urlsafe-alphabet_is_not_standard", "Zm9vY"],
)
def test_invalid_base64_secret_raises_value_error_without_the_secret(bad_secret: str) -> None:
    with pytest.raises(ValueError, match="Kraken Spot") as caught:
        decode_b64_secret(bad_secret, "Kraken Spot")

    assert bad_secret not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.mark.parametrize("auth_class", [KrakenSpotAuth, KrakenFuturesAuth])
def test_kraken_auth_rejects_an_invalid_secret_at_construction_without_echoing_it(
    auth_class: type[KrakenSpotAuth | KrakenFuturesAuth],
) -> None:
    bad_secret = "definitely*not*base64"

    with pytest.raises(ValueError, match="secret") as caught:
        auth_class(API_KEY, bad_secret)

    assert bad_secret not in str(caught.value)
