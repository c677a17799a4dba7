"""Check a call's arguments against the generated function's type hints before anything is sent.

A wrong type would otherwise surface as an ``AttributeError`` deep inside generated ``to_dict`` code, or
worse, be sent. Conversions are the lossless ones only: an enum's string value to the enum, an ``int`` to
``Decimal``, a ``dict`` to the request model. A ``float`` where the venue takes a decimal is refused:
binary floats do not hold prices exactly.
"""

from __future__ import annotations

import copy
import datetime
import enum
import importlib
import inspect
import sys
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

import attrs

from exchange_clients._data_checks import Mismatch, check_data, conform_decimal
from exchange_clients.errors import InvalidArguments

__all__ = [
    "check_arguments",
    "check_path_parameters",
    "check_rules",
    "check_url_length",
    "plain_types",
    "with_body",
]

# Beyond this, servers and proxies refuse the request line (8 KiB is the common default); so do we, before sending.
MAX_URL_LENGTH = 8000


def check_arguments(
    venue: str,
    operation: str,
    required: tuple[str, ...],
    hints: Mapping[str, Any],
    args: Mapping[str, Any],
    unset_type: type,
    plain: Mapping[str, type | None],
) -> dict[str, Any]:
    """Return the keyword arguments for ``_get_kwargs``: checked, converted, and without unset values.

    ``required`` names the parameters without a default; ``hints`` are the generated function's type hints, and
    ``plain`` their ``plain_types``.
    """
    checked: dict[str, Any] = {}
    for name, value in args.items():
        kind = type(value)
        if kind is unset_type:
            continue
        try:
            if kind is plain.get(name):
                checked[name] = conform_decimal(value) if kind is Decimal else value
            else:
                checked[name] = _conform(value, hints[name], unset_type)
        except Mismatch as exc:
            raise InvalidArguments(
                f"{venue} {operation}: argument {name!r} {exc}", venue=venue, code="client-side"
            ) from None
    for name in required:
        if name not in checked:
            checked[name] = _default_model(venue, operation, name, hints.get(name))
    return checked


def check_path_parameters(venue: str, operation: str, names: tuple[str, ...], args: Mapping[str, Any]) -> None:
    """Refuse a path parameter that would change which endpoint is called: ``..`` and ``.`` are path segments
    (``tradeable=".."`` would climb out of the endpoint), and an empty one leaves the path malformed."""
    for name in names:
        value = args.get(name)
        if isinstance(value, str) and value.strip() in ("", ".", ".."):
            raise InvalidArguments(
                f"{venue} {operation}: argument {name!r} {value!r} is not a value a path can carry",
                venue=venue,
                code="client-side",
            )


def check_url_length(venue: str, operation: str, url: str) -> None:
    if len(url) > MAX_URL_LENGTH:
        raise InvalidArguments(
            f"{venue} {operation}: the request URL would be {len(url)} characters (at most {MAX_URL_LENGTH})",
            venue=venue,
            code="client-side",
        )


def with_body(
    venue: str, operation: str, body: Any, model: type, args: Mapping[str, Any], unset_type: type
) -> dict[str, Any]:
    """``args`` with the request body built from the fields given as keyword arguments (``body`` describes them).

    ``body=`` a ready model is the alternative; giving both is refused, since which should win is a guess.
    """
    names = _field_names(body)
    given: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for name, value in args.items():  # one pass: a facade passes every keyword, most of them unset
        if name not in names:
            rest[name] = value
        elif type(value) is not unset_type:
            given[name] = value
    if not given:
        return rest
    if type(rest.get("body")) is not unset_type and "body" in rest:
        raise InvalidArguments(
            f"{venue} {operation}: pass body= or the body's fields ({', '.join(sorted(given))}), not both",
            venue=venue,
            code="client-side",
        )
    missing = [name for name in body.required if name not in given]
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        raise InvalidArguments(f"{venue} {operation}: argument {listed} is required", venue=venue, code="client-side")
    attribute = dict(body.fields)
    hints = _model_hints(model)
    fields = {}
    for name, value in given.items():
        try:
            fields[attribute[name]] = _conform(value, hints[attribute[name]], unset_type)
        except Mismatch as exc:  # named as the caller wrote it (type=, not the model's type_)
            raise InvalidArguments(
                f"{venue} {operation}: argument {name!r} {exc}", venue=venue, code="client-side"
            ) from None
    rest["body"] = model(**fields)
    return rest


@cache
def _field_names(body: Any) -> frozenset[str]:
    return frozenset(name for name, _ in body.fields)


