"""The facades: every generated operation reachable, sync and async; the call path's policies."""

from __future__ import annotations

import asyncio
import inspect
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

import exchange_clients
from _pipeline import GENERATED, load_packages, load_yaml
from codegen import spec_operations
from exchange_clients import (
    AsyncBitflyer,
    AsyncKrakenFutures,
    AsyncKrakenSpot,
    Bitflyer,
    ExchangeWarning,
    InvalidArguments,
    KrakenFutures,
    KrakenSpot,
    MissingCredentials,
    OrderOutcomeUnknown,
    OrderRejected,
    RequestTimeout,
    RetryPolicy,
    ServiceUnavailable,
)
from surface import read_endpoints

FACADES = {
    "kraken_spot_api": (KrakenSpot, AsyncKrakenSpot),
    "kraken_futures_api": (KrakenFutures, AsyncKrakenFutures),
    "bitflyer_api": (Bitflyer, AsyncBitflyer),
}
# Fake credentials: base64 of 64 bytes for Kraken, any string for bitFlyer.
SECRET = "a2V5IGZvciB0ZXN0cyBvbmx5IC0tIG5vdCBhIHJlYWwgc2VjcmV0IC0tIDAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMw=="
NO_RETRY_WAIT = RetryPolicy(attempts=3, base_delay=0, jitter=0)

Handler = Callable[[httpx.Request], httpx.Response]


def _recorder(answer: Handler) -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    return seen, httpx.MockTransport(handler)


def _spot_ok(result: Any, error: list[str] | None = None) -> Handler:
    return lambda request: httpx.Response(200, json={"error": error or [], "result": result})


@pytest.mark.parametrize("package", sorted(FACADES))
def test_every_generated_operation_is_a_method_of_the_sync_and_async_facade(package: str) -> None:
    sync_class, async_class = FACADES[package]
    endpoints = read_endpoints(GENERATED / package)
    final = next(p for p in load_packages() if p.name == package).final_spec
    assert len(endpoints) == len(spec_operations(load_yaml(final)))  # every operation of the spec, none lost
    for endpoint in endpoints:
        name = endpoint.module.rsplit(".", 1)[1]
        sync_method = getattr(sync_class, name)
        async_method = getattr(async_class, name)
        assert not inspect.iscoroutinefunction(sync_method)
        assert inspect.iscoroutinefunction(async_method)
        body = sys.modules[sync_class.__module__].OPERATIONS[name].body
        fields = [keyword for keyword, _ in body.fields] if body else []  # the body's fields, as keyword arguments
        expected = [param for param, _ in endpoint.params] + fields
        assert sorted(inspect.signature(sync_method).parameters) == sorted(["self", *expected])
        assert sorted(inspect.signature(async_method).parameters) == sorted(["self", *expected])


def test_facade_packages_match_the_pipeline() -> None:
    assert sorted(FACADES) == sorted(p.name for p in load_packages())


def test_public_call_returns_the_unwrapped_typed_result_without_signing() -> None:
    seen, transport = _recorder(_spot_ok({"unixtime": 1688669448, "rfc1123": "Thu, 06 Jul 23 18:50:48 +0000"}))
    with KrakenSpot(transport=transport, base_url="http://exchange.test/0") as kraken:
        time = kraken.get_server_time()
    assert time.unixtime == 1688669448
    assert str(seen[0].url) == "http://exchange.test/0/public/Time"
    assert "API-Sign" not in seen[0].headers


def test_spot_order_in_three_lines_is_signed_and_exact() -> None:
    seen, transport = _recorder(_spot_ok({"descr": {"order": "buy 1.25 XBTUSD @ limit 37500.10"}, "txid": ["OU22"]}))
    from kraken_spot_api.models import AddOrderRequest, AddOrderRequestType, Ordertype

    kraken = KrakenSpot("key", SECRET, base_url="https://exchange.test/0", transport=transport)
    order = AddOrderRequest(
        ordertype=Ordertype.LIMIT,
        type_=AddOrderRequestType.BUY,
        volume=Decimal("1.25"),
        pair="XBTUSD",
        price="37500.10",
    )
    placed = kraken.add_order(body=order)
    assert placed.txid == ["OU22"]
    sent = seen[0]
    body = json.loads(sent.content)
    assert body["price"] == "37500.10"
    assert int(body["nonce"]) > 1_700_000_000_000_000_000  # nanoseconds, strictly increasing per key
    assert sent.headers["API-Key"] == "key"
    assert sent.headers["Content-Length"] == str(len(sent.content))


