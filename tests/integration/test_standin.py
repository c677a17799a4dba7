"""The local venue stand-in (tests/standin), exercised with plain httpx and the overlay's auth classes.

Covers: documented answers, signed private calls, each venue's auth/nonce/argument
errors, every scripted scenario by both selection mechanisms, and one minimal
valid request for every operation of the three final documents, whose answer
must validate against the documented schema.
"""

from __future__ import annotations

import io
import json
import re
import ssl
import sys
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from codegen import spec_operations
from exchange_clients.bitflyer._auth import BitflyerAuth
from exchange_clients.kraken_futures._auth import KrakenFuturesAuth
from exchange_clients.kraken_futures._auth import sign as futures_sign
from exchange_clients.kraken_spot._auth import KrakenSpotAuth

# tests/standin is a plain directory package; pyproject's pythonpath does not list tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import standin
from exchange_clients._json import dumps_exact
from standin import keys
from standin.answers import build_answer, documented_candidates
from standin.reality import LEARNED, learned
from standin.requests import minimal_request

TIMEOUT = httpx.Timeout(5.0)
# Every URL here is plain HTTP on loopback; one shared context spares each new client
# the ~20 ms httpx spends loading the CA bundle.
TLS = ssl.create_default_context()

# Upstream examples that do not validate against their own (upstream) schema. The stand-in
# skips each one for the next candidate; this list must match exactly, so a fix upstream or
# a new breakage shows up here. Key: (venue, operationId, candidate source).
# Upstream examples that do not validate against their own schema, with the reason. Empty: every such
# defect so far is repaired by a named fix in specs/fixes/ (see git log for the ones this list drove).
KNOWN_INVALID_EXAMPLES: dict[tuple[str, str, str], str] = {}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def venues() -> Iterator[standin.StandIn]:
    with standin.StandIn() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(venues: standin.StandIn) -> Iterator[None]:
    venues.reset()
    yield
    assert venues.errors == []


def spot_auth(secret: str = keys.FAKE_SPOT_API_SECRET, nonce: Callable[[], int] | None = None) -> KrakenSpotAuth:
    return KrakenSpotAuth(keys.FAKE_SPOT_API_KEY, secret, nonce=nonce)


def futures_auth(secret: str = keys.FAKE_FUTURES_API_SECRET, nonce: Callable[[], int] | None = None) -> httpx.Auth:
    return KrakenFuturesAuth(keys.FAKE_FUTURES_API_KEY, secret, nonce=nonce)


def bitflyer_auth(secret: str = keys.FAKE_BITFLYER_API_SECRET, clock: Callable[[], float] | None = None) -> httpx.Auth:
    return BitflyerAuth(keys.FAKE_BITFLYER_API_KEY, secret, clock=clock)


def auth_for(venue: str) -> httpx.Auth:
    return {"spot": spot_auth, "futures": futures_auth, "bitflyer": bitflyer_auth}[venue]()


def client(venues: standin.StandIn, venue: str, auth: httpx.Auth | None = None) -> httpx.Client:
    return httpx.Client(base_url=venues.url(venue), auth=auth, timeout=TIMEOUT, verify=TLS)  # type: ignore[arg-type]


def counter(start: int) -> Callable[[], int]:
    state = [start]

    def next_nonce() -> int:
        state[0] += 1
        return state[0]

    return next_nonce


# Another well-formed 64-byte base64 secret: signs fine, but not with the stand-in's key.
WRONG_KRAKEN_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="


# --- schema validation, independent of the stand-in's own helper ------------------------------


def as_documented(op: standin.Operation, body: bytes) -> Any:
    """The documented answer behind ``body``: where ``standin/reality.py`` made the answer what real answers are
    (fields left out, numbers as strings), ``body`` must be exactly that edit of the documented answer, which the
    schema then judges (a JSON Schema cannot say "a string, sometimes sent as a number")."""
    value = json.loads(body)
    if (op.venue, op.operation_id) not in LEARNED:
        return value
    documented = build_answer(standin.load_spec(op.venue), op).value  # type: ignore[arg-type]
    assert value == json.loads(dumps_exact(learned(op.venue, op.operation_id, documented)[0]))
    return documented