def check_rules(
    venue: str, operation: str, rules: tuple[tuple[str, tuple[tuple[str, str], ...]], ...], request: Mapping[str, Any]
) -> None:
    """Refuse a request that breaks a rule the venue states (``exactly_one``/``at_most_one``/``at_least_one`` of a
    group of fields),
    judged on the fields the request really carries (``request`` is the generated ``_get_kwargs`` result)."""
    sent: dict[str, Any] = {}
    for part in ("params", "json", "data"):
        if isinstance(request.get(part), Mapping):
            sent.update(request[part])
    for rule, group in rules:
        present = [shown for wire, shown in group if sent.get(wire) is not None]
        names = ", ".join(shown for _, shown in group)
        if rule == "exactly_one" and len(present) != 1:
            problem = f"give exactly one of {names}" + (f" (got {', '.join(present)})" if present else "")
        elif rule == "at_most_one" and len(present) > 1:
            problem = f"give at most one of {names} (got {', '.join(present)})"
        elif rule == "at_least_one" and not present:
            problem = f"give at least one of {names}"
        else:
            continue
        raise InvalidArguments(f"{venue} {operation}: {problem}", venue=venue, code="client-side")


def _default_model(venue: str, operation: str, name: str, annotation: Any) -> Any:
    """A request body whose fields are all optional may be left out; send the empty model."""
    if inspect.isclass(annotation) and hasattr(annotation, "from_dict"):
        try:
            return annotation()
        except TypeError:
            pass
    raise InvalidArguments(f"{venue} {operation}: argument {name!r} is required", venue=venue, code="client-side")


def _describe(annotation: Any) -> str:
    if inspect.isclass(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _conform(value: Any, annotation: Any, unset_type: type) -> Any:
    if _passes_unchanged(value, annotation, unset_type):
        return value
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return _conform_union(value, typing.get_args(annotation), unset_type)
    if annotation is Any:
        check_data(value)  # sent as it is, so it must be data the body can carry
        return value
    if annotation is type(None):
        if value is None:
            return None
        raise Mismatch(f"must be None, got {type(value).__name__}")
    if origin in (list, tuple, set):
        return _conform_list(value, annotation, unset_type)
    if origin is dict or annotation is dict:
        if isinstance(value, Mapping):
            return dict(value)
        raise Mismatch(f"must be a dict, got {type(value).__name__}")
    if inspect.isclass(annotation):
        return _conform_class(value, annotation)
    return value


def _passes_unchanged(value: Any, annotation: Any, unset_type: type) -> bool:
    """A shortcut for the commonest cases, which ``_conform`` would return as they are: a str, int or bool, or a
    known member of an enum, where the annotation (or a union's first member) is exactly that type."""
    kind: type = type(value)
    try:
        first = _first_member(annotation, unset_type)
    except TypeError:  # an unhashable annotation
        return False
    if first is not kind:
        return False
    if kind in (str, int, bool):
        return True
    return isinstance(value, enum.Enum) and value._value_ in kind._value2member_map_


@lru_cache(maxsize=4096)
def _first_member(annotation: Any, unset_type: type) -> Any:
    """The annotation, or a union's first member other than Unset: members are tried in order, and an
    earlier one may convert a value a later one would take as it is (Decimal | int turns 1 into Decimal(1))."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        concrete = [member for member in typing.get_args(annotation) if member is not unset_type]
        return concrete[0] if concrete else None
    return annotation


def _conform_union(value: Any, members: tuple[Any, ...], unset_type: type) -> Any:
    concrete = [member for member in members if member is not unset_type]
    if len(concrete) == 1:  # X | Unset, the usual optional argument
        return _conform(value, concrete[0], unset_type)
    problems = []
    for member in concrete:
        try:
            return _conform(value, member, unset_type)
        except Mismatch as exc:
            problems.append(str(exc))
    if len(problems) == 1:
        raise Mismatch(problems[0])
    raise Mismatch(f"must be one of {', '.join(_describe(m) for m in concrete)}, got {type(value).__name__}")


def _conform_list(value: Any, annotation: Any, unset_type: type) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
        raise Mismatch(f"must be a list, got {type(value).__name__}")
    (item_type,) = typing.get_args(annotation)[:1] or (Any,)
    items = []
    for index, item in enumerate(value):
        try:
            items.append(_conform(item, item_type, unset_type))
        except Mismatch as exc:
            raise Mismatch(f"item {index} {exc}") from None
    return items


def _conform_class(value: Any, annotation: type) -> Any:
    if issubclass(annotation, enum.Enum):
        return _conform_enum(value, annotation)
    if annotation is Decimal:
        return conform_decimal(value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise Mismatch(f"must be a bool, got {type(value).__name__}")
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise Mismatch(f"must be an int, got {type(value).__name__}")
    if annotation is datetime.datetime and isinstance(value, datetime.datetime):
        return value
    if annotation is datetime.date and isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    # A model of another class is refused, even one that is a Mapping (pair -> ticker): it is not data the user wrote.
    if (
        isinstance(value, Mapping)
        and not attrs.has(type(value))
        and attrs.has(annotation)
        and hasattr(annotation, "from_dict")
    ):
        return _strict_from_dict(annotation, value)
    if isinstance(value, annotation):
        return _conform_model(value) if attrs.has(annotation) else value
    raise Mismatch(f"must be {annotation.__name__}, got {type(value).__name__}")


def _strict_from_dict(model: type, value: Mapping[str, Any]) -> Any:
    """``model.from_dict(value)``, refused where it differs from the schema: generated models read answers tolerantly
    (a missing field stays unset, a retyped one is kept), but what we send must be exactly what the venue documents."""
    drifts_var = _package_types(model).DRIFTS
    drifts: list[Any] = []
    token = drifts_var.set(drifts)
    try:
        parsed = model.from_dict(value)  # type: ignore[attr-defined]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Mismatch(f"is not a valid {model.__name__}: {type(exc).__name__}: {exc}") from None
    finally:
        drifts_var.reset(token)
    parsed = _conform_model(parsed)  # first: its messages name the field and say what to pass instead
    if drifts:
        first = drifts[0]
        where = "" if first.model == model.__name__ else f"{first.model}."
        raise Mismatch(
            f"is not a valid {model.__name__}: {where}{first.field} must be {first.expected}, got {first.found}"
        )
    return parsed


def _conform_model(model: Any) -> Any:
    """Check a request model's fields too: ``from_dict`` and the constructor take any value as it comes."""
    model_type: type = type(model)
    unset_type = _package_unset(model_type)
    changed = {}
    for name, annotation, optional, plain in _model_plan(model_type):
        value = getattr(model, name)
        kind = type(value)
        if kind is unset_type:
            if not optional:
                raise Mismatch(f"field {name!r} is required")
            continue
        try:
            if kind is plain:  # a str, int, bool or member of the enum asked for: nothing to check or convert
                if kind is not Decimal:
                    continue
                conformed = conform_decimal(value)
            else:
                conformed = _conform(value, annotation, unset_type)
        except Mismatch as exc:
            raise Mismatch(f"field {name!r} {exc}") from None
        if conformed is not value:
            changed[name] = conformed
    # Properties the model does not declare (from a dict's unknown keys, or set by hand) are sent as they are.
    for key, value in getattr(model, "additional_properties", {}).items():
        try:
            check_data(value)
        except Mismatch as exc:
            raise Mismatch(f"extra property {key!r} {exc}") from None
    if not changed:
        return model
    fixed = copy.copy(model)  # the caller's object stays as it was
    for name, conformed in changed.items():
        setattr(fixed, name, conformed)
    return fixed


class _LazyNames(dict[str, Any]):
    """Resolves names a model imports only for type checkers, through its package's lazy ``models``."""

    def __init__(self, models: Any) -> None:
        super().__init__()
        self._models = models

    def __missing__(self, name: str) -> Any:
        try:
            return getattr(self._models, name)
        except AttributeError:
            raise KeyError(name) from None  # eval then looks in the module's globals and builtins


@cache
def _model_hints(cls: type) -> dict[str, Any]:
    package = cls.__module__.split(".", 1)[0]
    models = importlib.import_module(f"{package}.models")
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]), _LazyNames(models))
    return {field.name: hints[field.name] for field in attrs.fields(cls) if field.init}