def test_private_call_without_credentials_fails_before_any_io(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRAKEN_FUTURES_API_KEY", raising=False)
    monkeypatch.delenv("KRAKEN_FUTURES_API_SECRET", raising=False)
    seen, transport = _recorder(lambda request: httpx.Response(500))
    with pytest.raises(MissingCredentials, match="KRAKEN_FUTURES_API_KEY and KRAKEN_FUTURES_API_SECRET"):
        KrakenFutures(transport=transport).get_open_positions()
    assert seen == []


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITFLYER_API_KEY", "env-key")
    monkeypatch.setenv("BITFLYER_API_SECRET", "env-secret")
    seen, transport = _recorder(lambda request: httpx.Response(200, json=[]))
    assert Bitflyer(transport=transport).get_balance() == []
    assert seen[0].headers["ACCESS-KEY"] == "env-key"
    assert "env-secret" not in repr(Bitflyer(transport=transport))


def test_half_given_credentials_are_refused() -> None:
    with pytest.raises(MissingCredentials, match="api_secret is missing"):
        KrakenSpot("only-a-key")


def test_wrong_argument_type_fails_before_any_io_naming_the_parameter() -> None:
    seen, transport = _recorder(lambda request: httpx.Response(500))
    client = Bitflyer(transport=transport)
    with pytest.raises(InvalidArguments, match=r"argument 'count' must be an int, got str"):
        client.get_executions(count="10")  # type: ignore[arg-type]
    with pytest.raises(InvalidArguments, match=r"argument 'product_code' must be str"):
        client.get_ticker(product_code=42)  # type: ignore[arg-type]
    assert seen == []


def test_float_for_a_decimal_is_refused_and_enum_strings_are_accepted() -> None:
    seen, transport = _recorder(lambda request: httpx.Response(200, json={"child_order_acceptance_id": "JRF1"}))
    from bitflyer_api.models import SendChildOrderRequest

    client = Bitflyer("k", "s", transport=transport)
    with pytest.raises(InvalidArguments, match="use Decimal"):
        client.send_child_order(
            body={"product_code": "BTC_JPY", "child_order_type": "LIMIT", "side": "BUY", "size": 0.1, "price": 1}
        )  # type: ignore[arg-type]
    order = SendChildOrderRequest.from_dict(
        {
            "product_code": "BTC_JPY",
            "child_order_type": "LIMIT",
            "side": "BUY",
            "size": Decimal("0.001"),
            "price": Decimal("3000000.5"),
        }
    )
    assert client.send_child_order(body=order).child_order_acceptance_id == "JRF1"
    sent = json.loads(seen[0].content, parse_float=Decimal)
    assert sent["size"] == Decimal("0.001")
    assert b'"price":3000000.5' in seen[0].content


def test_unknown_enum_value_is_refused_for_a_request() -> None:
    with pytest.raises(InvalidArguments, match="must be a"):
        KrakenFutures(transport=httpx.MockTransport(lambda r: httpx.Response(500))).get_tickers(contract_type=["nope"])  # type: ignore[list-item]


def test_reads_are_retried_and_writes_are_not() -> None:
    answers = iter(
        [httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>"), httpx.Response(200, json=[])]
    )
    seen, transport = _recorder(lambda request: next(answers))
    assert Bitflyer(transport=transport, retry=NO_RETRY_WAIT).get_markets() == []
    assert len(seen) == 2

    seen, transport = _recorder(lambda request: httpx.Response(502, text="<html><title>502</title></html>"))
    client = Bitflyer("k", "s", transport=transport, retry=NO_RETRY_WAIT)
    with pytest.raises(OrderOutcomeUnknown) as unknown:  # a 502 may hide a cancel that happened
        client.cancel_all_child_orders(body={"product_code": "BTC_JPY"})  # type: ignore[arg-type]
    assert isinstance(unknown.value.__cause__, ServiceUnavailable)
    assert len(seen) == 1


def test_retry_can_be_switched_off() -> None:
    seen, transport = _recorder(lambda request: httpx.Response(503, text=""))
    with pytest.raises(ServiceUnavailable):
        Bitflyer(transport=transport, retry=False).get_markets()
    assert len(seen) == 1


def test_timeouts_become_RequestTimeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(RequestTimeout):
        Bitflyer(transport=httpx.MockTransport(handler), retry=False).get_markets()


def test_spot_warning_is_surfaced_and_does_not_raise() -> None:
    warnings: list[ExchangeWarning] = []
    transport = httpx.MockTransport(_spot_ok({"unixtime": 1, "rfc1123": "x"}, ["WGeneral:Deprecated"]))
    KrakenSpot(transport=transport, on_warning=warnings.append).get_server_time()
    assert [w.message for w in warnings] == ["WGeneral:Deprecated"]
    with pytest.warns(ExchangeWarning, match="Deprecated"):
        KrakenSpot(transport=transport).get_server_time()


def test_futures_rejection_raises_with_the_status() -> None:
    payload = {
        "result": "success",
        "serverTime": "2024-01-01T00:00:00.000Z",
        "sendStatus": {"status": "insufficientAvailableFunds"},
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=payload))
    from kraken_futures_api.models import SendOrderOrderType, SendOrderSide

    client = KrakenFutures("key", SECRET, transport=transport)
    with pytest.raises(OrderRejected) as caught:
        client.send_order(
            order_type=SendOrderOrderType.LMT,
            symbol="PF_XBTUSD",
            side=SendOrderSide.BUY,
            size=Decimal(1),
            limit_price=Decimal("50000.5"),
        )
    assert caught.value.order_status == "insufficientAvailableFunds"


def test_bitflyer_cancel_empty_200_is_success() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b""))
    assert (
        Bitflyer("k", "s", transport=transport).cancel_child_order(
            body={"product_code": "BTC_JPY", "child_order_id": "JOR1"}
        )
        is None
    )  # type: ignore[func-returns-value, arg-type]


