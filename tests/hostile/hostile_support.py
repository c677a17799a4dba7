"""Shared pieces of the hostile-input tests: every facade operation, its documented answer, minimal
arguments, a scriptable mock venue, and hypothesis strategies for hostile answers.

The operation list is the facades' ``OPERATIONS`` tables, one entry per operation of the final specs; each
operation's documented success answer comes from the stand-in's answer book (``tests/standin/answers.py``),
which picks the media-type ``example``, the first ``examples`` entry, the schema ``example`` or the component
example, in that order, from ``specs/build/final/*.yaml``.
"""

from __future__ import annotations

import datetime
import enum
import inspect
import re
import sys
import types
import typing
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from exchange_clients import (
    AsyncBitflyer,
    AsyncKrakenFutures,
    AsyncKrakenSpot,
    Bitflyer,
    KrakenFutures,
    KrakenSpot,
    RetryPolicy,
)
from exchange_clients._arguments import _model_hints
from exchange_clients._facades import bitflyer as bitflyer_facade
from exchange_clients._facades import kraken_futures as futures_facade
from exchange_clients._facades import kraken_spot as spot_facade
from exchange_clients._runtime import AsyncFacade, Operation, SyncFacade, _signature
from exchange_clients.errors import ExchangeWarning

# tests/standin is a plain directory package; pyproject's pythonpath does not list tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from standin import ANSWERS, Answer, Spec, load_spec, route_table
from standin import Venue as VenueKey
from standin.keys import FAKE_KEYS
from standin.synthesize import flatten

# Deterministic and bounded: the same examples on every run, no example database, a generous deadline
# (the 2-core CI machine is slow) that still fails a call that hangs.
HOSTILE_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,  # a loaded machine is slow, not wrong: time is measured in benchmarks, never asserted here
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
UNKNOWN_ENUM = "HOSTILE_UNKNOWN_ENUM_VALUE"
UNKNOWN_INT_ENUM = 987654321
BASE_URL = "https://venue.invalid"


# --------------------------------------------------------------------------- operations and answers


@dataclass(frozen=True)
class Venue:
    key: VenueKey  # the stand-in's name: "spot", "futures", "bitflyer"
    sync_class: type[SyncFacade]
    async_class: type[AsyncFacade]
    operations: Mapping[str, Operation]


VENUES: tuple[Venue, ...] = (
    Venue("spot", KrakenSpot, AsyncKrakenSpot, spot_facade.OPERATIONS),
    Venue("futures", KrakenFutures, AsyncKrakenFutures, futures_facade.OPERATIONS),
    Venue("bitflyer", Bitflyer, AsyncBitflyer, bitflyer_facade.OPERATIONS),
)


class Case:
    """One facade operation and the documented success answer the mock venue sends for it.

    A plain class, not a dataclass: hypothesis prints dataclasses field by field, and the spec is megabytes.
    """

    def __init__(self, venue: Venue, operation: Operation, answer: Answer, spec: Spec) -> None:
        self.venue = venue
        self.operation = operation
        self.answer = answer
        self.spec = spec

    @property
    def id(self) -> str:
        return f"{self.venue.key}-{self.operation.name}"

    def __repr__(self) -> str:  # hypothesis prints falsifying examples with it
        return f"Case({self.id})"

    @property
    def name(self) -> str:
        return self.operation.name

    @property
    def is_json(self) -> bool:
        return bool(self.answer.is_json)

    def documented_response(self) -> httpx.Response:
        headers = {"Content-Type": self.answer.media_type} if self.answer.media_type else {}
        return httpx.Response(self.answer.status, content=self.answer.body, headers=headers)

    def json_response(self, value: Any, status: int | None = None) -> httpx.Response:
        return httpx.Response(
            self.answer.status if status is None else status,
            content=encode_json(value),
            headers={"Content-Type": "application/json"},
        )


def _template(path: str) -> str:
    # The facades name path parameters in snake case ("{rfq_uid}"), the documents as written ("{rfqUid}").
    return re.sub(r"\{[^}]*\}", "{}", path)


