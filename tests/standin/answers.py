"""Each operation's success answer: its documented example, or a synthesized instance.

Order of preference (the first candidate that validates against the response
schema is served):

1. the media type's ``example``;
2. the first of the media type's ``examples`` (``$ref`` to ``#/components/examples`` resolved, ``.value`` taken);
3. the schema's ``example`` (a sibling of its ``$ref`` or inline);
4. the ``example`` of the component schema the ``$ref`` leads to;
5. a synthesized instance (:mod:`.synthesize`).

Documented candidates that fail validation are kept in :attr:`Answer.rejected`
with the validator's first message, so the test suite can pin them in an
explicit allow-list instead of the stand-in serving a body no client could parse.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from exchange_clients._json import dumps_exact

from .reality import learned
from .routes import Operation
from .spec import Spec, load_spec
from .synthesize import flatten, synthesize

JSON = "application/json"
# Success-envelope members laid over synthesized objects (kept only if still schema-valid).
_ENVELOPES: dict[str, dict[str, Any]] = {
    "spot": {"error": []},
    "futures": {"result": "success", "serverTime": "2024-01-01T00:00:00.000Z"},
}
_CSV = b"date,type,asset,amount\r\n2024-01-01T00:00:00.000Z,deposit,XBT,0.1\r\n"


@dataclass(frozen=True)
class Answer:
    """What the stand-in sends for a request that passed every check."""

    status: int
    media_type: str | None  # None: no body at all (bitFlyer cancels)
    body: bytes
    value: Any  # the JSON value (None for non-JSON bodies)
    source: str  # which candidate won, e.g. "media example", "examples[Success]", "synthesized"
    schema: Mapping[str, Any] | None
    rejected: tuple[tuple[str, str], ...] = ()  # (candidate source, first validation message)

    @property
    def is_json(self) -> bool:
        return self.media_type is not None and _is_json(self.media_type)


def success_response(spec: Spec, op: Operation) -> tuple[int, Mapping[str, Any]]:
    """The status and (resolved) response object of the operation's success answer."""
    codes = sorted(code for code in op.responses if str(code).startswith("2"))
    if "200" in op.responses:
        code = "200"
    elif codes:
        code = codes[0]
    elif "default" in op.responses:
        code = "default"
    else:
        raise ValueError(f"{op.venue} {op.operation_id}: no success response declared")
    status = 200 if code == "default" else int(code)
    return status, spec.resolve(op.responses[code])


def documented_candidates(spec: Spec, media: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """The documented examples of a media type, in order of preference."""
    if "example" in media:
        yield "media example", media["example"]
    examples = media.get("examples") or {}
    for name, example in examples.items():
        resolved = spec.resolve(example)
        if "value" in resolved:
            yield f"examples[{name}]", resolved["value"]
        break  # only the first: it is the one the docs show first
    schema = media.get("schema")
    if isinstance(schema, Mapping):
        if "example" in schema:
            yield "schema example", schema["example"]
        resolved_schema = spec.resolve(schema)
        if resolved_schema is not schema and "example" in resolved_schema:
            yield "component example", resolved_schema["example"]


def build_answer(spec: Spec, op: Operation) -> Answer:
    status, response = success_response(spec, op)
    content: Mapping[str, Any] = response.get("content") or {}
    if not content:
        return Answer(status, None, b"", None, "no content declared", None)
    media_type = next((name for name in content if _is_json(name)), next(iter(content)))
    media = content[media_type]
    schema = media.get("schema")
    if not _is_json(media_type):
        return _non_json(status, media_type, spec, schema)
    rejected: list[tuple[str, str]] = []
    for source, value in documented_candidates(spec, media):
        problems = _unresolved(value) or (spec.errors(value, schema) if isinstance(schema, Mapping) else [])
        if not problems:
            return _json_answer(status, media_type, value, source, schema, rejected)
        rejected.append((source, problems[0]))
    value = synthesize(spec, schema if isinstance(schema, Mapping) else {})
    envelope = _ENVELOPES.get(op.venue)
    if envelope and isinstance(value, dict) and isinstance(schema, Mapping):
        # A synthesized spot "error": ["string"] would read as a failure; prefer the venue's
        # success envelope wherever the schema allows it.
        declared = flatten(spec, schema).get("properties", {})
        wrapped = {**value, **{key: member for key, member in envelope.items() if key in declared}}
        if spec.is_valid(wrapped, schema):
            value = wrapped
    return _json_answer(status, media_type, value, "synthesized", schema, rejected)


def _unresolved(value: Any) -> list[str]:
    """A literal ``{"$ref": "./file.yaml"}`` left where an example value should be.

    Inside ``value`` a ``$ref`` is data, not a reference, so it can pass validation
    against a schema with no required properties; it is still nothing a venue sends.
    """
    if isinstance(value, Mapping) and set(value) == {"$ref"}:
        return [f"<root>: unresolved external $ref {value['$ref']!r} left as the example value"]
    return []


def _json_answer(
    status: int,
    media_type: str,
    value: Any,
    source: str,
    schema: Mapping[str, Any] | None,
    rejected: list[tuple[str, str]],
) -> Answer:
    # Compact separators, like the venues; non-ASCII kept as UTF-8 (Content-Type says so).
    body = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Answer(status, media_type, body, value, source, schema, tuple(rejected))


def _non_json(status: int, media_type: str, spec: Spec, schema: Any) -> Answer:
    if media_type == "application/octet-stream" or media_type.startswith("application/zip"):
        return Answer(status, media_type, tiny_zip(), None, "zip", schema)
    if media_type == "text/csv":
        return Answer(status, media_type, _CSV, None, "csv", schema)
    text = synthesize(spec, schema) if isinstance(schema, Mapping) else "OK"
    return Answer(status, media_type, str(text).encode("utf-8"), None, "synthesized text", schema)


def tiny_zip() -> bytes:
    """A valid, deterministic zip (``PK\\x03\\x04``...) holding one small CSV, like a Kraken export."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("report.csv", date_time=(2024, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, _CSV)
    return buffer.getvalue()


def _is_json(media_type: str) -> bool:
    main = media_type.partition(";")[0].strip().lower()
    return main == JSON or main.endswith("+json")


class AnswerBook:
    """Answers computed on first use and kept for the process (they never change)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str, str], Answer] = {}

    def answer(self, op: Operation) -> Answer:
        key = (op.venue, op.method, op.route)
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                found = _as_the_venue_sends(op, build_answer(load_spec(op.venue), op))
                self._answers[key] = found
            return found


def _as_the_venue_sends(op: Operation, answer: Answer) -> Answer:
    """The documented answer with what real answers taught us applied (``reality.py``)."""
    if not answer.is_json:
        return answer
    value, changed = learned(op.venue, op.operation_id, answer.value)
    if not changed:
        return answer
    body = dumps_exact(value)  # a Decimal is a JSON number, written exactly
    return dataclasses.replace(answer, body=body, value=value, source=f"{answer.source}, as real answers are")


ANSWERS = AnswerBook()
