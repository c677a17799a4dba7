"""Every facade operation and failure scenario, replayed from cassettes recorded through the stand-in.

The cassettes (``tests/cassettes``, re-recorded with ``make record``) hold one request and answer each.
Here the facades run with their production base URLs and the stand-in's fake keys; vcrpy answers from
the cassette (record mode ``none``) and every socket connect raises, so nothing reaches a network.
Requests are matched on method, path, query and body with the nonce masked: a facade that now sends
something else fails with ``CannotOverwriteExistingCassetteException``.
"""

from __future__ import annotations

import asyncio
import io
import re
import socket
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from vcr.errors import CannotOverwriteExistingCassetteException  # type: ignore[import-untyped]
from vcr.request import Request  # type: ignore[import-untyped]

from exchange_clients import (
    AsyncBitflyer,
    AsyncKrakenFutures,
    AsyncKrakenSpot,
    AuthenticationError,
    ExchangeError,
    ExchangeWarning,
    FundsRejected,
    InsufficientFunds,
    InvalidNonce,
    OrderNotFound,
    RateLimited,
    ServiceUnavailable,
    UnexpectedResponse,
)
from exchange_clients._runtime import AsyncFacade, SyncFacade

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from recording.arguments import spec_operation, typed_arguments
from recording.cassettes import (
    CASSETTE_ROOT,
    FILTERED,
    MASKED_FIELDS,
    MASKED_HEADERS,
    SECRET_HEADERS,
    cassette_path,
    load_cassette_file,
    replaying,
    scenario_cassette_path,
    scrub_request,
    secret_variants,
)
from recording.record import LiveRefused, live_arguments, select_live_operations
from recording.results import COVERED, conformance_errors, normalize, return_annotation, served_value, to_plain
from recording.scenarios import DEFECT_DEMONSTRATIONS, SCENARIO_CALLS
from recording.venues import VENUES, VenueInfo
from standin.keys import FAKE_KEYS


class NetworkRefused(RuntimeError):
    """A cassette test tried to open a connection (not an OSError, so no client turns it into a retry)."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NetworkRefused(f"network access during a cassette test: {args[1:] or kwargs}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def facade(info: VenueInfo, **options: Any) -> SyncFacade:
    """The venue's facade as a user would make it (production base URL), with the fake keys."""
    return info.facade(info.fake_key, info.fake_secret, rate_limit=False, retry=False, **options)


def body_bytes(response: dict[str, Any]) -> bytes:
    body = response["body"]["string"]
    return body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")


def header(response: dict[str, Any], name: str) -> str:
    for key, values in response["headers"].items():
        if key.lower() == name.lower():
            return str(values[0])
    return ""


# --- every operation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """A replay that cannot give a typed result because of a defect in the build (reported, not ours)."""

    error: type[ExchangeError]
    message: str
    reason: str
    request_refused: bool = False  # the stand-in refused the request, so it served no documented answer


# Operations whose cassette cannot show a typed result because of a defect, with the error it raises
# instead. Empty: the three found so far (OrderAmends example, DepositStatus result, simulate's `json`
# parameter) are fixed in specs/fixes/, and the build now fails on a dropped parameter.
KNOWN_DEFECTS: dict[tuple[str, str], Defect] = {}

OPERATION_CASES = [
    pytest.param(info.name, name, id=f"{info.name}-{name}") for info in VENUES.values() for name in info.operations
]


def missing_cassettes() -> list[str]:
    return [
        f"{i.name}.{name}" for i in VENUES.values() for name in i.operations if not cassette_path(i, name).is_file()
    ]


def recorded(info: VenueInfo, operation: str) -> Path:
    """The operation's cassette; without one (a repin added operations), the hint and every operation lacking one."""
    path = cassette_path(info, operation)
    if not path.is_file():
        pytest.fail(
            f"no cassette for {info.name}.{operation}: run `make record`. Operations without one: "
            + ", ".join(missing_cassettes()),
            pytrace=False,
        )
    return path


