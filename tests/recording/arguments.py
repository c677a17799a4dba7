"""Facade keyword arguments for every operation, from the document's examples.

Two steps, so a cassette can carry its arguments as plain data:

* :func:`raw_arguments` (recording only; needs the final documents): the stand-in's request values
  (:func:`standin.requests.request_values`: required parameters and the request body, from examples),
  plus optional query parameters that carry a documented example, renamed to the generated snake_case
  keyword names, plus a few hand-picked values where the document has none (``PLACEHOLDER_VALUES``,
  ``EXTRA_ARGUMENTS``: a futures symbol, a limit price for a limit order). Values stay JSON values.
* :func:`typed_arguments` (recording and replay): each JSON value converted to what the generated
  ``_get_kwargs`` annotation asks for: ``Decimal(str(x))`` for decimals, ``datetime``/``date``/``UUID``
  from their strings; enum values stay strings and request bodies stay dicts, as a caller may pass them
  (the facade converts both).
"""

from __future__ import annotations

import datetime
import enum
import importlib
import inspect
import json
import re
import types
import typing
import uuid
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs
from dateutil.parser import isoparse  # type: ignore[import-untyped]

from exchange_clients._runtime import Operation

if TYPE_CHECKING:
    from standin import Operation as StandinOperation
    from standin import Venue

__all__ = [
    "ArgumentError",
    "generated_signature",
    "python_name",
    "raw_arguments",
    "spec_operation",
    "typed_arguments",
]


class ArgumentError(ValueError):
    """A document value that does not fit the generated annotation, or a name with no keyword."""


@cache
def generated_signature(module: str) -> tuple[inspect.Signature, dict[str, Any]]:
    """The generated ``_get_kwargs``'s signature and resolved type hints (what the facade checks against)."""
    function = importlib.import_module(module)._get_kwargs
    return inspect.signature(function), typing.get_type_hints(function)


# --- names ---------------------------------------------------------------------------------------

_DELIMITERS = r"\. _-"


def python_name(spec_name: str, keywords: Mapping[str, Any]) -> str:
    """The generated keyword for a document parameter name (openapi-python-client's snake_case rules).

    ``snake_case`` as in ``openapi_python_client.strings``; a name that is a builtin or keyword gets a
    trailing ``_``. Checked against the real signature, so a generator change fails loudly here.
    """
    sanitized = "".join(c for c in spec_name if c.isidentifier() or c.isdecimal() or c in _DELIMITERS)
    if any(c.isupper() for c in sanitized):
        sanitized = " ".join(re.split("([A-Z]?[a-z]+)", sanitized))
    snake = "_".join(re.findall(rf"[^{re.escape(_DELIMITERS)}]+", sanitized)).lower()
    for candidate in (snake, f"{snake}_"):
        if candidate in keywords:
            return candidate
    raise ArgumentError(f"no generated keyword for document parameter {spec_name!r} (tried {snake!r})")


# --- building the arguments from the document (recording) ----------------------------------------

# Parameters the document gives no example for get the synthesizer's "string"; these read better real.
PLACEHOLDER_VALUES: dict[tuple[str, str], Any] = {
    ("futures", "symbol"): "PF_XBTUSD",
    ("futures", "tradeable"): "PF_XBTUSD",
}
# Calls that are not realistic with their required parameters alone: optional keywords added (JSON values).
EXTRA_ARGUMENTS: dict[tuple[str, str], dict[str, Any]] = {
    ("futures", "send_order"): {"limit_price": 50000.5, "cli_ord_id": "my-order-1"},
    ("futures", "cancel_order"): {"order_id": "c18f0c17-9971-40e6-8e5b-10df05d422f0"},
    ("futures", "edit_order"): {"order_id": "c18f0c17-9971-40e6-8e5b-10df05d422f0", "limit_price": 50001.5},
    # The parent order to look up (one of the two ids is required: the operation's x-arguments rule).
    ("bitflyer", "get_parent_order"): {"parent_order_id": "JCP20150825-046876-036161"},
}


def raw_arguments(venue: Venue, op: Operation) -> tuple[dict[str, Any], list[str]]:
    """JSON-valued facade arguments for ``op``, keyed by generated keyword name, from the document.

    Also returns the required document parameters that have no generated keyword at all (a ``content``
    parameter, which openapi-python-client leaves out): the facade cannot send them.
    """
    import standin
    from standin.requests import param_sample, request_values

    spec_op = spec_operation(venue, op)
    spec = standin.load_spec(venue)
    signature, hints = generated_signature(op.module)
    keywords = signature.parameters
    values = request_values(spec_op)
    arguments: dict[str, Any] = {}
    unsent: list[str] = []
    by_name = {(param["name"], param["in"]): param for param in spec_op.parameters}
    located = [*((n, v, "path") for n, v in values.path.items()), *((n, v, "query") for n, v in values.query.items())]
    for spec_name, sampled, where in located:
        if "content" in by_name[(spec_name, where)] and not _has_keyword(spec_name, keywords):
            unsent.append(spec_name)
            continue
        value = PLACEHOLDER_VALUES.get((venue, spec_name), sampled) if sampled == "string" else sampled
        arguments[python_name(spec_name, keywords)] = value
    for param in spec_op.params_in("query"):
        if param.get("required") or not _has_documented_example(param):
            continue
        name = python_name(param["name"], keywords)
        value = param_sample(spec, param)
        if _fits(value, hints[name]):
            arguments[name] = value
    if values.media_type is not None:
        if "body" not in keywords:
            raise ArgumentError(f"{venue} {op.name}: the document has a request body, _get_kwargs takes none")
        arguments["body"] = values.body
    for name, value in EXTRA_ARGUMENTS.get((venue, op.name), {}).items():
        if name not in keywords:
            raise ArgumentError(f"{venue} {op.name}: EXTRA_ARGUMENTS names {name!r}, which _get_kwargs does not take")
        arguments[name] = value
    missing = [
        name
        for name, parameter in keywords.items()
        if parameter.default is inspect.Parameter.empty and name not in arguments and name != "body"
    ]
    if missing:
        raise ArgumentError(f"{venue} {op.name}: required keywords without a document value: {missing}")
    return arguments, unsent


