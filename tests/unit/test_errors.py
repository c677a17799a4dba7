"""The shared exception tree: classes by meaning, context on every instance, safe str and repr."""

from __future__ import annotations

import inspect
import pickle
import warnings
from typing import Any

import pytest

from exchange_clients import errors
from exchange_clients.errors import (
    AuthenticationError,
    CoordinationUnavailable,
    ExchangeError,
    ExchangeWarning,
    FundsRejected,
    InsufficientFunds,
    InvalidArguments,
    InvalidNonce,
    MissingCredentials,
    NotFound,
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    SchemaDrift,
    ServiceUnavailable,
    TransportError,
    UnexpectedResponse,
    UnknownOrderStatus,
)

BODY = b'{"error":["EOrder:Insufficient funds"],"secret-looking-marker":"BODY-ONLY-7f3a"}'
CONTEXT: dict[str, Any] = {
    "venue": "Kraken Spot",
    "code": "EOrder:Insufficient funds",
    "venue_message": "Insufficient funds",
    "http_status": 200,
    "method": "POST",
    "path": "/0/private/AddOrder",
    "body": BODY,
}
ALL_ERRORS = [
    ExchangeError,
    AuthenticationError,
    InvalidNonce,
    PermissionDenied,
    MissingCredentials,
    RateLimited,
    InsufficientFunds,
    InvalidArguments,
    OrderRejected,
    OrderNotFound,
    FundsRejected,
    NotFound,
    ServiceUnavailable,
    TransportError,
    RequestTimeout,
    CoordinationUnavailable,
    UnexpectedResponse,
]
ALL_WARNINGS = [ExchangeWarning, SchemaDrift, UnknownOrderStatus]
# Takes the call's own context (operation, sent_at) besides the venue's.
OUTCOME_UNKNOWN = errors.OrderOutcomeUnknown


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (ExchangeError, Exception),
        (AuthenticationError, ExchangeError),
        (InvalidNonce, AuthenticationError),
        (PermissionDenied, ExchangeError),
        (MissingCredentials, ExchangeError),
        (RateLimited, ExchangeError),
        (InsufficientFunds, ExchangeError),
        (InvalidArguments, ExchangeError),
        (OrderRejected, ExchangeError),
        (OrderNotFound, OrderRejected),
        (OrderNotFound, NotFound),
        (FundsRejected, OrderRejected),
        (FundsRejected, InsufficientFunds),
        (NotFound, ExchangeError),
        (ServiceUnavailable, ExchangeError),
        (TransportError, ExchangeError),
        (RequestTimeout, TransportError),
        (CoordinationUnavailable, ExchangeError),
        (UnexpectedResponse, ExchangeError),
        (errors.OrderOutcomeUnknown, ExchangeError),
        (ExchangeWarning, UserWarning),
        (SchemaDrift, ExchangeWarning),
        (UnknownOrderStatus, ExchangeWarning),
    ],
)
def test_tree_classifies_errors_by_meaning(cls: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(cls, parent)


def test_exchange_warning_is_not_an_exchange_error() -> None:
    assert not issubclass(ExchangeWarning, ExchangeError)
    assert not issubclass(ExchangeError, Warning)


def test_all_exports_every_public_class_of_the_module() -> None:
    defined_here = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and value.__module__ == errors.__name__ and not name.startswith("_")
    }
    assert (
        set(errors.__all__) == defined_here == {cls.__name__ for cls in [*ALL_ERRORS, *ALL_WARNINGS, OUTCOME_UNKNOWN]}
    )


@pytest.mark.parametrize("cls", [*ALL_ERRORS, ExchangeWarning])
def test_every_class_documents_when_it_is_raised(cls: type[Exception]) -> None:
    assert cls.__doc__
    assert cls.__doc__.strip()


@pytest.mark.parametrize("cls", [*ALL_ERRORS, ExchangeWarning])
def test_every_instance_carries_the_call_context(cls: type[ExchangeError]) -> None:
    exc = cls("EOrder:Insufficient funds", **CONTEXT)
    for name, value in CONTEXT.items():
        assert getattr(exc, name) == value
    assert exc.message == "EOrder:Insufficient funds"
    assert exc.args == ("EOrder:Insufficient funds",)