def schema_errors(venue: str, pointer: str, instance: Any) -> list[str]:
    """Validate against the schema at ``pointer`` in the venue's document (OAS30 or OAS31 validator)."""
    document = standin.load_spec(venue).document  # type: ignore[arg-type]
    oas31 = str(document["openapi"]).startswith("3.1")
    uri = f"urn:standin-test:{venue}"
    specification = DRAFT202012 if oas31 else DRAFT4
    registry: Registry[Any] = Registry().with_resource(uri, specification.create_resource(document))
    cls: Any = OAS31Validator if oas31 else OAS30Validator
    checker = oas31_format_checker if oas31 else oas30_format_checker
    validator = cls({"$ref": f"{uri}#{pointer}"}, registry=registry, format_checker=checker)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(instance)]


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Expected:
    status: int
    media_type: str | None  # None: the operation declares no content
    pointer: str | None  # JSON pointer of the response schema, for JSON answers


def expected_success(op: standin.Operation) -> Expected:
    spec = standin.load_spec(op.venue)
    code = "200" if "200" in op.responses else min(code for code in op.responses if str(code).startswith("2"))
    raw = op.responses[code]
    inline = f"/paths/{escape(op.spec_path)}/{op.method.lower()}/responses/{code}"
    base = raw["$ref"][1:] if "$ref" in raw else inline
    content = spec.resolve(raw).get("content") or {}
    if not content:
        return Expected(int(code), None, None)
    media_type = next((name for name in content if "json" in name), next(iter(content)))
    pointer = f"{base}/content/{escape(media_type)}/schema" if "json" in media_type else None
    return Expected(int(code), media_type, pointer)


# --- building a minimal valid request from the document: standin.requests ------------------------


def send(venues: standin.StandIn, op: standin.Operation, headers: Mapping[str, str] | None = None) -> httpx.Response:
    built = minimal_request(op)
    auth = auth_for(op.venue) if op.private else None
    with client(venues, op.venue, auth) as http:
        merged = {**built.headers, **(headers or {})}
        return http.request(built.method, built.path, params=built.params, content=built.content, headers=merged)


def operation(venue: str, operation_id: str) -> standin.Operation:
    return standin.route_table(venue).by_id(operation_id)  # type: ignore[arg-type]


ALL_OPERATIONS = [
    pytest.param(venue, op.operation_id, id=f"{venue}-{op.method}-{op.route}")
    for venue in standin.VENUES
    for op in standin.route_table(venue).operations
]


# --- documented answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("venue", "path", "operation_id"),
    [
        ("spot", "/public/Time", "getServerTime"),
        ("futures", "/derivatives/api/v3/tickers", "getTickers"),
        ("bitflyer", "/v1/getticker", "getTicker"),
    ],
)
def test_public_get_answers_the_documented_example(
    venues: standin.StandIn, venue: str, path: str, operation_id: str
) -> None:
    op = operation(venue, operation_id)
    documented = [value for _, value in documented_candidates(standin.load_spec(venue), _json_media(op))]
    with client(venues, venue) as http:
        response = http.get(path)
    assert response.status_code == 200
    assert response.headers["Connection"] == "keep-alive"
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert as_documented(op, response.content) == documented[0]


def _json_media(op: standin.Operation) -> Mapping[str, Any]:
    spec = standin.load_spec(op.venue)
    return spec.resolve(op.responses["200"])["content"]["application/json"]


def test_urls_carry_production_paths(venues: standin.StandIn) -> None:
    assert venues.spot_url.startswith("http://127.0.0.1:")
    assert venues.spot_url.endswith("/0")
    assert venues.futures_url.count("/") == 2
    assert venues.bitflyer_url.count("/") == 2
    assert len({venues.spot_url.split("/")[2], venues.futures_url, venues.bitflyer_url}) == 3


# --- signed private calls ----------------------------------------------------------------------


def test_spot_private_balance_signed(venues: standin.StandIn) -> None:
    with client(venues, "spot", spot_auth()) as http:
        response = http.post("/private/Balance", json={})
    assert response.status_code == 200
    assert response.json()["error"] == []
    assert "ZUSD" in response.json()["result"]
    received = venues.requests[-1]
    assert received.path == "/0/private/Balance"
    assert received.headers["API-Sign"] == "<redacted>"
    assert json.loads(received.body)["nonce"]