@cache
def _model_plan(cls: type) -> tuple[tuple[str, Any, bool, type | None], ...]:
    """Per field of a request model: its name, annotation, whether it may be unset, and the plain type (str, int,
    bool, an enum, or Decimal) a value of exactly which needs no union walked (a Decimal is still checked); worked out
    once per class, since every order checks them."""
    unset_type = _package_unset(cls)
    plan = []
    for name, annotation in _model_hints(cls).items():
        plan.append((name, annotation, _may_be_unset(annotation, unset_type), _plain(annotation, unset_type)))
    return tuple(plan)


def _plain(annotation: Any, unset_type: type) -> type | None:
    """The type (str, int, bool, an enum, or Decimal) a value of exactly which conforms to ``annotation`` without
    walking its union (a Decimal is still checked); None where there is none."""
    try:
        first = _first_member(annotation, unset_type)
    except TypeError:  # an unhashable annotation
        return None
    return first if first in (str, int, bool, Decimal) or _is_enum(first) else None


def plain_types(hints: Mapping[str, Any], unset_type: type) -> dict[str, type | None]:
    """Per parameter, its plain type (see ``_plain``): worked out once per operation by the caller."""
    return {name: _plain(annotation, unset_type) for name, annotation in hints.items()}


@cache
def _package_types(cls: type) -> Any:
    return importlib.import_module(f"{cls.__module__.split('.', 1)[0]}.types")


def _package_unset(cls: type) -> type:
    unset: type = _package_types(cls).Unset
    return unset


def _is_enum(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, enum.Enum)


def _may_be_unset(annotation: Any, unset_type: type) -> bool:
    return annotation is unset_type or unset_type in typing.get_args(annotation)


def _conform_enum(value: Any, annotation: type[enum.Enum]) -> enum.Enum:
    known = annotation._value2member_map_
    raw = value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, (annotation, str, int)) and not isinstance(value, bool) and raw in known:
        return annotation(raw)
    allowed = ", ".join(repr(v) for v in known)
    raise Mismatch(f"must be a {annotation.__name__} ({allowed}), got {value!r}")
