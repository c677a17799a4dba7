"""Hostile arguments: a wrong argument fails with ``InvalidArguments`` naming it, before any request is sent.

For every operation and every parameter of its facade method, values of the wrong type (derived from the
generated ``_get_kwargs`` annotations) are passed next to otherwise valid minimal arguments; for request
models, also dicts missing required fields, instances of another model class, wrong-typed fields and extra
properties that cannot be sent. The mock venue fails the test if it is ever called.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import inspect
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from hostile_support import (
    UNKNOWN_ENUM,
    Case,
    MockVenue,
    case_ids,
    cases,
    concrete_members,
    facade_parameters,
    is_model,
    minimal_arguments,
    minimal_value,
    nested,
    parameter_hints,
    required_fields,
)

from exchange_clients._arguments import _model_hints
from exchange_clients.errors import ExchangeError, InvalidArguments

CASES = cases()
VENUE = MockVenue()
CLIENTS = {case.venue.key: VENUE.sync_client(case.venue) for case in CASES}


class _Stranger:
    """An object no annotation accepts."""

    def __repr__(self) -> str:
        return "<stranger>"


class _ForeignEnum(str, enum.Enum):
    HOSTILE = UNKNOWN_ENUM


# Wrong for most annotations; each parameter gets the ones that do not fit it.
POOL: tuple[tuple[str, Any], ...] = (
    ("int", 1),
    ("bool", True),
    ("float", 1.5),
    ("str", "1"),
    ("unknown enum string", UNKNOWN_ENUM),
    ("member of a foreign enum", _ForeignEnum.HOSTILE),
    ("bytes", b"1"),
    ("NaN decimal", Decimal("NaN")),
    ("infinite decimal", Decimal("-Infinity")),
    ("date string", "2024-01-01T00:00:00Z"),
    ("uuid string", "00000000-0000-0000-0000-000000000001"),
    ("list", ["1"]),
    ("stranger", _Stranger()),
)


def fits(value: Any, annotation: Any) -> bool:
    """Whether the overlay's documented contract accepts ``value`` for ``annotation`` (independent of it)."""
    return any(_fits_one(value, member) for member in concrete_members(annotation))