def replay_operation(venue_name: str, operation: str) -> str:
    """Replay the operation's cassette through the facade and check the typed result; returns how it ended."""
    info = VENUES[venue_name]  # type: ignore[index]
    op = info.operations[operation]
    path = recorded(info, operation)
    data = load_cassette_file(path)
    metadata = data["metadata"]
    assert (metadata["venue"], metadata["operation"]) == (venue_name, operation)
    defect = KNOWN_DEFECTS.get((venue_name, operation))
    with replaying(info, path) as cassette, facade(info) as client:
        call = getattr(client, operation)
        arguments = typed_arguments(op, metadata["arguments"])
        if defect is not None:
            with pytest.raises(defect.error, match=re.escape(defect.message)):
                call(**arguments)
        else:
            result = call(**arguments)
        assert cassette.all_played
    if defect is not None:
        COVERED[(venue_name, operation)] = "known defect"
        return "known defect"
    (interaction,) = data["interactions"]
    check_typed_result(info, operation, result, interaction["response"])
    COVERED[(venue_name, operation)] = "typed result"
    return "typed result"


def check_typed_result(info: VenueInfo, operation: str, result: Any, response: dict[str, Any]) -> None:
    op = info.operations[operation]
    assert conformance_errors(result, return_annotation(info, operation)) == []
    body = body_bytes(response)
    expected = served_value(op, response["status"]["code"], header(response, "Content-Type"), body)
    if expected is None:
        assert result is None
        assert body == b""
    elif isinstance(expected, bytes):
        assert to_plain(result) == expected
        assert zipfile.ZipFile(io.BytesIO(expected)).namelist()
    elif isinstance(expected, str) and not op.json_success:
        assert result == expected  # the CSV text
    else:
        assert normalize(to_plain(result)) == normalize(expected)


@pytest.mark.parametrize(("venue_name", "operation"), OPERATION_CASES)
def test_operation_replays_to_the_served_answer(venue_name: str, operation: str) -> None:
    replay_operation(venue_name, operation)


def test_cassettes_hold_the_documented_answers() -> None:
    """Each operation's cassette answer is what the stand-in serves from the current final document:
    a changed spec (or stand-in) means the cassettes are stale and `make record` is due."""
    import standin

    stale = []
    for info in VENUES.values():
        for name, op in info.operations.items():
            defect = KNOWN_DEFECTS.get((info.name, name))
            if defect is not None and defect.request_refused:
                continue
            answer = standin.ANSWERS.answer(spec_operation(info.standin, op))
            response = load_cassette_file(recorded(info, name))["interactions"][0]["response"]
            if (response["status"]["code"], body_bytes(response)) != (answer.status, answer.body):
                stale.append(f"{info.name}.{name}")
    assert stale == [], "cassettes differ from the documented answers; run `make record`"


def test_known_defects_are_still_operations() -> None:
    for venue_name, operation in KNOWN_DEFECTS:
        assert operation in VENUES[venue_name].operations  # type: ignore[index]


def test_special_answers_are_typed_as_documented() -> None:
    """The zip, the CSV text and the empty cancels, beyond the generic round trip."""
    spot, futures, bitflyer = VENUES["kraken_spot"], VENUES["kraken_futures"], VENUES["bitflyer"]
    with replaying(spot, cassette_path(spot, "retrieve_export")), facade(spot) as client:
        export = client.retrieve_export(body={"id": "1234556"})  # type: ignore[attr-defined]
    assert zipfile.ZipFile(export.payload).read("report.csv").startswith(b"date,")
    with replaying(futures, cassette_path(futures, "account_log_csv")), facade(futures) as client:
        csv = client.account_log_csv()  # type: ignore[attr-defined]
    assert csv.splitlines()[0] == "date,type,asset,amount"
    with replaying(bitflyer, cassette_path(bitflyer, "cancel_child_order")), facade(bitflyer) as client:
        arguments = {"product_code": "BTC_JPY", "child_order_id": "JOR20150707-055555-022222"}
        assert client.cancel_child_order(body=arguments) is None  # type: ignore[attr-defined]


ASYNC_FACADES: dict[str, tuple[type[AsyncFacade], str]] = {
    "kraken_spot": (AsyncKrakenSpot, "get_ticker_information"),
    "kraken_futures": (AsyncKrakenFutures, "get_tickers"),
    "bitflyer": (AsyncBitflyer, "get_balance"),
}


@pytest.mark.parametrize("venue_name", sorted(ASYNC_FACADES))
def test_async_facade_replays_the_same_cassette(venue_name: str) -> None:
    info = VENUES[venue_name]  # type: ignore[index]
    async_class, operation = ASYNC_FACADES[venue_name]
    path = cassette_path(info, operation)
    data = load_cassette_file(path)
    arguments = typed_arguments(info.operations[operation], data["metadata"]["arguments"])

    async def call() -> Any:
        async with async_class(info.fake_key, info.fake_secret, rate_limit=False, retry=False) as client:
            return await getattr(client, operation)(**arguments)

    with replaying(info, path) as cassette:
        result = asyncio.run(call())
        assert cassette.all_played
    check_typed_result(info, operation, result, data["interactions"][0]["response"])