def test_spot_private_accepts_a_form_body(venues: standin.StandIn) -> None:
    with client(venues, "spot", spot_auth()) as http:
        response = http.post("/private/Balance", data={"asset": "XBT"})
    assert response.json()["error"] == []
    assert venues.requests[-1].headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_futures_private_openpositions_signed(venues: standin.StandIn) -> None:
    with client(venues, "futures", futures_auth()) as http:
        response = http.get("/derivatives/api/v3/openpositions")
    assert response.status_code == 200
    assert response.json()["result"] == "success"


def test_futures_signs_query_as_post_data(venues: standin.StandIn) -> None:
    with client(venues, "futures", futures_auth()) as http:
        response = http.get("/derivatives/api/v3/fills", params={"lastFillTime": "2020-07-21T12:41:52.790Z"})
        history = http.get("/api/history/v3/account-log", params={"count": 5})
    assert response.json()["result"] == "success"
    assert history.status_code == 200


def test_bitflyer_private_calls_signed(venues: standin.StandIn) -> None:
    with client(venues, "bitflyer", bitflyer_auth()) as http:
        balance = http.get("/v1/me/getbalance")
        cancel = http.post("/v1/me/cancelchildorder", json={"product_code": "BTC_JPY", "child_order_id": "JOR1"})
        orders = http.get("/v1/me/getchildorders", params={"product_code": "BTC_JPY", "count": 1})
    assert balance.status_code == 200
    assert isinstance(balance.json(), list)
    assert cancel.status_code == 200
    assert cancel.content == b""
    assert cancel.headers["Content-Length"] == "0"
    assert orders.status_code == 200


def test_one_connection_serves_many_requests(venues: standin.StandIn) -> None:
    with client(venues, "spot") as http:
        for _ in range(20):
            assert http.get("/public/Time").status_code == 200
    assert len(venues.requests) == 20


# --- authentication failures -------------------------------------------------------------------


def test_spot_wrong_secret_is_an_invalid_signature(venues: standin.StandIn) -> None:
    with client(venues, "spot", spot_auth(WRONG_KRAKEN_SECRET)) as http:
        response = http.post("/private/Balance", json={})
    assert response.status_code == 200
    assert response.json() == {"error": ["EAPI:Invalid signature"]}


def test_spot_wrong_key(venues: standin.StandIn) -> None:
    auth = KrakenSpotAuth("not-the-test-key", keys.FAKE_SPOT_API_SECRET)
    with client(venues, "spot", auth) as http:
        response = http.post("/private/Balance", json={})
    assert response.json() == {"error": ["EAPI:Invalid key"]}


def test_spot_replayed_or_lower_nonce_is_rejected(venues: standin.StandIn) -> None:
    with client(venues, "spot", spot_auth(nonce=lambda: 5_000)) as http:
        assert http.post("/private/Balance", json={}).json()["error"] == []
        replay = http.post("/private/Balance", json={})
    with client(venues, "spot", spot_auth(nonce=lambda: 4_000)) as http:
        lower = http.post("/private/Balance", json={})
    assert replay.json() == {"error": ["EAPI:Invalid nonce"]}
    assert lower.json() == {"error": ["EAPI:Invalid nonce"]}


def test_spot_missing_nonce(venues: standin.StandIn) -> None:
    with client(venues, "spot") as http:
        response = http.post("/private/Balance", json={}, headers={"API-Key": keys.FAKE_SPOT_API_KEY})
    assert response.json() == {"error": ["EAPI:Invalid nonce"]}


def test_reset_forgets_nonces(venues: standin.StandIn) -> None:
    with client(venues, "spot", spot_auth(nonce=lambda: 7)) as http:
        assert http.post("/private/Balance", json={}).json()["error"] == []
        venues.reset()
        assert http.post("/private/Balance", json={}).json()["error"] == []
    assert len(venues.requests) == 1