def test_injected_client_is_used_and_left_open() -> None:
    seen, transport = _recorder(lambda request: httpx.Response(200, json=[]))
    http = httpx.Client(transport=transport)
    with Bitflyer(http_client=http, base_url="http://local.test") as client:
        client.get_markets()
    assert not http.is_closed
    assert str(seen[0].url) == "http://local.test/v1/getmarkets"
    http.close()


def test_owned_client_is_closed_by_the_context_manager() -> None:
    with Bitflyer(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[]))) as client:
        client.get_markets()
    assert client._http.is_closed


def test_async_facade_calls_and_closes() -> None:
    seen, transport = _recorder(
        lambda request: httpx.Response(
            200, json={"result": "success", "serverTime": "2024-01-01T00:00:00.000Z", "tickers": []}
        )
    )

    async def main() -> None:
        async with AsyncKrakenFutures(transport=_async(transport)) as client:
            tickers = await client.get_tickers()
            assert tickers.tickers == []
        assert client._http.is_closed

    asyncio.run(main())
    assert seen[0].url.path == "/derivatives/api/v3/tickers"


def _async(transport: httpx.MockTransport) -> httpx.MockTransport:
    return transport  # MockTransport serves both sync and async clients


def test_default_timeout_is_finite() -> None:
    client = KrakenSpot()
    assert client._http.timeout.read is not None
    assert client._http.timeout.read <= 30


def test_repr_and_errors_never_show_secrets() -> None:
    client = KrakenSpot("my-api-key", SECRET)
    assert "my-api-key" not in repr(client)
    assert SECRET not in repr(client)


def test_public_names_are_documented() -> None:
    for name in exchange_clients.__all__:
        obj = getattr(exchange_clients, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name


@pytest.mark.slow
def test_type_checkers_see_the_facade_signatures(tmp_path: Path) -> None:
    """mypy rejects a wrong argument type and knows the return type of a facade call."""
    out = _mypy(
        tmp_path,
        "from exchange_clients import Bitflyer\n"
        "client = Bitflyer()\n"
        "reveal_type(client.get_ticker(product_code='BTC_JPY').ltp)\n"
        "client.get_executions(count='10')\n",
    )
    assert 'Revealed type is "decimal.Decimal' in out, out
    assert 'Argument "count" to "get_executions" of "Bitflyer" has incompatible type "str"' in out, out


@pytest.mark.slow
def test_type_checkers_see_iterators_raw_responses_markets_and_options(tmp_path: Path) -> None:
    """The new entry points are typed as precisely as the methods: items, raw results, rounding, options."""
    out = _mypy(
        tmp_path,
        "from exchange_clients import AsyncKrakenSpot, Bitflyer, KrakenSpot\n"
        "client = Bitflyer()\n"
        "reveal_type(client.with_raw_response.get_ticker(product_code='BTC_JPY').result.ltp)\n"
        "for execution in client.iter_get_my_executions(limit=3):\n"
        "    reveal_type(execution)\n"
        "kraken = KrakenSpot()\n"
        "for ledger_id, entry in kraken.iter_get_ledgers():\n"
        "    reveal_type(entry)\n"
        "reveal_type(kraken.markets().get('XBTUSD').round_price('1'))\n"
        "reveal_type(kraken.with_options(timeout=1))\n"
        "async def main() -> None:\n"
        "    async for trade_id, trade in AsyncKrakenSpot().iter_get_trade_history():\n"
        "        reveal_type(trade)\n"
        "client.with_raw_response.get_executions(count='10')\n",
    )
    for revealed in (
        "decimal.Decimal",
        "bitflyer_api.models.my_execution.MyExecution",
        "kraken_spot_api.models.ledger_entry.LedgerEntry",
        "exchange_clients._facades.kraken_spot.KrakenSpot",
        "kraken_spot_api.models.trade.Trade",
    ):
        assert f'Revealed type is "{revealed}"' in out, out
    assert 'Argument "count" to "get_executions" of "BitflyerRawResponses" has incompatible type "str"' in out, out


def _mypy(tmp_path: Path, code: str) -> str:
    """What mypy, configured as the project is, says of ``code`` written as a user would."""
    from mypy import api

    user_code = tmp_path / "user.py"
    user_code.write_text(code)
    root = Path(__file__).resolve().parents[2]
    out, _, _ = api.run(
        [str(user_code), "--config-file", str(root / "pyproject.toml"), "--cache-dir", str(tmp_path / "c")]
    )
    return out


def test_itayose_trades_have_no_taker_side_and_read_without_drift() -> None:
    trade = {"id": 39287, "side": "", "price": 31690, "size": 27.04, "exec_date": "2015-07-08T02:43:34.823",
             "buy_child_order_acceptance_id": "JRF20150707-200203-452209",
             "sell_child_order_acceptance_id": "JRF20150708-024334-060234"}  # fmt: skip
    warnings: list[ExchangeWarning] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[trade]))
    (read,) = Bitflyer(transport=transport, on_warning=warnings.append).get_executions(product_code="BTC_JPY")
    assert read.side == ""
    assert read.side.name == "ITAYOSE"
    assert read.price == Decimal("31690")
    assert warnings == []