# --- failure scenarios -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    error: type[ExchangeError] | None  # None: a result comes back (with a warning)
    http_status: int
    code: str | int | None = None
    venue_message: str | None = None
    retry_after: float | None = None
    order_status: str | None = None


_GENERIC: dict[str, Expected] = {
    "html_502": Expected(ServiceUnavailable, 502),
    "truncated_json": Expected(UnexpectedResponse, 200),
    "empty_body": Expected(UnexpectedResponse, 200),
    "http_429": Expected(RateLimited, 429, retry_after=2.0),
}
EXPECTED_SCENARIOS: dict[tuple[str, str], Expected] = {
    ("kraken_spot", "spot_invalid_nonce"): Expected(InvalidNonce, 200, "EAPI:Invalid nonce", "Invalid nonce"),
    ("kraken_spot", "spot_invalid_key"): Expected(AuthenticationError, 200, "EAPI:Invalid key", "Invalid key"),
    ("kraken_spot", "spot_rate_limit"): Expected(RateLimited, 200, "EAPI:Rate limit exceeded", "Rate limit exceeded"),
    ("kraken_spot", "spot_insufficient_funds"): Expected(
        InsufficientFunds, 200, "EOrder:Insufficient funds", "Insufficient funds"
    ),
    ("kraken_spot", "spot_warning"): Expected(None, 200),
    ("kraken_futures", "futures_send_rejected"): Expected(
        FundsRejected, 200, "insufficientAvailableFunds", order_status="insufficientAvailableFunds"
    ),
    ("kraken_futures", "futures_cancel_not_found"): Expected(OrderNotFound, 200, "notFound", order_status="notFound"),
    ("kraken_futures", "futures_errors_500"): Expected(InsufficientFunds, 500, 92, "INSUFFICIENT_MARGIN"),
    ("kraken_futures", "futures_api_limit"): Expected(RateLimited, 200, "apiLimitExceeded"),
    ("bitflyer", "bitflyer_2fa"): Expected(
        AuthenticationError, 400, -505, "Two-factor authentication code is incorrect."
    ),
    ("bitflyer", "bitflyer_order_error"): Expected(InsufficientFunds, 400, -200, "Insufficient funds"),
    **{(venue_name, name): expected for venue_name in VENUES for name, expected in _GENERIC.items()},
}

SCENARIO_CASES = [
    pytest.param(info.name, scenario, id=f"{info.name}-{scenario}")
    for info in VENUES.values()
    for scenario in SCENARIO_CALLS[info.name]
]


def test_every_scenario_is_recorded_and_expected() -> None:
    import standin

    for info in VENUES.values():
        applicable = {name for name, s in standin.SCENARIOS.items() if info.standin in s.venues}
        assert set(SCENARIO_CALLS[info.name]) == applicable
        assert {s for v, s in EXPECTED_SCENARIOS if v == info.name} == applicable
    assert len(SCENARIO_CASES) == 11 + 4 * 3


@pytest.mark.parametrize(("venue_name", "scenario"), SCENARIO_CASES)
def test_scenario_replays_to_its_typed_error(venue_name: str, scenario: str) -> None:
    info = VENUES[venue_name]  # type: ignore[index]
    path = scenario_cassette_path(info, scenario)
    metadata = load_cassette_file(path)["metadata"]
    operation = SCENARIO_CALLS[info.name][scenario]
    assert (metadata["scenario"], metadata["operation"]) == (scenario, operation)
    op = info.operations[operation]
    expected = EXPECTED_SCENARIOS[(venue_name, scenario)]
    warnings: list[ExchangeWarning] = []
    with replaying(info, path) as cassette, facade(info, on_warning=warnings.append) as client:
        call: Callable[..., Any] = getattr(client, operation)
        arguments = typed_arguments(op, metadata["arguments"])
        if expected.error is None:
            result = call(**arguments)
        else:
            with pytest.raises(expected.error) as raised:
                call(**arguments)
        assert cassette.all_played
    context: ExchangeError | ExchangeWarning
    if expected.error is None:  # spot_warning: the result parses, and the warning is surfaced
        assert conformance_errors(result, return_annotation(info, operation)) == []
        assert type(result).__name__ == "AccountBalance"
        assert result.to_dict()["ZUSD"]  # the documented balances came through
        (context,) = warnings
        assert context.message == "WGeneral:Deprecated endpoint"
    else:
        assert warnings == []
        context = raised.value
        assert type(context) is expected.error
        assert context.code == expected.code
        assert context.venue_message == expected.venue_message
        assert getattr(context, "retry_after", None) == expected.retry_after
        assert getattr(context, "order_status", None) == expected.order_status
        assert context.body is not None
    assert context.venue == info.facade.profile.name
    assert context.http_status == expected.http_status
    assert (context.method, context.path) == (op.method, op.path)