def test_futures_wrong_secret_and_key(venues: standin.StandIn) -> None:
    with client(venues, "futures", futures_auth(WRONG_KRAKEN_SECRET)) as http:
        wrong_secret = http.get("/derivatives/api/v3/openpositions")
        history = http.get("/api/history/v3/account-log")
    with client(venues, "futures", KrakenFuturesAuth("other-key", keys.FAKE_FUTURES_API_SECRET)) as http:
        wrong_key = http.get("/derivatives/api/v3/openpositions")
    for response in (wrong_secret, wrong_key):
        assert response.status_code == 200
        assert response.json()["result"] == "error"
        assert response.json()["error"] == "authenticationError"
        assert response.json()["serverTime"].endswith("Z")
    # History has no envelope: a real 401.
    assert history.status_code == 401
    assert history.json()["error"] == "authenticationError"


def test_futures_nonce_must_increase(venues: standin.StandIn) -> None:
    with client(venues, "futures", futures_auth(nonce=lambda: 900)) as http:
        assert http.get("/derivatives/api/v3/openpositions").json()["result"] == "success"
        replay = http.get("/derivatives/api/v3/openpositions")
    assert replay.json()["error"] == "nonceBelowThreshold"


def test_futures_nonce_is_optional(venues: standin.StandIn) -> None:
    """Without a Nonce header the signature covers postData + "" + endpointPath (kraken.md §2.1)."""
    authent = futures_sign(keys.FAKE_FUTURES_API_SECRET, "", "", "/api/v3/openpositions")
    headers = {"APIKey": keys.FAKE_FUTURES_API_KEY, "Authent": authent}
    with client(venues, "futures") as http:
        response = http.get("/derivatives/api/v3/openpositions", headers=headers)
    assert response.json()["result"] == "success"
    assert "Nonce" not in venues.requests[-1].headers


def test_bitflyer_wrong_secret_key_and_stale_timestamp(venues: standin.StandIn) -> None:
    attempts = {
        "secret": bitflyer_auth("not-the-secret"),
        "key": BitflyerAuth("other-key", keys.FAKE_BITFLYER_API_SECRET),
        "stale": bitflyer_auth(clock=lambda: time.time() - 1_000),
    }
    for auth in attempts.values():
        with client(venues, "bitflyer", auth) as http:
            response = http.get("/v1/me/getbalance")
        assert response.status_code == 401
        assert response.json() == {"status": -500, "error_message": "Invalid signature", "data": None}
    with client(venues, "bitflyer") as http:
        unsigned = http.get("/v1/me/getbalance")
    assert unsigned.status_code == 401
    assert unsigned.json()["error_message"] == "ACCESS-KEY header is required"


# --- missing arguments and unknown routes ------------------------------------------------------


def test_missing_required_parameters_get_each_venues_shape(venues: standin.StandIn) -> None:
    with client(venues, "spot") as http:
        spot_public = http.get("/public/OHLC")
    with client(venues, "spot", spot_auth()) as http:
        spot_private = http.post("/private/AddOrder", json={"pair": "XBTUSD"})
    with client(venues, "futures") as http:
        futures = http.get("/derivatives/api/v3/orderbook")
    with client(venues, "bitflyer", bitflyer_auth()) as http:
        bitflyer_query = http.get("/v1/me/gettradingcommission")
        bitflyer_body = http.post("/v1/me/sendchildorder", json={"product_code": "BTC_JPY"})
    with client(venues, "bitflyer") as http:
        bitflyer_public = http.get("/v1/getfundingrate")

    assert spot_public.json() == {"error": ["EGeneral:Invalid arguments:pair"]}
    assert spot_private.json() == {"error": ["EGeneral:Invalid arguments:type"]}
    assert futures.status_code == 200
    assert futures.json()["error"] == "requiredArgumentMissing"
    for response, path in ((bitflyer_query, "/v1/me/gettradingcommission"), (bitflyer_public, "/v1/getfundingrate")):
        assert response.status_code == 404
        assert response.json()["Message"].startswith("No HTTP resource was found that matches the request URI '")
        assert path in response.json()["Message"]
    assert bitflyer_body.status_code == 400
    assert bitflyer_body.json() == {
        "status": -100,
        "error_message": "Invalid parameter: child_order_type is required.",
        "data": None,
    }