def spec_operation(venue: Venue, op: Operation) -> StandinOperation:
    """The stand-in's (the final document's) operation behind a facade operation."""
    import standin

    table = standin.route_table(venue)
    template = _template(op.path)
    found = [o for o in table.operations if o.method == op.method and _template(o.route) == template]
    if len(found) != 1:
        raise ArgumentError(f"{venue} {op.name}: {len(found)} document operations for {op.method} {op.path}")
    return found[0]


def _template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _has_keyword(spec_name: str, keywords: Mapping[str, Any]) -> bool:
    try:
        python_name(spec_name, keywords)
    except ArgumentError:
        return False
    return True


def _has_documented_example(param: Mapping[str, Any]) -> bool:
    schema = param.get("schema") or {}
    return "example" in param or bool(param.get("examples")) or "example" in schema


def _fits(value: Any, annotation: Any) -> bool:
    try:
        convert(value, annotation)
    except ArgumentError:
        return False
    return True


# --- typing the arguments (recording and replay) -------------------------------------------------


def typed_arguments(op: Operation, raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` (JSON values) converted to the types the generated function's annotations ask for."""
    _, hints = generated_signature(op.module)
    typed = {}
    for name, value in raw.items():
        if name not in hints:
            raise ArgumentError(f"{op.name}: _get_kwargs has no keyword {name!r}")
        try:
            typed[name] = convert(value, hints[name])
        except ArgumentError as exc:
            raise ArgumentError(f"{op.name}: argument {name!r}: {exc}") from None
    return typed


def convert(value: Any, annotation: Any) -> Any:
    """One JSON value as ``annotation`` wants it (the first union member that takes it)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if not _is_unset(m)]
        if value is None and type(None) in members:
            return None
        # A member that takes the value as it is wins over one that would convert it.
        for member in sorted(members, key=lambda m: not _takes_as_is(value, m)):
            try:
                return convert(value, member)
            except ArgumentError:
                continue
        raise ArgumentError(f"{value!r} fits none of {annotation}")
    if annotation is Any:
        return value
    if annotation is type(None):
        if value is None:
            return None
        raise ArgumentError(f"{value!r} is not None")
    if origin in (list, tuple, set):
        if not isinstance(value, list):
            raise ArgumentError(f"{value!r} is not a list")
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        return [convert(element, item) for element in value]
    if origin is dict or annotation is dict:
        if not isinstance(value, dict):
            raise ArgumentError(f"{value!r} is not an object")
        return _exact(value)
    if inspect.isclass(annotation):
        return _convert_class(value, annotation)
    return value


def _convert_class(value: Any, annotation: type) -> Any:
    if issubclass(annotation, enum.Enum):
        known = {member.value for member in annotation}
        if isinstance(value, str | int) and not isinstance(value, bool) and value in known:
            return value  # as a caller may write it; the facade makes the enum member
        raise ArgumentError(f"{value!r} is not a {annotation.__name__}")
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise ArgumentError(f"{value!r} is not a bool")
    if annotation is Decimal:
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                return Decimal(str(value))
            except ArithmeticError:
                pass
        raise ArgumentError(f"{value!r} is not a decimal")
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            return int(value)
        raise ArgumentError(f"{value!r} is not an int")
    if annotation is str:
        if isinstance(value, str):
            return value
        raise ArgumentError(f"{value!r} is not a string")
    if annotation is datetime.datetime:
        if isinstance(value, str):
            try:
                return isoparse(value)
            except ValueError:
                pass
        raise ArgumentError(f"{value!r} is not an ISO 8601 date-time")
    if annotation is datetime.date:
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise ArgumentError(f"{value!r} is not an ISO 8601 date")
    if annotation is uuid.UUID:
        if isinstance(value, str):
            try:
                return uuid.UUID(value)
            except ValueError:
                pass
        raise ArgumentError(f"{value!r} is not a UUID")
    if attrs.has(annotation) and hasattr(annotation, "from_dict"):
        if isinstance(value, dict):
            return _exact(value)  # the facade turns a dict into the request model
        raise ArgumentError(f"{value!r} is not an object for {annotation.__name__}")
    if isinstance(value, annotation):
        return value
    raise ArgumentError(f"{value!r} is not a {annotation.__name__}")


def _takes_as_is(value: Any, annotation: Any) -> bool:
    plain = {str: str, bool: bool, int: int}
    kind = plain.get(annotation)
    return kind is not None and type(value) is kind


def _is_unset(annotation: Any) -> bool:
    return inspect.isclass(annotation) and annotation.__name__ == "Unset"


def _exact(value: Any) -> Any:
    """A JSON value with every non-integer number as ``Decimal`` (the facade refuses binary floats)."""
    loaded: Any = json.loads(json.dumps(value), parse_float=Decimal)
    return loaded