def test_spot_warning_reaches_python_warnings_by_default() -> None:
    info = VENUES["kraken_spot"]
    path = scenario_cassette_path(info, "spot_warning")
    arguments = typed_arguments(
        info.operations["get_account_balance"], load_cassette_file(path)["metadata"]["arguments"]
    )
    with (
        replaying(info, path),
        facade(info) as client,
        pytest.warns(ExchangeWarning, match="WGeneral:Deprecated endpoint"),
    ):
        assert client.get_account_balance(**arguments).to_dict()  # type: ignore[attr-defined]


DEFECT_CASES = [
    pytest.param(
        info.name,
        cassette,
        scenario,
        operation,
        id=f"{info.name}-{cassette}",
    )
    for info in VENUES.values()
    for cassette, (scenario, operation) in DEFECT_DEMONSTRATIONS.get(info.name, {}).items()
]


@pytest.mark.parametrize(("venue_name", "cassette", "scenario", "operation"), DEFECT_CASES)
def test_empty_body_on_a_documented_json_answer_is_refused(
    venue_name: str, cassette: str, scenario: str, operation: str
) -> None:
    info = VENUES[venue_name]  # type: ignore[index]
    path = scenario_cassette_path(info, cassette)
    metadata = load_cassette_file(path)["metadata"]
    assert (metadata["scenario"], metadata["operation"]) == (scenario, operation)
    outcome: Any
    with replaying(info, path), facade(info) as client:
        try:
            outcome = getattr(client, operation)(**typed_arguments(info.operations[operation], metadata["arguments"]))
        except UnexpectedResponse as exc:
            outcome = exc
    assert isinstance(outcome, UnexpectedResponse), f"{operation} returned {outcome!r} for an empty body"


# --- the matcher notices a changed request ---------------------------------------------------------


def _replay_with(venue_name: str, operation: str, change: Callable[[dict[str, Any]], None], **options: Any) -> Any:
    info = VENUES[venue_name]  # type: ignore[index]
    path = cassette_path(info, operation)
    arguments = load_cassette_file(path)["metadata"]["arguments"]
    change(arguments)
    with replaying(info, path), facade(info, **options) as client:
        return getattr(client, operation)(**typed_arguments(info.operations[operation], arguments))


CHANGED_REQUESTS = [
    pytest.param("kraken_spot", "add_order", lambda a: a["body"].update(price="27500.1"), id="spot-body"),
    pytest.param("kraken_spot", "get_ohlc_data", lambda a: a.update(interval=240), id="spot-query"),
    pytest.param("kraken_futures", "send_order", lambda a: a.update(size=2), id="futures-query"),
    pytest.param("kraken_futures", "get_ticker", lambda a: a.update(symbol="PF_ETHUSD"), id="futures-path"),
    pytest.param("kraken_futures", "place_rfq_offer", lambda a: a["body"].update(bid=100.25), id="futures-body"),
    pytest.param("bitflyer", "get_child_orders", lambda a: a.update(product_code="ETH_JPY"), id="bitflyer-query"),
    pytest.param("bitflyer", "send_child_order", lambda a: a["body"].update(side="SELL"), id="bitflyer-body"),
]


@pytest.mark.parametrize(("venue_name", "operation", "change"), CHANGED_REQUESTS)
def test_a_changed_request_is_not_replayed(
    venue_name: str, operation: str, change: Callable[[dict[str, Any]], None]
) -> None:
    with pytest.raises(CannotOverwriteExistingCassetteException):
        _replay_with(venue_name, operation, change)