def test_unknown_routes(venues: standin.StandIn) -> None:
    with client(venues, "spot") as http:
        spot = http.get("/public/Nope")
    with client(venues, "futures") as http:
        futures = http.get("/derivatives/api/v3/nope")
    with client(venues, "bitflyer") as http:
        bitflyer = http.get("/v1/getindex")
    assert (spot.status_code, spot.json()) == (404, {"error": ["EGeneral:Unknown method"]})
    assert futures.status_code == 404
    assert futures.json()["error"] == "notFound"
    assert bitflyer.status_code == 404
    assert bitflyer.headers["Content-Type"].startswith("text/html")
    assert venues.requests[-1].operation_id is None


# --- scenarios ---------------------------------------------------------------------------------

DEFAULT_OPERATION = {"spot": "getAccountBalance", "futures": "getOpenPositions", "bitflyer": "getBalance"}
SCENARIO_OPERATION = {
    "futures_send_rejected": "sendOrder",
    "futures_cancel_not_found": "cancelOrder",
    "bitflyer_2fa": "withdraw",
    "bitflyer_order_error": "sendChildOrder",
    "spot_insufficient_funds": "addOrder",
}


def _spot_error(message: str) -> Callable[[httpx.Response, standin.Operation], None]:
    def check(response: httpx.Response, op: standin.Operation) -> None:
        assert response.status_code == 200
        assert response.json() == {"error": [message]}

    return check


def _spot_warning(response: httpx.Response, op: standin.Operation) -> None:
    body = response.json()
    assert response.status_code == 200
    assert len(body["error"]) == 1
    assert body["error"][0].startswith("W")
    assert body["result"] == standin.ANSWERS.answer(op).value["result"]


def _futures_status(field: str, status: str) -> Callable[[httpx.Response, standin.Operation], None]:
    def check(response: httpx.Response, op: standin.Operation) -> None:
        body = response.json()
        assert response.status_code == 200
        assert body["result"] == "success"
        assert body[field]["status"] == status
        expected = expected_success(op)
        assert expected.pointer is not None
        assert schema_errors(op.venue, expected.pointer, body) == []

    return check


def _futures_500(response: httpx.Response, op: standin.Operation) -> None:
    assert response.status_code == 500
    body = response.json()
    assert body["result"] == "error"
    assert body["errors"] == [{"code": 92, "message": "INSUFFICIENT_MARGIN"}]
    assert "serverTime" in body


def _futures_api_limit(response: httpx.Response, op: standin.Operation) -> None:
    assert response.status_code == 200
    assert response.json()["error"] == "apiLimitExceeded"
    assert response.json()["result"] == "error"


def _bitflyer(status: int, message: str) -> Callable[[httpx.Response, standin.Operation], None]:
    def check(response: httpx.Response, op: standin.Operation) -> None:
        assert response.status_code == 400
        assert response.json() == {"status": status, "error_message": message, "data": None}

    return check


def _html_502(response: httpx.Response, op: standin.Operation) -> None:
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>" in response.text
    assert "502" in response.text.split("<title>")[1].split("</title>")[0]


def _truncated(response: httpx.Response, op: standin.Operation) -> None:
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert standin.ANSWERS.answer(op).body.startswith(response.content)


def _empty(response: httpx.Response, op: standin.Operation) -> None:
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    assert response.headers["Content-Type"].startswith("application/json")


def _http_429(response: httpx.Response, op: standin.Operation) -> None:
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.content


SCENARIO_CHECKS: dict[str, Callable[[httpx.Response, standin.Operation], None]] = {
    "spot_invalid_nonce": _spot_error("EAPI:Invalid nonce"),
    "spot_invalid_key": _spot_error("EAPI:Invalid key"),
    "spot_rate_limit": _spot_error("EAPI:Rate limit exceeded"),
    "spot_insufficient_funds": _spot_error("EOrder:Insufficient funds"),
    "spot_warning": _spot_warning,
    "futures_send_rejected": _futures_status("sendStatus", "insufficientAvailableFunds"),
    "futures_cancel_not_found": _futures_status("cancelStatus", "notFound"),
    "futures_errors_500": _futures_500,
    "futures_api_limit": _futures_api_limit,
    "bitflyer_2fa": _bitflyer(-505, "Two-factor authentication code is incorrect."),
    "bitflyer_order_error": _bitflyer(-200, "Insufficient funds"),
    "html_502": _html_502,
    "truncated_json": _truncated,
    "empty_body": _empty,
    "http_429": _http_429,
}