@cache
def cases() -> tuple[Case, ...]:
    found = []
    for venue in VENUES:
        table = route_table(venue.key)
        by_route = {(op.method, _template(op.route)): op for op in table.operations}
        for operation in venue.operations.values():
            documented = by_route[(operation.method, _template(operation.path))]
            answer = ANSWERS.answer(documented)
            found.append(Case(venue, operation, answer, load_spec(venue.key)))
    return tuple(found)


def case_ids(case: Case) -> str:
    return case.id


# --------------------------------------------------------------------------- the mock venue


class MockVenue:
    """A ``MockTransport`` whose answer is set per example, and which counts the requests it saw."""

    def __init__(self) -> None:
        self.respond: Callable[[httpx.Request], httpx.Response] | None = None
        self.requests: list[httpx.Request] = []
        self.warnings: list[ExchangeWarning] = []
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.respond is not None, f"no request expected, got {request.method} {request.url}"
        return self.respond(request)

    def answer(self, response: httpx.Response) -> None:
        self.requests.clear()
        self.respond = lambda request: response

    def refuse_requests(self) -> None:
        self.requests.clear()
        self.respond = None

    def options(self, venue: Venue, retry: RetryPolicy | bool = False) -> dict[str, Any]:
        key, secret = FAKE_KEYS[venue.key]
        return {
            "api_key": key,
            "api_secret": secret,
            "base_url": BASE_URL,
            "transport": self.transport,
            "retry": retry,
            "rate_limit": False,
            "on_warning": self.warnings.append,
        }

    def sync_client(self, venue: Venue, retry: RetryPolicy | bool = False) -> SyncFacade:
        return venue.sync_class(**self.options(venue, retry))

    def async_client(self, venue: Venue) -> AsyncFacade:
        return venue.async_class(**self.options(venue, retry=False))


# --------------------------------------------------------------------------- arguments


def facade_parameters(case: Case) -> dict[str, inspect.Parameter]:
    """The facade method's parameters that the generated function has too (``self`` and the body's fields, the other
    way to give a body, left out)."""
    method = getattr(case.venue.sync_class, case.name)
    fields = {name for name, _ in case.operation.body.fields} if case.operation.body else set()
    return {
        name: p for name, p in inspect.signature(method).parameters.items() if name != "self" and name not in fields
    }


def parameter_hints(case: Case) -> dict[str, Any]:
    """Resolved type hints of the operation's parameters, from the generated ``_get_kwargs``."""
    _, hints, _ = _signature(case.operation.module)
    return {name: hints[name] for name in facade_parameters(case)}


def minimal_arguments(case: Case, chosen: str | None = None) -> dict[str, Any]:
    """Valid values for the required parameters only (those without a default in the generated function), plus one
    field of each group the venue needs one of (the operation's rules): ``chosen`` where it is in the group, else the
    first."""
    required, hints, _ = _signature(case.operation.module)
    arguments = {name: minimal_value(hints[name]) for name in facade_parameters(case) if name in required}
    op = case.operation
    attributes = dict(op.body.fields) if op.body else {}
    for rule, group in op.rules:
        if rule == "at_most_one":
            continue
        names = [shown for _, shown in group]
        name = chosen if chosen in names else names[0]
        if name in attributes:
            body = arguments["body"]
            setattr(body, attributes[name], minimal_value(_model_hints(type(body))[attributes[name]]))
        else:
            arguments[name] = minimal_value(hints[name])
    return arguments


def concrete_members(annotation: Any) -> list[Any]:
    """The members of a union that a caller would pass (``Unset`` and ``None`` left out)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None) and not _is_unset(m)]
        return [leaf for member in members for leaf in concrete_members(member)]
    return [annotation]


def _is_unset(annotation: Any) -> bool:
    return inspect.isclass(annotation) and annotation.__name__ == "Unset"


def is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and attrs.has(annotation) and hasattr(annotation, "from_dict")


def required_fields(model: type) -> dict[str, Any]:
    """A request model's required constructor fields and their resolved annotations."""
    hints = _model_hints(model)
    return {
        f.name: hints[f.name] for f in attrs.fields(model) if f.init and f.default is attrs.NOTHING and f.name in hints
    }


