"""Real venue answers (../shared/realworld, read in place, never copied) replayed through the facades.

Each file is a captured answer with the request it answered. :func:`answers` loads them; :func:`operation_for`
finds the facade operation from the generated operations (method and path template), not from a table of ours;
:func:`replay` calls that operation through the facade, with its production base URL and a transport that answers
with the captured body, offline. Arguments come from the operation's cassette (a valid call; the answer, not the
request, is under test).
"""

from __future__ import annotations

import decimal
import json
import os
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx

from exchange_clients import ExchangeWarning
from exchange_clients._arguments import _model_hints
from exchange_clients._json import dumps_exact
from exchange_clients._runtime import Operation, SyncFacade
from recording.arguments import typed_arguments
from recording.cassettes import cassette_path, load_cassette_file
from recording.venues import VENUES, VenueInfo

ROOT = Path(__file__).resolve().parents[2]
# Like SPECS_MIRROR: third-party data beside the checkout, selected by an environment variable.
REALWORLD = Path(os.environ.get("REALWORLD", ROOT.parent / "shared" / "realworld")).resolve()


@dataclass(frozen=True)
class Answer:
    """One captured answer: where it came from, what was asked, what the venue sent."""

    path: Path
    venue: VenueInfo
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.venue.name}/{self.path.stem}"

    @property
    def body(self) -> Any:
        return self.data["body"]

    @property
    def expects_error(self) -> bool:
        return self.data.get("expect") == "error"


def answers() -> list[Answer]:
    """Every captured answer, in a stable order. A missing folder fails: a suite that finds nothing proves nothing."""
    if not REALWORLD.is_dir():
        raise FileNotFoundError(f"real venue answers not found at {REALWORLD}: put ../shared beside the checkout, "
                                "or set REALWORLD to the folder")  # fmt: skip
    found = []
    for venue in VENUES.values():
        for path in sorted((REALWORLD / venue.name).glob("*.json")):
            with path.open(encoding="utf-8") as handle:
                data = json.load(handle, parse_float=decimal.Decimal)  # value-exact, as the README asks
            found.append(Answer(path, venue, data))
    return found


@cache
def _templates(venue_name: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(method, path pattern, operation name) for every generated operation, paths as they go on the wire."""
    venue = VENUES[venue_name]  # type: ignore[index]
    prefix = urlsplit(_facade(venue).base_url).path.rstrip("/")
    rows = []
    for name, op in venue.operations.items():
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(prefix + op.path))
        rows.append((op.method, re.compile(f"{pattern}$"), name))
    return tuple(rows)


def operation_for(answer: Answer) -> tuple[str, Operation]:
    """The facade operation that answered: the file's ``operation`` when its wire path was malformed, else the one
    generated operation whose method and path template match."""
    named = answer.data.get("operation")
    if named is not None:
        return named, answer.venue.operations[named]
    path = answer.data["path"].partition("?")[0]
    matches = [name for method, pattern, name in _templates(answer.venue.name) if method == answer.data["method"]
               and pattern.match(path)]  # fmt: skip
    if len(matches) != 1:
        raise LookupError(f"{answer.id}: {len(matches)} generated operations match {answer.data['method']} {path}")
    return matches[0], answer.venue.operations[matches[0]]


def _facade(venue: VenueInfo, **options: Any) -> SyncFacade:
    return venue.facade(venue.fake_key, venue.fake_secret, rate_limit=False, retry=False, **options)


@dataclass
class Replay:
    """What one replay produced: the operation, and the result or the error, with the warnings delivered."""

    operation: str
    result: Any = None
    error: Exception | None = None
    warnings: list[ExchangeWarning] | None = None


def replay(answer: Answer, on_warning: Callable[[ExchangeWarning], None] | None = None) -> Replay:
    """Call the matching facade operation, answered with the captured status and body."""
    name, op = operation_for(answer)
    body = dumps_exact(answer.body)  # number literals exactly as captured
    status = answer.data["status"]
    delivered: list[ExchangeWarning] = []

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})

    arguments = typed_arguments(op, load_cassette_file(cassette_path(answer.venue, name))["metadata"]["arguments"])
    client = _facade(answer.venue, transport=httpx.MockTransport(respond), on_warning=on_warning or delivered.append)
    outcome = Replay(name, warnings=delivered)
    with client:
        try:
            outcome.result = getattr(client, name)(**arguments)
        except Exception as exc:  # the test judges it
            outcome.error = exc
    return outcome


def plain(value: Any) -> Any:
    """A typed result as JSON-like data with the venue's own key names (``to_dict`` of every model)."""
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


Place = tuple[str | int, ...]
KEY = object()
MISSING = object()


def numbers_and_keys(body: Any, where: Place = ()) -> Iterator[tuple[Place, Any]]:
    """Every number in ``body`` as ``(place, number)``, and every object key as ``(place, KEY)``."""
    if isinstance(body, dict):
        for key, item in body.items():
            yield (*where, key), KEY
            yield from numbers_and_keys(item, (*where, key))
    elif isinstance(body, list):
        for index, item in enumerate(body):
            yield from numbers_and_keys(item, (*where, index))
    elif isinstance(body, int | decimal.Decimal) and not isinstance(body, bool):
        yield where, body


def at(data: Any, place: Place) -> Any:
    """The value at ``place``, or ``MISSING``."""
    for step in place:
        if (isinstance(step, str) and isinstance(data, dict) and step in data) or (
            isinstance(step, int) and isinstance(data, list) and step < len(data)
        ):
            data = data[step]
        else:
            return MISSING
    return data


def shown(place: Place) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in place) or "<root>"


def numbers_not_decimal(value: Any, where: str = "result") -> Iterator[str]:
    """Places where a field annotated as a number (``Decimal``) holds anything but a ``Decimal``: an int, a float,
    or a decimal string left unread."""
    yield from _check(value, None, where)


def _check(value: Any, hint: Any, where: str) -> Iterator[str]:
    if value is None or type(value).__name__ == "Unset":  # each generated package has its own Unset
        return
    if attrs.has(type(value)):
        hints = _model_hints(type(value))
        for field in attrs.fields(type(value)):
            if field.name == "additional_properties":
                entry = typing.get_args(hints.get("additional_properties", dict[str, Any]))
                for key, item in getattr(value, field.name).items():
                    yield from _check(item, entry[1] if len(entry) == 2 else None, f"{where}[{key!r}]")
            elif field.name in hints:
                yield from _check(getattr(value, field.name), hints[field.name], f"{where}.{field.name}")
        return
    members = _members(hint)
    if isinstance(value, list):
        inner = next((typing.get_args(m)[0] for m in members if typing.get_origin(m) is list), None)
        for index, item in enumerate(value):
            yield from _check(item, inner, f"{where}[{index}]")
    elif Decimal in members and isinstance(value, int | float | str) and not _allowed(value, members):
        yield f"{where}: {type(value).__name__} {value!r} where the annotation is {hint}"


def _allowed(value: Any, members: tuple[Any, ...]) -> bool:
    """An int where the union also admits int (or bool), a str where it also admits str (a relative price)."""
    if isinstance(value, str):
        return str in members
    return isinstance(value, int) and (int in members or bool in members)


def _members(hint: Any) -> tuple[Any, ...]:
    if hint is None:
        return ()
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)