SCENARIO_CASES = [
    pytest.param(name, venue, mechanism, id=f"{name}-{venue}-{mechanism}")
    for name, scenario in standin.SCENARIOS.items()
    for venue in sorted(scenario.venues)
    for mechanism in ("header", "fail_next")
]


def test_every_scenario_has_a_check() -> None:
    assert set(SCENARIO_CHECKS) == set(standin.SCENARIOS)


@pytest.mark.parametrize(("name", "venue", "mechanism"), SCENARIO_CASES)
def test_scenario(venues: standin.StandIn, name: str, venue: str, mechanism: str) -> None:
    op = operation(venue, SCENARIO_OPERATION.get(name, DEFAULT_OPERATION[venue]))
    if mechanism == "header":
        response = send(venues, op, {standin.SCENARIO_HEADER: name})
    else:
        venues.fail_next(venue, name)  # type: ignore[arg-type]
        response = send(venues, op)
    SCENARIO_CHECKS[name](response, op)
    assert venues.requests[-1].scenario == name
    # The scenario was used up: the next request gets the ordinary answer.
    follow_up = send(venues, op)
    assert follow_up.status_code == expected_success(op).status
    assert venues.requests[-1].scenario is None


def test_futures_history_429_is_plain_text(venues: standin.StandIn) -> None:
    venues.fail_next("futures", "http_429")
    with client(venues, "futures", futures_auth()) as http:
        response = http.get("/api/history/v3/account-log")
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["rate-limit-reset"] == "2"


def test_fail_next_is_fifo_per_venue(venues: standin.StandIn) -> None:
    venues.fail_next("spot", "spot_rate_limit")
    venues.fail_next("spot", "empty_body")
    venues.fail_next("bitflyer", "html_502")
    with client(venues, "spot") as http:
        first = http.get("/public/Time")
        second = http.get("/public/Time")
        third = http.get("/public/Time")
    assert first.json() == {"error": ["EAPI:Rate limit exceeded"]}
    assert second.content == b""
    assert third.json()["error"] == []
    with client(venues, "bitflyer") as http:
        assert http.get("/v1/gethealth").status_code == 502


def test_scenarios_come_after_the_checks(venues: standin.StandIn) -> None:
    """A scenario never hides a malformed request: the check's rejection wins."""
    with client(venues, "spot", spot_auth(WRONG_KRAKEN_SECRET)) as http:
        response = http.post("/private/Balance", json={}, headers={standin.SCENARIO_HEADER: "html_502"})
    assert response.json() == {"error": ["EAPI:Invalid signature"]}
    assert venues.requests[-1].scenario is None


def test_scenario_misuse(venues: standin.StandIn) -> None:
    with pytest.raises(ValueError, match="not spot"):
        venues.fail_next("spot", "bitflyer_2fa")
    with pytest.raises(ValueError, match="unknown stand-in scenario"):
        venues.fail_next("futures", "no_such_thing")
    with client(venues, "spot") as http:
        response = http.get("/public/Time", headers={standin.SCENARIO_HEADER: "no_such_thing"})
    assert response.status_code == 400
    assert "standin_error" in response.json()


def test_concurrent_requests_keep_the_log_whole(venues: standin.StandIn) -> None:
    import concurrent.futures

    def call(index: int) -> int:
        with client(venues, "futures", futures_auth()) as http:
            return http.get("/derivatives/api/v3/openpositions").status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(call, range(32)))
    assert statuses == [200] * 32
    assert len(venues.requests) == 32


# --- every operation ---------------------------------------------------------------------------