def minimal_value(annotation: Any) -> Any:
    """The simplest valid value of a parameter or field annotation."""
    members = concrete_members(annotation)
    if not members:
        return None
    annotation = members[0]
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set):
        (item,) = typing.get_args(annotation)[:1] or (str,)
        return [minimal_value(item)]
    if origin is dict or annotation is dict:
        return {}
    if annotation is Any:
        return "X"
    if not inspect.isclass(annotation):
        raise TypeError(f"no minimal value for {annotation!r}")
    if issubclass(annotation, enum.Enum):
        return next(iter(annotation))
    if is_model(annotation):
        return annotation(**{name: minimal_value(hint) for name, hint in required_fields(annotation).items()})
    simple: dict[type, Any] = {
        str: "X",
        bool: True,
        int: 1,
        float: 1.0,
        Decimal: Decimal("1"),
        datetime.datetime: datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        datetime.date: datetime.date(2024, 1, 1),
        uuid.UUID: uuid.UUID(int=1),
    }
    if annotation in simple:
        return simple[annotation]
    raise TypeError(f"no minimal value for {annotation!r}")


# --------------------------------------------------------------------------- JSON text, exactly


def encode_json(value: Any) -> bytes:
    """JSON bytes where a ``Decimal`` is written as its literal: ``1e999999``, ``NaN`` and ``-Infinity`` included.

    Strings are ASCII-escaped, so lone surrogates travel as ``\\ud800`` escapes, as a venue could send them.
    """
    return _encode(value).encode("ascii")


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "-Infinity" if value < 0 else "Infinity"
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_encode(str(key))}:{_encode(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    if isinstance(value, str):
        return '"' + "".join(_escape(char) for char in value) + '"'
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def _escape(char: str) -> str:
    if char == '"':
        return '\\"'
    if char == "\\":
        return "\\\\"
    if " " <= char <= "~":
        return char
    return "".join(f"\\u{unit:04x}" for unit in _utf16_units(char))


def _utf16_units(char: str) -> list[int]:
    code = ord(char)
    if code < 0x10000:
        return [code]  # lone surrogates included: they are what this helper exists to send
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]


# --------------------------------------------------------------------------- walking a schema and a value


Path_ = tuple[str | int, ...]


@dataclass
class Landmarks:
    """Where in a documented answer unknown fields and unknown enum values can go."""

    objects: list[Path_] = field(default_factory=list)  # objects with declared properties and no typed extras
    enums: list[tuple[Path_, Any]] = field(default_factory=list)  # (where, replacement)
    required: list[Path_] = field(default_factory=list)  # fields the schema requires, present in the answer


def landmarks(spec: Spec, schema: Mapping[str, Any] | None, value: Any) -> Landmarks:
    found = Landmarks()
    if schema is not None:
        _walk(spec, schema, value, (), found, 0)
    return found


def _walk(spec: Spec, schema: Mapping[str, Any], value: Any, where: Path_, found: Landmarks, depth: int) -> None:
    if depth > 40:
        return
    flat = flatten(spec, schema)
    for keyword in ("oneOf", "anyOf"):
        members = flat.get(keyword)
        if members:
            fitting = [m for m in members if spec.is_valid(value, m)]
            if len(fitting) == 1:  # several fitting members: which one the parser takes is its business
                _walk(spec, fitting[0], value, where, found, depth + 1)
            return
    enum_values = flat.get("enum")
    if enum_values and value in enum_values and not isinstance(value, bool):
        if isinstance(value, str):
            found.enums.append((where, UNKNOWN_ENUM))
        elif isinstance(value, int):
            found.enums.append((where, UNKNOWN_INT_ENUM))
        return
    if isinstance(value, dict):
        properties: Mapping[str, Any] = flat.get("properties", {})
        additional = flat.get("additionalProperties", True)
        typed_extras = isinstance(additional, Mapping) and bool(additional)
        if properties and not typed_extras:
            found.objects.append(where)
        found.required += [(*where, key) for key in flat.get("required", ()) if key in value and key in properties]
        for key, item in value.items():
            sub = properties.get(key, additional if isinstance(additional, Mapping) else None)
            if isinstance(sub, Mapping):
                _walk(spec, sub, item, (*where, key), found, depth + 1)
    elif isinstance(value, list):
        items = flat.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                _walk(spec, items, item, (*where, index), found, depth + 1)


def replace_at(value: Any, where: Path_, replacement: Any) -> Any:
    """A copy of ``value`` with the node at ``where`` replaced."""
    if not where:
        return replacement
    head, rest = where[0], where[1:]
    if isinstance(value, dict):
        return {**value, head: replace_at(value[head], rest, replacement) if rest else replacement}
    copied = list(value)
    copied[head] = replace_at(copied[head], rest, replacement)  # type: ignore[index]
    return copied


def node_at(value: Any, where: Path_) -> Any:
    for step in where:
        value = value[step]
    return value


def delete_at(value: Any, where: Path_) -> Any:
    parent = node_at(value, where[:-1])
    if isinstance(parent, dict):
        trimmed: Any = {key: item for key, item in parent.items() if key != where[-1]}
    else:
        trimmed = [item for index, item in enumerate(parent) if index != where[-1]]
    return replace_at(value, where[:-1], trimmed)


def paths_of(value: Any, where: Path_ = (), limit: int = 400) -> list[Path_]:
    """Every node's path, breadth-first, at most ``limit`` of them."""
    found: list[Path_] = []
    queue: list[tuple[Path_, Any]] = [(where, value)]
    while queue and len(found) < limit:
        path, node = queue.pop(0)
        found.append(path)
        if isinstance(node, dict):
            queue.extend(((*path, key), item) for key, item in node.items())
        elif isinstance(node, list):
            queue.extend(((*path, index), item) for index, item in enumerate(node))
    return found


def values_in(result: Any, seen: set[int] | None = None) -> Iterator[Any]:
    """Every leaf value in a parsed result: attrs models, their extra properties, lists, dicts, enums."""
    seen = set() if seen is None else seen
    if id(result) in seen:
        return
    seen.add(id(result))
    if isinstance(result, enum.Enum):
        yield result
        yield result.value
    elif attrs.has(type(result)):
        for attribute in attrs.fields(type(result)):
            yield from values_in(getattr(result, attribute.name), seen)
    elif isinstance(result, dict):
        for item in result.values():
            yield from values_in(item, seen)
    elif isinstance(result, list | tuple):
        for item in result:
            yield from values_in(item, seen)
    else:
        yield result


# --------------------------------------------------------------------------- hostile answers


HUGE_INT = 10**400
NESTING = 100_000
DEEP_LIST = "[" * NESTING + "]" * NESTING
DEEP_OBJECT = '{"a":' * NESTING + "null" + "}" * NESTING


def nested(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value] if isinstance(value, list) else {"deep": value}
    return value


# Scalars and small structures that replace a documented value.
HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    HUGE_INT,
    -HUGE_INT,
    Decimal("1e999999"),
    Decimal("-1e-999999"),
    Decimal("1E+999999999"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("0.1"),
    "",
    " ",
    UNKNOWN_ENUM,
    "\ud800",  # a lone surrogate, sent as the escape \ud800
    "\u0000",
    "ÄÖÜ ✓ 日本語 🚀 \u202e",
    "٣٤٥",  # Arabic-Indic digits: str.isdecimal() says yes
    "1e999999",
    "NaN",
    "-0",
    "2024-13-45T99:99:99Z",
    "9999-12-31T23:59:59.999999999+99:99",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "x" * 10_000,
    [],
    {},
    [None],
    {"": None},
    {"$ref": "#/nowhere"},
    nested(["deep"], 40),
    nested({"deep": None}, 40),
    {"error": ["EGeneral:Internal error"]},
    {"result": "error", "errors": [{"code": HUGE_INT, "message": None}]},
    {"status": -HUGE_INT, "error_message": ["x"]},
)

SUCCESS_LOOKALIKES: tuple[Any, ...] = (
    {"error": []},
    {"error": [], "result": None},
    {"error": None, "result": {}},
    {"error": [None], "result": {}},
    {"error": ["WGeneral:Warning"], "result": []},
    {"error": ["   ", ""], "result": {"a": HUGE_INT}},
    {"error": ["EService:Throttled:" + "9" * 500]},
    {"error": ["EService:Throttled:٣٤٥"]},
    {"error": ["E"], "result": None},
    {"error": ["EOrder::::"]},
    {"result": "success"},
    {"result": "error"},
    {"result": "error", "error": HUGE_INT},
    {"result": "error", "errors": []},
    {"result": "error", "errors": [{"code": None, "message": "x"}, "junk"]},
    {"result": "success", "sendStatus": {"status": None}},
    {"result": "success", "sendStatus": {"status": UNKNOWN_ENUM}},
    {"result": "success", "batchStatus": [{"status": "placed"}, None, {"status": []}]},
    {"result": "success", "cancelStatus": [{"status": "notFound"}]},
    {"status": -1},
    {"status": -HUGE_INT, "error_message": "Order not found"},
    {"status": Decimal("-1.5"), "error_message": "x"},
    {"status": 0, "Message": "No HTTP resource was found"},
    {"Message": "No HTTP resource was found that matches the request URI"},
    {"Message": HUGE_INT},
    {"Message": "An error has occurred."},
)

HTML_PAGES: tuple[bytes, ...] = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
    b"<html><head><title>" + b"A" * 100_000 + b"</title></head></html>",
    b"<title>\xff\xfe broken &#x110000; &amp;</title>",
    b"   <html>",
    b"<",
)

