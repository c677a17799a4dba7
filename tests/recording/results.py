"""What the replay tests check a typed result against: the facade's annotation and the served answer."""

from __future__ import annotations

import datetime
import enum
import importlib
import inspect
import json
import re
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import attrs
from dateutil.parser import isoparse  # type: ignore[import-untyped]

from exchange_clients._runtime import Operation

from .venues import VenueInfo

__all__ = ["COVERED", "conformance_errors", "normalize", "return_annotation", "served_value", "to_plain"]

# (venue, operation) -> how its replay ended ("typed result" or "known defect: ..."), filled by the tests.
COVERED: dict[tuple[str, str], str] = {}


class _LazyModels(dict[str, Any]):
    """Names the facade imports only for type checkers, found in the package's ``models``/``types``."""

    def __init__(self, package: str) -> None:
        super().__init__()
        self._modules = [importlib.import_module(f"{package}.models"), importlib.import_module(f"{package}.types")]

    def __missing__(self, name: str) -> Any:
        for module in self._modules:
            if hasattr(module, name):
                return getattr(module, name)
        raise KeyError(name)


@cache
def return_annotation(info: VenueInfo, operation: str) -> Any:
    """The facade method's return annotation, resolved (it is a string naming TYPE_CHECKING imports)."""
    method = getattr(info.facade, operation)
    text = inspect.signature(method).return_annotation
    if not isinstance(text, str):
        return text
    module = importlib.import_module(info.facade_module)
    package = info.operations[operation].module.split(".", 1)[0]
    return eval(text, dict(vars(module)), _LazyModels(package))  # our own generated annotation text


def conformance_errors(value: Any, annotation: Any, where: str = "result") -> list[str]:
    """Where ``value`` (deeply) does not match ``annotation``; empty when it does."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(annotation)
        for member in members:
            if not conformance_errors(value, member, where):
                return []
        return [f"{where}: {type(value).__name__} is none of {annotation}"]
    if annotation is Any:
        return []
    if annotation is None or annotation is type(None):
        return [] if value is None else [f"{where}: {type(value).__name__} is not None"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} is not a list"]
        (item,) = typing.get_args(annotation) or (Any,)
        return [error for index, v in enumerate(value) for error in conformance_errors(v, item, f"{where}[{index}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not a dict"]
        _, item = typing.get_args(annotation) or (Any, Any)
        return [error for k, v in value.items() for error in conformance_errors(v, item, f"{where}[{k!r}]")]
    if inspect.isclass(annotation):
        if annotation is int and isinstance(value, bool):
            return [f"{where}: bool is not int"]
        if isinstance(value, annotation):
            return []
        return [f"{where}: {type(value).__name__} is not {annotation.__name__}"]
    return []


def to_plain(value: Any) -> Any:
    """A typed result as JSON-like data: models through ``to_dict()``, enums as their values, files as bytes."""
    if attrs.has(type(value)) and hasattr(value, "to_dict"):
        return value.to_dict()
    if type(value).__name__ == "File" and hasattr(value, "payload"):
        payload = value.payload
        data: bytes = payload.getvalue() if hasattr(payload, "getvalue") else payload.read()
        return data
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
# A decimal amount in text: some fields are read from either spelling (x-also-sent-as), so "1.5" and 1.5 compare equal.
_DECIMAL_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")


def normalize(value: Any) -> Any:
    """Comparable form: numbers and decimal text as ``Decimal``, date-times as instants (aware ones in UTC), deeply."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc) if value.tzinfo else value
    if isinstance(value, str) and _DECIMAL_TEXT.match(value):
        return Decimal(value)
    if isinstance(value, str) and _DATE_TIME.match(value):
        try:
            return normalize(isoparse(value))
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return {key: normalize(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(item) for item in value]
    return value


def served_value(op: Operation, status: int, content_type: str, body: bytes) -> Any:
    """What the typed result must equal, from the recorded answer (the venue's envelope taken off)."""
    if not body:
        return None
    media = content_type.partition(";")[0].strip().lower()
    if not op.json_success and media not in ("application/json", "text/html"):
        return body.decode("utf-8") if media.startswith("text/") else body
    document = json.loads(body, parse_float=Decimal)
    if op.unwrap is not None:
        return document[op.unwrap]
    return document