def _fits_one(value: Any, annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return True
    if origin in (list, tuple, set):
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        return isinstance(value, list | tuple | set | frozenset) and all(fits(v, item) for v in value)
    if origin is dict or annotation is dict:
        return isinstance(value, Mapping)
    if not inspect.isclass(annotation):
        return True
    if issubclass(annotation, enum.Enum):
        raw = value.value if isinstance(value, enum.Enum) else value
        return not isinstance(value, bool) and isinstance(raw, str | int) and raw in annotation._value2member_map_
    if annotation is Decimal:
        return (isinstance(value, Decimal) and value.is_finite()) or (
            isinstance(value, int) and not isinstance(value, bool)
        )
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is datetime.datetime:
        return isinstance(value, datetime.datetime)
    if is_model(annotation):
        return isinstance(value, annotation)
    return isinstance(value, annotation)


def other_model(model: type) -> Any:
    """A minimal instance of some other model class of the same package."""
    module = __import__(model.__module__.split(".", 1)[0] + ".models", fromlist=["__all__"])
    for name in sorted(module.__all__):
        candidate = getattr(module, name)
        if is_model(candidate) and candidate is not model:
            try:
                return minimal_value(candidate)
            except TypeError:
                continue
    raise LookupError(f"no other model next to {model.__name__}")


def wrong_values(annotation: Any) -> list[tuple[str, Any]]:
    """Values that do not fit ``annotation``, each with a label for the failure message."""
    wrong = [(label, value) for label, value in POOL if not fits(value, annotation)]
    for member in concrete_members(annotation):
        if is_model(member):
            wrong.append(("instance of another model", other_model(member)))
            if required_fields(member):
                wrong.append(("dict missing the required fields", {}))
            wrong.append(("dict with a wrong-typed field", wrong_typed_dict(member)))
        if typing.get_origin(member) in (list, tuple, set):
            wrong.append(("list with a stranger", [_Stranger()]))
    return wrong


def wrong_typed_dict(model: type) -> dict[str, Any]:
    """The model's minimal dict form with every value replaced by one that none of the field types accept."""
    data: dict[str, Any] = minimal_value(model).to_dict()
    return {key: [[_Stranger()]] for key in data} or {"hostile_extra": _Stranger()}


def shown(value: Any) -> str:
    """A short repr, even of an int too long for ``repr``."""
    if isinstance(value, int) and value.bit_length() > 1000:
        return f"<int of {value.bit_length()} bits>"
    return f"{value!r:.60}"


def _cycle() -> list[Any]:
    looped: list[Any] = []
    looped.append(looped)
    return looped


def call(case: Case, arguments: dict[str, Any]) -> Any:
    VENUE.refuse_requests()
    return getattr(CLIENTS[case.venue.key], case.name)(**arguments)


def expect_refusal(case: Case, arguments: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """Why the call did not fail as it should, or None when it raised ``InvalidArguments`` naming ``names``."""
    try:
        call(case, arguments)
    except InvalidArguments as exc:
        missing = [name for name in names if f"'{name}'" not in str(exc)]
        if missing:
            return f"InvalidArguments does not name {missing}: {exc}"
        if VENUE.requests:
            return "a request was sent"
        return None
    except AssertionError as exc:
        return f"a request was sent ({exc})"
    except Exception as exc:
        return f"{type(exc).__name__} escaped instead of InvalidArguments: {exc!r}"[:400]
    return "the call succeeded"


PARAMETERS = [pytest.param(case, name, id=f"{case.id}-{name}") for case in CASES for name in facade_parameters(case)]


@pytest.mark.parametrize(("case", "name"), PARAMETERS)
def test_wrong_argument_type_is_refused_before_sending_and_named(case: Case, name: str) -> None:
    annotation = parameter_hints(case)[name]
    problems = []
    for label, value in wrong_values(annotation):
        arguments = {**minimal_arguments(case), name: value}
        problem = expect_refusal(case, arguments, (name,))
        if problem:
            problems.append(f"{label} ({shown(value)}): {problem}")
    assert not problems, f"{case.id} {name}: {annotation}\n" + "\n".join(problems)


def model_parameters() -> list[Any]:
    found = []
    for case in CASES:
        for name, annotation in parameter_hints(case).items():
            models = [member for member in concrete_members(annotation) if is_model(member)]
            if models:
                found.append(pytest.param(case, name, models[0], id=f"{case.id}-{name}"))
    return found


MODEL_PARAMETERS = model_parameters()


def unwritable_values(annotation: Any) -> list[tuple[str, Any]]:
    """Values of the right type that no request can carry: text that is not Unicode, ints Python will not write."""
    members = concrete_members(annotation)
    found: list[tuple[str, Any]] = []
    if str in members:
        found.append(("lone surrogate", "half a pair: \ud83d"))
    if int in members:
        found.append(("int too long to write", -(10**5000)))
    if Decimal in members:
        found.append(("decimal too long to write", Decimal(10**5000)))
    return found


def nested_wrong_values(annotation: Any) -> list[tuple[str, Any, str]]:
    """A nested request model (alone or in a list) whose first field holds a stranger, and that field's name."""
    found: list[tuple[str, Any, str]] = []
    for member in concrete_members(annotation):
        inner = member
        if typing.get_origin(member) in (list, tuple, set):
            inner = concrete_members(typing.get_args(member)[0])[0]
        if is_model(inner):
            instance = minimal_value(inner)
            field = next(iter(_model_hints(inner)))
            setattr(instance, field, _Stranger())
            shaped = instance if inner is member else [instance]
            found.append((f"nested {inner.__name__} with a stranger in {field}", shaped, field))
    return found


@pytest.mark.parametrize(("case", "name", "model"), MODEL_PARAMETERS)
def test_wrong_typed_field_of_a_request_model_is_refused_and_named(case: Case, name: str, model: type) -> None:
    problems = []
    for field, annotation in _model_hints(model).items():
        cases_for_field: list[tuple[str, Any, tuple[str, ...]]] = [
            (label, value, (name, field)) for label, value in wrong_values(annotation)[:3]
        ]
        cases_for_field += [(label, value, (name, field)) for label, value in unwritable_values(annotation)]
        cases_for_field += [
            (label, value, (name, field, inner)) for label, value, inner in nested_wrong_values(annotation)
        ]
        body = case.operation.body
        keyword = {attribute: kwarg for kwarg, attribute in body.fields}.get(field, field) if body else field
        for label, value, names in cases_for_field:
            arguments = minimal_arguments(case, chosen=keyword)
            instance = arguments[name] if isinstance(arguments.get(name), model) else minimal_value(model)
            setattr(instance, field, value)
            problem = expect_refusal(case, {**arguments, name: instance}, names)
            if problem:
                problems.append(f"field {field} = {label} ({shown(value)}): {problem}")
    assert not problems, f"{case.id} {name} ({model.__name__})\n" + "\n".join(problems)


UNSENDABLE_EXTRAS: tuple[tuple[str, Any], ...] = (
    ("NaN decimal", Decimal("NaN")),
    ("infinite decimal", Decimal("Infinity")),
    ("float", 0.1),
    ("stranger", _Stranger()),
    ("set", {1, 2}),
    ("bytes", b"\xff"),
    ("datetime", datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)),
    ("lone surrogate", "\ud800"),
    ("non-string key", {1: "x"}),
    ("NaN in a list in a dict", {"a": [Decimal("1"), Decimal("NaN")]}),
    ("5,000 levels of lists", nested([], 5000)),
    ("a list that holds itself", _cycle()),
    ("int too long to write", 10**5000),
)


@pytest.mark.parametrize(("case", "name", "model"), MODEL_PARAMETERS)
def test_unsendable_extra_property_of_a_request_model_is_refused_before_sending(
    case: Case, name: str, model: type
) -> None:
    problems = []
    for label, value in UNSENDABLE_EXTRAS:
        instance = minimal_value(model)
        as_dict = {**instance.to_dict(), "hostile_extra": value}
        instance.additional_properties["hostile_extra"] = value
        for form, body in (("model", instance), ("dict", as_dict)):
            problem = expect_refusal(case, {**minimal_arguments(case), name: body}, (name, "hostile_extra"))
            if problem:
                problems.append(f"{label} as an extra of a {form}: {problem}")
    assert not problems, f"{case.id} {name} ({model.__name__})\n" + "\n".join(problems)


WRITABLE_PARAMETERS = [
    pytest.param(case, name, id=f"{case.id}-{name}")
    for case in CASES
    for name, annotation in parameter_hints(case).items()
    if unwritable_values(annotation)
]


@pytest.mark.parametrize(("case", "name"), WRITABLE_PARAMETERS)
def test_argument_no_request_can_carry_is_refused_before_sending_and_named(case: Case, name: str) -> None:
    problems = []
    for label, value in unwritable_values(parameter_hints(case)[name]):
        problem = expect_refusal(case, {**minimal_arguments(case, chosen=name), name: value}, (name,))
        if problem:
            problems.append(f"{label}: {problem}")
    assert not problems, f"{case.id} {name}\n" + "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=case_ids)
def test_minimal_valid_arguments_reach_the_venue(case: Case) -> None:
    """The baseline the refusals are measured against: the same arguments, valid, are sent."""
    VENUE.answer(case.documented_response())
    with contextlib.suppress(ExchangeError):  # a few documented examples do not parse; the request is the point
        getattr(CLIENTS[case.venue.key], case.name)(**minimal_arguments(case))
    assert len(VENUE.requests) == 1