RAW_BODIES: tuple[bytes, ...] = (
    b"",
    b"   \r\n\t",
    b"\x00",
    b"\xff\xfe\xfd",
    b"\xef\xbb\xbf{}",  # a UTF-8 byte-order mark before the JSON
    b'{"error": [], "result": "\xff"}',
    b"\xfe\xff\x00{\x00}",
    DEEP_LIST.encode(),
    DEEP_OBJECT.encode(),
    ("[" * 5000 + "]" * 4999).encode(),
    b"1" * 10_000,
    b"-" + b"9" * 4299,
    b"1e999999999999999999",
    b"NaN",
    b"-Infinity",
    b"null",
    b"true",
    b'"just a string"',
    b"[1, 2,",
    b'{"a": 1} {"b": 2}',
    b'{"a": 1, "a": 2}',
    b"{'single': 'quotes'}",
    b"\x1f\x8b\x08\x00",  # a gzip header, no gzip Content-Encoding
    b"PK\x03\x04",
)

STATUSES = (200, 201, 202, 204, 206, 301, 304, 400, 401, 403, 404, 405, 408, 409, 418, 422, 429, 500, 502, 503, 520)
CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "text/html",
    "text/plain",
    "application/octet-stream",
    "text/csv",
    "",
)


@st.composite
def mutated_example(draw: st.DrawFn, case: Case) -> Any:
    """The documented answer with one to three keys dropped, values retyped, structures nested or added."""
    value = case.answer.value
    for _ in range(draw(st.integers(1, 3))):
        paths = paths_of(value)
        where = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(("drop", "replace", "replace", "wrap", "add", "stringify")))
        if action == "drop" and where:
            value = delete_at(value, where)
        elif action == "wrap":
            value = replace_at(
                value, where, draw(st.sampled_from(([node_at(value, where)], {"x": node_at(value, where)})))
            )
        elif action == "add" and isinstance(node_at(value, where), dict):
            key = draw(st.sampled_from(("hostile_extra", "", "result", "error", "status", "\ud800", "type")))
            value = replace_at(value, (*where, key), draw(st.sampled_from(HOSTILE_VALUES)))
        elif action == "stringify":
            value = replace_at(value, where, encode_json(node_at(value, where)).decode()[:200])
        else:
            value = replace_at(value, where, draw(st.sampled_from(HOSTILE_VALUES) | st.text(max_size=20)))
    return value