def test_private_executions_and_position_updates_read_as_the_venue_sends_them() -> None:
    order = {"uid": "57b4e666-0000-4000-8000-000000000001", "accountUid": "e8d555f5-0000-4000-8000-000000000002",
             "tradeable": "PF_ATOMUSD", "direction": "Buy", "quantity": "1", "filled": "0", "timestamp": 1685130589916,
             "limitPrice": "10.665", "orderType": "IoC", "clientId": "", "reduceOnly": False,
             "lastUpdateTimestamp": 1685130589916}  # fmt: skip
    execution = {"uid": "45c4bb6f-0000-4000-8000-000000000003", "order": order, "timestamp": 1685130589916,
                 "quantity": "1", "price": "10.56", "markPrice": "10.557", "limitFilled": False,
                 "executionType": "taker", "usdValue": "10.56",
                 "orderData": {"positionSize": "3", "fee": "0.00528"}}  # fmt: skip
    executions = {"accountUid": "e8d555f5-0000-4000-8000-000000000002", "len": 1, "elements": [
        {"uid": "6cdb3700-0000-4000-8000-000000000004", "timestamp": 1685130589916,
         "event": {"execution": {"execution": execution, "takerReducedQuantity": ""}}}]}  # fmt: skip
    update = {"accountUid": "e8d555f5-0000-4000-8000-000000000002", "tradeable": "PF_ATOMUSD", "oldPosition": "2",
              "newPosition": "3", "newAverageEntryPrice": "10.5", "positionChange": "increase",
              "timestamp": 1685130589916, "updateReason": "trade"}  # fmt: skip
    element = {"uid": "u1", "timestamp": 1685130589916, "event": {"PositionUpdate": update}}
    positions = {"accountUid": "e8d555f5-0000-4000-8000-000000000002", "len": 1, "elements": [element]}
    answers = iter([executions, positions])
    warnings: list[ExchangeWarning] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=next(answers)))
    client = KrakenFutures("k", SECRET, transport=transport, on_warning=warnings.append, rate_limit=False)
    (element,) = client.get_execution_events().elements
    details = element.event.execution
    assert details.execution.order.tradeable == "PF_ATOMUSD"
    assert details.execution.order_data.fee == Decimal("0.00528")
    assert details.execution.execution_type == "taker"
    (position,) = client.get_position_events().elements
    assert position.event.position_update.new_position == "3"
    assert [str(w) for w in warnings] == []


def test_raw_responses_load_on_first_use_and_the_package_still_exports_them() -> None:
    script = (
        "import sys, httpx, exchange_clients\n"
        "assert 'exchange_clients._raw' not in sys.modules, 'imported with the package'\n"
        "client = exchange_clients.Bitflyer(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[])))\n"
        "raw = client.with_raw_response.get_markets()\n"
        "assert isinstance(raw, exchange_clients.RawResponse) and raw.status_code == 200\n"
        "assert 'RawResponse' in dir(exchange_clients)\n"
        "from exchange_clients import RateLimitHeaders\n"
        "assert isinstance(raw.rate_limit, RateLimitHeaders)\n"
        "try:\n"
        "    exchange_clients.NoSuchName\n"
        "except AttributeError as exc:\n"
        "    assert 'NoSuchName' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('an unknown name was found')\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