def test_another_operation_is_not_replayed_from_a_cassette() -> None:
    info = VENUES["kraken_spot"]
    with (
        replaying(info, cassette_path(info, "get_server_time")),
        facade(info) as client,
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.get_system_status()  # type: ignore[attr-defined]


def test_nonce_and_host_are_not_matched() -> None:
    """A fixed nonce (the cassette's was another) and a loopback host still replay: only they changed."""
    _replay_with("kraken_spot", "add_order", lambda a: None, nonce=lambda: 1)
    _replay_with("kraken_futures", "send_order", lambda a: None, nonce=lambda: 1)
    _replay_with("kraken_spot", "get_server_time", lambda a: None, base_url="http://127.0.0.1:9/0")


def test_the_network_is_refused_during_cassette_tests() -> None:
    with pytest.raises(NetworkRefused):
        httpx.get("https://api.kraken.com/0/public/Time")
    with pytest.raises(NetworkRefused), socket.create_connection(("127.0.0.1", 9), timeout=1):
        pass


# --- no secret material in any cassette ------------------------------------------------------------

_FAKE_SECRETS = [value for pair in FAKE_KEYS.values() for value in pair]
# Values that look like a signature: base64 of a 64-byte HMAC-SHA512, or hex of a 32-byte HMAC-SHA256.
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{86}={0,2}|\b[0-9a-fA-F]{64}\b")
_DIGITS = re.compile(r"\b\d{10,}\b")


def secret_findings(data: dict[str, Any], text: str, secrets: list[str]) -> list[str]:
    """Everything in one cassette that could be secret material (empty when clean)."""
    found = [f"contains a configured key or secret ({variant[:6]}...)" for variant in secret_variants(secrets)]
    found = [message for message, variant in zip(found, secret_variants(secrets), strict=True) if variant in text]
    if re.search(r"127\.0\.0\.1|localhost", text):
        found.append("contains a loopback address")
    for index, interaction in enumerate(data.get("interactions") or []):
        request, response = interaction["request"], interaction["response"]
        for side, headers in (("request", request["headers"]), ("response", response["headers"])):
            for name, values in headers.items():
                lowered = name.lower()
                for value in values:
                    where = f"interaction {index} {side} header {name}"
                    if lowered in SECRET_HEADERS:
                        if value != FILTERED:
                            found.append(f"{where} carries {value!r}, not {FILTERED}")
                    elif lowered in MASKED_HEADERS:
                        if value != MASKED_HEADERS[lowered]:
                            found.append(f"{where} is not masked: {value!r}")
                    elif _SIGNATURE.search(str(value)):
                        found.append(f"{where} looks like a signature: {value!r}")
                    elif _DIGITS.fullmatch(str(value)):
                        found.append(f"{where} looks like a nonce or timestamp: {value!r}")
        body = request.get("body") or ""
        body_text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        for field, placeholder in MASKED_FIELDS.items():
            for value in re.findall(rf'"{field}"\s*:\s*("[^"]*"|[^,}}\s]+)', body_text):
                if value != f'"{placeholder}"':
                    found.append(f"interaction {index} request body field {field} is not masked: {value}")
            for value in re.findall(rf"(?:^|&){field}=([^&]*)", body_text):
                if value != placeholder.replace("<", "%3C").replace(">", "%3E"):
                    found.append(f"interaction {index} request form field {field} is not masked: {value}")
    return found


ALL_CASSETTES = sorted(CASSETTE_ROOT.rglob("*.yaml"))


def test_there_are_cassettes_to_scan() -> None:
    counted = sum(len(info.operations) + len(SCENARIO_CALLS[info.name]) for info in VENUES.values())
    assert len(ALL_CASSETTES) >= counted


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=lambda p: str(p.relative_to(CASSETTE_ROOT)))
def test_cassette_holds_no_secret_material(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert secret_findings(load_cassette_file(path), text, _FAKE_SECRETS) == []


def test_the_secret_scan_finds_planted_leaks() -> None:
    key, secret = FAKE_KEYS["spot"]
    request = {
        "method": "POST",
        "uri": "http://127.0.0.1:4321/0/private/Balance",
        "body": '{"nonce":"1767225600000000000","otp":"123456"}',
        "headers": {
            "API-Key": [key],
            "API-Sign": ["x" * 86 + "=="],
            "Nonce": ["1767225600000000000"],
            "X-Echo": [secret],
        },
    }
    data = {"interactions": [{"request": request, "response": {"headers": {}, "body": {"string": ""}}}]}
    findings = secret_findings(data, repr(data), _FAKE_SECRETS)
    assert len(findings) >= 7, findings


def test_scrubbing_leaves_nothing_to_find() -> None:
    key, secret = FAKE_KEYS["bitflyer"]
    raw = Request(
        "POST",
        "http://127.0.0.1:4321/v1/me/withdraw?echo=" + secret,
        b'{"nonce":1767225600000000000,"otp":"123456","note":"' + key.encode() + b'"}',
        {"ACCESS-KEY": key, "ACCESS-SIGN": "ab" * 32, "ACCESS-TIMESTAMP": "1767225600", "Host": "127.0.0.1:4321"},
    )
    scrubbed = scrub_request(raw, "https://api.bitflyer.com", [key, secret])
    assert scrubbed.uri == "https://api.bitflyer.com/v1/me/withdraw?echo=" + FILTERED
    assert scrubbed.body == b'{"nonce":"<nonce>","otp":"<otp>","note":"<filtered>"}'
    assert scrubbed.headers["Host"] == "api.bitflyer.com"
    assert raw.headers["ACCESS-KEY"] == key  # the original is left alone
    as_dict = {"interactions": [{"request": scrubbed._to_dict(), "response": {"headers": {}}}]}
    assert secret_findings(as_dict, repr(as_dict), [key, secret]) == []


# --- live re-recording: what it would send -----------------------------------------------------------


def test_live_recording_selects_reads_only() -> None:
    for info in VENUES.values():
        selected = select_live_operations(info)
        assert selected
        assert all(info.operations[name].read for name in selected)
        assert {name for name, op in info.operations.items() if op.read} == set(selected)


def test_live_recording_refuses_writes_unless_allowed_and_named() -> None:
    spot = VENUES["kraken_spot"]
    with pytest.raises(LiveRefused, match="ALLOW_WRITES=1"):
        select_live_operations(spot, ["get_server_time", "add_order"])
    with pytest.raises(LiveRefused, match="name them"):
        select_live_operations(spot, allow_writes=True)
    with pytest.raises(LiveRefused, match="no operation"):
        select_live_operations(spot, ["no_such_operation"])
    assert select_live_operations(spot, ["add_order"], allow_writes=True) == ["add_order"]
    assert "new" not in live_arguments(spot, spot.operations["get_deposit_addresses"])["body"]


LIVE_CASSETTES = sorted((CASSETTE_ROOT / "live").glob("*/*.yaml"))

# Live cassettes exist only where someone ran `make record-live` and committed the result; without any, there is
# nothing to replay (a parametrization over no cassettes would only report a skip).
if LIVE_CASSETTES:

    @pytest.mark.parametrize("path", LIVE_CASSETTES, ids=lambda p: str(p.relative_to(CASSETTE_ROOT)))
    def test_live_cassette_replays_to_a_typed_result(path: Path) -> None:
        info = VENUES[path.parent.name]  # type: ignore[index]
        data = load_cassette_file(path)
        operation = data["metadata"]["operation"]
        response = data["interactions"][0]["response"]
        outcome: Any
        with replaying(info, path), facade(info) as client:
            try:
                outcome = getattr(client, operation)(
                    **typed_arguments(info.operations[operation], data["metadata"]["arguments"])
                )
            except ExchangeError as exc:  # the live venue refused the documented example: still a typed answer
                outcome = exc
        if isinstance(outcome, ExchangeError):
            assert outcome.http_status == response["status"]["code"]
        else:
            check_typed_result(info, operation, outcome, response)


# --- coverage ----------------------------------------------------------------------------------------


@pytest.fixture
def covered() -> dict[tuple[str, str], str]:
    return COVERED


def test_every_operation_is_covered_by_a_cassette(
    covered: dict[tuple[str, str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Last in the module: counts the replays above (and replays whatever a selection left out)."""
    lines = []
    missing = []
    for info in VENUES.values():
        for name in info.operations:
            if (info.name, name) not in covered and cassette_path(info, name).is_file():
                replay_operation(info.name, name)
        replayed = [name for name in info.operations if (info.name, name) in covered]
        defects = sorted(name for name in replayed if covered[(info.name, name)] == "known defect")
        missing += [f"{info.name}.{name}" for name in info.operations if name not in replayed]
        note = f" ({len(defects)} replay a known defect: {', '.join(defects)})" if defects else ""
        lines.append(f"{info.name}: operations covered by cassettes: {len(replayed)}/{len(info.operations)}{note}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert missing == [], f"run `make record`; operations without a cassette: {', '.join(missing)}"