def json_trees() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.sampled_from([HUGE_INT, -HUGE_INT])
        | st.decimals(allow_nan=True, allow_infinity=True)
        | st.text(max_size=30)
    )
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
        max_leaves=20,
    )


HOSTILE_HEADERS: tuple[tuple[str, str], ...] = (
    ("Retry-After", "1e999"),
    ("Retry-After", "-5"),
    ("Retry-After", "NaN"),
    ("Retry-After", "Mon, 01 Jan 99999 00:00:00 GMT"),
    ("Retry-After", "Mon, 01 Jan 0001 00:00:00 +2359"),
    ("Retry-After", "Fri, 31 Dec 9999 23:59:59 -2359"),
    ("Retry-After", "Mon, 01 Jan 2024 00:00:00 +9999"),
    ("Retry-After", "   "),
    ("rate-limit-reset", "9" * 400),
    ("rate-limit-reset", "inf"),
    ("Content-Encoding", "gzip"),
    ("Content-Encoding", "br, zstd, unknown"),
    ("Content-Length", "99999999"),
    ("Content-Type", "application/json; charset=utf-16"),
    ("Content-Type", "\xff/\xfe; charset=\xff"),  # latin-1 bytes on the wire
)


class _LazyBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body read only when the client reads it, the way a real transport delivers one."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self._body

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        yield self._body