def test_context_fields_default_to_none_except_the_venue() -> None:
    exc = MissingCredentials("no keys", venue="bitFlyer")
    assert (exc.code, exc.venue_message, exc.http_status, exc.method, exc.path, exc.body) == (None,) * 6


def test_context_fields_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        ExchangeError("message", "Kraken Spot")  # type: ignore[call-arg]


def test_str_is_one_line_naming_venue_method_path_message_and_http_status() -> None:
    exc = InsufficientFunds("EOrder:Insufficient funds", **CONTEXT)
    assert str(exc) == "Kraken Spot POST /0/private/AddOrder: EOrder:Insufficient funds (HTTP 200)"


def test_str_leaves_out_context_that_is_unknown() -> None:
    exc = MissingCredentials("pass api_key and api_secret", venue="bitFlyer", method="GET", path="/v1/me/getbalance")
    assert str(exc) == "bitFlyer GET /v1/me/getbalance: pass api_key and api_secret"
    assert str(RequestTimeout("ReadTimeout", venue="Kraken Futures")) == "Kraken Futures: ReadTimeout"


@pytest.mark.parametrize("cls", [*ALL_ERRORS, ExchangeWarning])
def test_repr_shows_class_and_context_but_never_the_body(cls: type[ExchangeError]) -> None:
    text = repr(cls("EOrder:Insufficient funds", **CONTEXT))
    assert text.startswith(f"{cls.__name__}(venue='Kraken Spot', code='EOrder:Insufficient funds', http_status=200,")
    assert "method='POST', path='/0/private/AddOrder'" in text
    assert "BODY-ONLY-7f3a" not in text
    assert "body" not in text


def test_rate_limited_keeps_retry_after_and_shows_it_in_repr() -> None:
    exc = RateLimited("EAPI:Rate limit exceeded", retry_after=2.5, **CONTEXT)
    assert exc.retry_after == 2.5
    assert repr(exc).endswith("retry_after=2.5)")
    assert RateLimited("x", venue="bitFlyer").retry_after is None


def test_order_rejected_keeps_the_failing_status_and_every_status_as_a_tuple() -> None:
    exc = OrderRejected(
        "batchStatus[1].status = selfFill",
        order_status="selfFill",
        statuses=["placed", "selfFill"],
        venue="Kraken Futures",
    )
    assert exc.order_status == "selfFill"
    assert exc.statuses == ("placed", "selfFill")
    assert repr(exc).endswith("order_status='selfFill', statuses=('placed', 'selfFill'))")
    assert OrderNotFound("gone", venue="Kraken Futures").statuses == ()


@pytest.mark.parametrize("cls", [*ALL_ERRORS, ExchangeWarning])
def test_errors_survive_pickling_with_their_context(cls: type[ExchangeError]) -> None:
    exc = cls("EOrder:Insufficient funds", **CONTEXT)
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is cls
    assert str(copy) == str(exc)
    assert copy.body == BODY


def test_pickling_keeps_subclass_fields() -> None:
    limited = pickle.loads(pickle.dumps(RateLimited("slow down", retry_after=3.0, venue="bitFlyer")))
    rejected = pickle.loads(
        pickle.dumps(OrderNotFound("gone", order_status="notFound", statuses=["notFound"], venue="x"))
    )
    assert limited.retry_after == 3.0
    assert (rejected.order_status, rejected.statuses) == ("notFound", ("notFound",))


def test_exchange_warning_can_be_issued_with_warnings_warn() -> None:
    warning = ExchangeWarning(
        "WAPI:Deprecated endpoint", venue="Kraken Spot", http_status=200, method="POST", path="/0/private/Balance"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(warning, stacklevel=1)
    assert caught[0].message is warning
    assert str(caught[0].message) == "Kraken Spot POST /0/private/Balance: WAPI:Deprecated endpoint (HTTP 200)"