def test_route_table_covers_every_operation() -> None:
    for venue in standin.VENUES:
        count = len(spec_operations(standin.load_spec(venue).document))  # the final document's, as generated
        table = standin.route_table(venue)  # type: ignore[arg-type]
        assert len(table.operations) == count
        assert len({(op.method, op.route) for op in table.operations}) == count
        for op in table.operations:
            concrete = re.sub(r"\{[^}]+\}", "x", op.route)
            found = table.match(op.method, concrete)
            assert found is not None
            assert found[0] is op, (op.route, found[0].route)


@pytest.mark.parametrize(("venue", "operation_id"), ALL_OPERATIONS)
def test_every_operation_answers_something_schema_valid(venues: standin.StandIn, venue: str, operation_id: str) -> None:
    op = operation(venue, operation_id)
    expected = expected_success(op)
    response = send(venues, op)
    assert response.status_code == expected.status, response.text[:300]
    assert venues.requests[-1].operation_id == operation_id
    assert int(response.headers["Content-Length"]) == len(response.content)
    if expected.media_type is None:
        assert response.content == b""
    elif expected.media_type == "application/octet-stream":
        assert response.content.startswith(b"PK\x03\x04")
        assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    elif expected.pointer is not None:
        assert schema_errors(venue, expected.pointer, as_documented(op, response.content)) == []
    else:
        assert response.content


def test_requests_built_from_the_spec_are_schema_valid() -> None:
    """The all-operations test only proves something if its request bodies are themselves valid."""
    for venue in standin.VENUES:
        spec = standin.load_spec(venue)
        for op in standin.route_table(venue).operations:
            media = op.request_media(spec)
            built = minimal_request(op)
            if media is None or built.content is None or "json" not in media[0]:
                continue
            body = json.loads(built.content)
            if venue == "spot":
                body = {"nonce": 1, **body}
            assert spec.errors(body, media[1]) == [], (venue, op.operation_id)


def test_documented_examples_validate_or_are_allow_listed() -> None:
    rejected: dict[tuple[str, str, str], str] = {}
    for venue in standin.VENUES:
        for op in standin.route_table(venue).operations:
            answer = standin.ANSWERS.answer(op)
            for source, message in answer.rejected:
                rejected[(venue, op.operation_id, source)] = message
            if answer.is_json:
                pointer = expected_success(op).pointer
                assert pointer is not None
                value = build_answer(standin.load_spec(venue), op).value  # as documented, before reality.py's edits
                assert schema_errors(venue, pointer, value) == [], (venue, op.operation_id, answer.source)
    assert sorted(rejected) == sorted(KNOWN_INVALID_EXAMPLES), rejected


def test_binary_and_csv_answers(venues: standin.StandIn) -> None:
    with client(venues, "spot", spot_auth()) as http:
        export = http.post("/private/RetrieveExport", json={"id": "TCJA"})
    assert export.headers["Content-Type"] == "application/octet-stream"
    assert zipfile.ZipFile(io.BytesIO(export.content)).read("report.csv").startswith(b"date,")
    with client(venues, "futures", futures_auth()) as http:
        csv = http.get("/api/history/v3/accountlogcsv")
    assert csv.headers["Content-Type"] == "text/csv"
    assert csv.text.splitlines()[0].count(",") >= 1


def test_stop_is_bounded_with_idle_keep_alive_connections() -> None:
    running = standin.StandIn().start()
    idle = httpx.Client(base_url=running.spot_url, timeout=TIMEOUT, verify=TLS)
    assert idle.get("/public/Time").status_code == 200  # leaves a pooled keep-alive connection
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 2.0
    idle.close()


def test_every_lesson_from_real_answers_still_applies() -> None:
    """Each edit of ``standin/reality.py`` changes at least one place of its operation's documented answer: an
    upstream change that moves or removes the place fails here instead of leaving the edit idle."""
    from standin.reality import edit_answer

    for (venue, operation_id), edits in LEARNED.items():
        (op,) = [o for o in standin.route_table(venue).operations if o.operation_id == operation_id]  # type: ignore[arg-type]
        documented = build_answer(standin.load_spec(venue), op).value  # type: ignore[arg-type]
        for edit in edits:
            _, changed = edit_answer((edit,), documented)
            assert changed, f"{venue} {operation_id}: {edit} finds nothing to change in the documented answer"
        assert standin.ANSWERS.answer(op).source.endswith("as real answers are")