@dataclass(frozen=True)
class HostileAnswer:
    status: int
    content_type: str
    body: bytes
    kind: str
    headers: tuple[tuple[str, str], ...] = ()

    def response(self) -> httpx.Response:
        pairs = [("Content-Type", self.content_type)] if self.content_type else []
        headers = [(name.encode(), value.encode("latin-1")) for name, value in [*pairs, *self.headers]]
        # Lazily read, so a Content-Encoding the body does not match fails inside the client, as it would live.
        return httpx.Response(self.status, stream=_LazyBody(self.body), headers=headers)

    def __repr__(self) -> str:
        shown = self.body if len(self.body) <= 300 else self.body[:300] + b"...(%d bytes)" % len(self.body)
        return (
            f"HostileAnswer({self.kind}, status={self.status}, content_type={self.content_type!r}, "
            f"headers={self.headers!r}, body={shown!r})"
        )


@st.composite
def hostile_answers(draw: st.DrawFn, case: Case) -> HostileAnswer:
    """An answer a broken, compromised or changed venue could send for this operation."""
    documented = case.answer
    kinds = ["top-level", "lookalike", "html", "raw", "truncated", "random-bytes", "random-json"]
    if documented.is_json:
        kinds = ["mutated", "mutated", "mutated", *kinds]
    kind = draw(st.sampled_from(kinds))
    content_type = documented.media_type or "application/json"
    if kind == "mutated":
        body = encode_json(draw(mutated_example(case)))
    elif kind == "top-level":
        body = encode_json(draw(st.sampled_from(HOSTILE_VALUES)))
    elif kind == "lookalike":
        body = encode_json(draw(st.sampled_from(SUCCESS_LOOKALIKES)))
    elif kind == "html":
        body = draw(st.sampled_from(HTML_PAGES))
        content_type = draw(st.sampled_from(("text/html", "text/html; charset=utf-8", "application/json")))
    elif kind == "raw":
        body = draw(st.sampled_from(RAW_BODIES))
    elif kind == "truncated":
        whole = documented.body or b'{"error":[],"result":{}}'
        body = whole[: draw(st.integers(0, max(0, len(whole) - 1)))]
    elif kind == "random-bytes":
        body = draw(st.binary(max_size=200))
    else:
        body = encode_json(draw(json_trees()))
    if draw(st.integers(0, 3)) == 0:
        content_type = draw(st.sampled_from(CONTENT_TYPES))
    status = draw(
        st.sampled_from((documented.status,)) | st.sampled_from(STATUSES) | st.integers(100, 599)
        if draw(st.booleans())
        else st.just(documented.status)
    )
    headers = tuple(draw(st.lists(st.sampled_from(HOSTILE_HEADERS), max_size=2))) if draw(st.booleans()) else ()
    return HostileAnswer(status, content_type, body, kind, headers)
