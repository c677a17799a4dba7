"""Deterministic, schema-valid instances for schemas that carry no documented example.

The output is the same on every run (no randomness, no clock), so recorded
cassettes and assertions are stable. Where a choice could produce an invalid
instance (``oneOf`` members that overlap, optional properties that trip a
``not``), candidates are tried in order and checked with the document's own
validator, so what comes out validates whenever a simple instance exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .spec import Spec

# Values for string formats; the pattern candidates below reuse them.
FORMAT_VALUES: dict[str, str] = {
    "date-time": "2024-01-01T00:00:00.000Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "test@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ip": "127.0.0.1",
    "ipv6": "::1",
    "byte": "AA==",
    "base64": "AA==",
    "hex": "00",
    "int64": "1",
    "uint64": "1",
    "u64": "1",
    "int32": "1",
    "decimal": "1.0",
    "big-decimal": "1.0",
    "number": "1.0",
    "double": "1.0",
    "timestamp-milliseconds": "1704067200000",
    "password": "test-password",
}
# Tried first against a pattern: readable values for the shapes the three specs use
# (bitFlyer's zone-less timestamp pattern must get "2024-01-01T00:00:00").
_PATTERN_CANDIDATES = (
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00.000Z",
    "2024-01-01",
    "00000000-0000-4000-8000-000000000000",
    "US",
    "0" * 64,
    "BTC_JPY",
    "XBT",
    "string",
    "0",
    "1",
)
_MAX_DEPTH = 24  # deeper than any real schema here; stops self-referencing schemas
_OPTIONAL_PROPERTIES = 3  # "required only plus a few optional ones"
_MAP_KEY = "example"  # the one key of a free-form map (additionalProperties)


def synthesize(spec: Spec, schema: Mapping[str, Any] | bool, *, write: bool = False) -> Any:
    """A deterministic instance of ``schema`` (a node of ``spec``'s document).

    ``write`` selects request semantics: ``readOnly`` properties are left out
    (and ``writeOnly`` ones are kept); for responses it is the other way round.
    """
    return _Synthesizer(spec, write).value(schema, 0)


def flatten(spec: Spec, schema: Mapping[str, Any] | bool) -> dict[str, Any]:
    """Resolve ``$ref`` and merge ``allOf`` (and ``$ref`` siblings) into one schema dict.

    Properties, required names and bounds are merged; ``oneOf``/``anyOf`` stay as they are.
    """
    if not isinstance(schema, Mapping):
        return {}
    merged: dict[str, Any] = {}
    for part in _parts(spec, schema):
        for key, value in part.items():
            if key == "properties":
                merged.setdefault("properties", {}).update(value)
            elif key == "required":
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            elif key not in merged:
                merged[key] = value
    return merged


def _parts(spec: Spec, schema: Mapping[str, Any], depth: int = 0) -> Iterator[Mapping[str, Any]]:
    if depth > _MAX_DEPTH:
        return
    own = {key: value for key, value in schema.items() if key not in ("$ref", "allOf")}
    if own:
        yield own
    if isinstance(schema.get("$ref"), str):
        yield from _parts(spec, spec.resolve({"$ref": schema["$ref"]}), depth + 1)
    for member in schema.get("allOf", ()):
        yield from _parts(spec, member, depth + 1)


class _Synthesizer:
    def __init__(self, spec: Spec, write: bool) -> None:
        self.spec = spec
        self.write = write

    def value(self, schema: Mapping[str, Any] | bool, depth: int) -> Any:
        if schema is True or not isinstance(schema, Mapping):
            return "string"
        flat = flatten(self.spec, schema)
        if "example" in flat and self.spec.is_valid(flat["example"], flat):
            # A documented value reads better than a made-up one ("PI_XBTUSD", not "string").
            return flat["example"]
        if "const" in flat:
            return flat["const"]
        if flat.get("enum"):
            return flat["enum"][0]
        for keyword in ("oneOf", "anyOf"):
            if flat.get(keyword):
                return self._first_fitting(flat, keyword, depth)
        kind = _primary_type(flat)
        if depth > _MAX_DEPTH:
            return _shallow(kind)
        if kind == "object":
            return self._object(flat, depth)
        if kind == "array":
            return self._array(flat, depth)
        if kind == "string":
            embedded = _embedded_json_schema(flat)
            if embedded is not None:
                # A JSON document carried as a string (futures batchorder's form field "json").
                return json.dumps(self.value(embedded, depth + 1), separators=(",", ":"))
            return _string(flat)
        if kind == "integer":
            return _integer(flat)
        if kind == "number":
            return _number(flat)
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return "string"  # an untyped schema accepts anything; a string reads best

    def _first_fitting(self, flat: dict[str, Any], keyword: str, depth: int) -> Any:
        """The first member whose instance also satisfies the whole schema.

        A ``oneOf`` fails when an instance matches two members, and members often
        overlap (objects with no ``additionalProperties: false``), so each member's
        instance is checked against the combined schema before it is used.
        """
        rest = {key: value for key, value in flat.items() if key != keyword}
        candidates = []
        for member in flat[keyword]:
            combined = flatten(self.spec, {"allOf": [rest, member]}) if rest else member
            candidate = self.value(combined, depth + 1)
            if self.spec.is_valid(candidate, flat):
                return candidate
            candidates.append(candidate)
        return candidates[0]

    def _object(self, flat: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = flat.get("properties", {})
        additional = flat.get("additionalProperties")
        # A required name may lack a property schema (futures CachedOrderJson requires an
        # undeclared "algoId"): it then takes the additionalProperties schema, or any value.
        fallback = additional if isinstance(additional, Mapping) else True
        required = list(flat.get("required", []))
        instance = {name: self.value(properties.get(name, fallback), depth + 1) for name in required}
        if isinstance(additional, Mapping) and (not properties or flat.get("minProperties", 0) > len(instance)):
            # A pair-keyed map such as Kraken's {"XXBTZUSD": [...], "last": 1}: one entry shows the shape.
            instance.setdefault(_MAP_KEY, self.value(additional, depth + 1))
        skip = "readOnly" if self.write else "writeOnly"
        added = 0
        for name, sub in properties.items():
            if added == _OPTIONAL_PROPERTIES:
                break
            if name in instance or flatten(self.spec, sub).get(skip):
                continue
            # Optional properties are added one at a time and kept only if the object
            # still validates (a "not", a oneOf or a dependency may forbid them).
            trial = {**instance, name: self.value(sub, depth + 1)}
            if self.spec.is_valid(trial, flat):
                instance = trial
                added += 1
        return instance

    def _array(self, flat: dict[str, Any], depth: int) -> list[Any]:
        prefix = flat.get("prefixItems")
        items = flat.get("items", True)
        if isinstance(items, list):  # draft-4 tuple form
            prefix, items = items, flat.get("additionalItems", True)
        if prefix:
            return [self.value(member, depth + 1) for member in prefix]
        count = max(1, int(flat.get("minItems", 0)))
        if "maxItems" in flat:
            count = min(count, int(flat["maxItems"]))
        one = self.value(items, depth + 1)
        return [one] * count


def _embedded_json_schema(flat: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The schema of a JSON text inside a string: 2020-12 ``contentSchema``, or this repo's
    ``x-json-schema`` pointer (added by specs/fixes where upstream only says so in prose)."""
    if "json" not in str(flat.get("contentMediaType", "")):
        return None
    if isinstance(flat.get("contentSchema"), Mapping):
        return flat["contentSchema"]
    pointer = flat.get("x-json-schema")
    return {"$ref": pointer} if isinstance(pointer, str) else None


def _primary_type(flat: Mapping[str, Any]) -> str | None:
    kind = flat.get("type")
    if isinstance(kind, list):
        # 3.1 "type: [x, 'null']": the non-null member is the interesting one.
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        if "properties" in flat or "additionalProperties" in flat:
            return "object"
        if "items" in flat or "prefixItems" in flat:
            return "array"
    return kind


def _shallow(kind: str | None) -> Any:
    return {"object": {}, "array": [], "string": "string", "integer": 0, "number": 0, "boolean": False}.get(kind or "")


def _string(flat: Mapping[str, Any]) -> str:
    fmt = flat.get("format")
    value = FORMAT_VALUES.get(fmt, "string") if isinstance(fmt, str) else "string"
    pattern = flat.get("pattern")
    if isinstance(pattern, str) and not re.search(pattern, value):
        value = _matching(pattern) or value
    low = int(flat.get("minLength", 0))
    high = flat.get("maxLength")
    if len(value) < low:
        value = value + "x" * (low - len(value))
    if high is not None and len(value) > int(high):
        value = value[: int(high)]
    return value


def _matching(pattern: str) -> str | None:
    for candidate in (*_PATTERN_CANDIDATES, *FORMAT_VALUES.values()):
        if re.search(pattern, candidate):
            return candidate
    generated = _from_simple_regex(pattern)
    return generated if generated is not None and re.search(pattern, generated) else None


_TOKEN = re.compile(r"\\d|\\w|\\.|\\[^dw]|\[[^\]]*\]|\([^)]*\)|[^\\\[\](){}?*+^$]")
_QUANTIFIER = re.compile(r"\{(\d+)(?:,\d*)?\}|[?*+]")


def _from_simple_regex(pattern: str) -> str | None:
    """Shortest string for a flat regex: literals, classes, ``\\d``, groups and quantifiers."""
    body = pattern.removeprefix("^").removesuffix("$")
    out: list[str] = []
    pos = 0
    while pos < len(body):
        token = _TOKEN.match(body, pos)
        if token is None:
            return None
        pos = token.end()
        piece = _token_text(token.group())
        if piece is None:
            return None
        quantifier = _QUANTIFIER.match(body, pos)
        repeat = 1
        if quantifier:
            pos = quantifier.end()
            text = quantifier.group()
            repeat = int(quantifier.group(1)) if quantifier.group(1) else (1 if text == "+" else 0)
        out.append(piece * repeat)
    return "".join(out)


def _token_text(token: str) -> str | None:
    if token in ("\\d", "\\w"):
        return "0" if token == "\\d" else "a"
    if token.startswith("\\"):
        return token[1:]
    if token.startswith("["):
        inner = token[1:-1]
        if inner.startswith("^"):
            return None
        return "0" if inner.startswith("\\d") else inner[:1] or None
    if token.startswith("("):
        return _from_simple_regex(token[1:-1].removeprefix("?:"))
    return token


def _integer(flat: Mapping[str, Any]) -> int:
    low, high = _bounds(flat)
    value = 1
    if low is not None and value < low:
        value = int(low) if float(low).is_integer() else int(low) + 1
    if high is not None and value > high:
        value = int(high)
    return _multiple(value, flat)


def _number(flat: Mapping[str, Any]) -> float | int:
    low, high = _bounds(flat)
    value: float = 1.0
    if low is not None and value < low:
        value = float(low) + 1.0
    if high is not None and value > high:
        value = float(high)
    result = _multiple(value, flat)
    return int(result) if float(result).is_integer() else result


def _bounds(flat: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Inclusive-ish bounds, nudged inward for exclusive ones (3.0 booleans and 3.1 numbers)."""
    low = flat.get("minimum")
    high = flat.get("maximum")
    exclusive_low = flat.get("exclusiveMinimum")
    exclusive_high = flat.get("exclusiveMaximum")
    if isinstance(exclusive_low, bool):
        if exclusive_low and low is not None:
            low = low + 1
    elif isinstance(exclusive_low, int | float):
        low = exclusive_low + 1 if low is None else max(low, exclusive_low + 1)
    if isinstance(exclusive_high, bool):
        if exclusive_high and high is not None:
            high = high - 1
    elif isinstance(exclusive_high, int | float):
        high = exclusive_high - 1 if high is None else min(high, exclusive_high - 1)
    return low, high


def _multiple(value: float, flat: Mapping[str, Any]) -> Any:
    step = flat.get("multipleOf")
    if not step:
        return value
    return round(value / step) * step or step
