"""A valid request for every operation, built from the document's own examples.

Used by the stand-in's tests (``minimal_request``: raw HTTP) and by the cassette recorder
(``request_values``: the same values before they are encoded, to become facade arguments).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from .routes import Operation
from .spec import Spec, load_spec
from .synthesize import flatten, synthesize

__all__ = [
    "Built",
    "RequestValues",
    "minimal_request",
    "param_sample",
    "param_value",
    "query_text",
    "request_values",
    "sample",
    "url_text",
]


def sample(spec: Spec, schema: Mapping[str, Any], holder: Mapping[str, Any]) -> Any:
    """A documented example (holder's, then the schema's) if it validates, else an enum value or synthesis."""
    candidates: list[Any] = []
    if "example" in holder:
        candidates.append(holder["example"])
    for example in (holder.get("examples") or {}).values():
        candidates.append(spec.resolve(example).get("value"))
        break
    flat = flatten(spec, schema)
    if "example" in flat:
        candidates.append(flat["example"])
    if flat.get("enum"):
        candidates.append(flat["enum"][0])
    for candidate in candidates:
        if spec.is_valid(candidate, schema):
            return candidate
    return synthesize(spec, schema, write=True)


def query_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [query_text(item) for item in value]
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def param_sample(spec: Spec, param: Mapping[str, Any]) -> Any:
    """The parameter's value as a JSON value (a ``content`` parameter's document, not yet serialised)."""
    if "content" in param:  # e.g. futures simulate: a JSON document in one query parameter
        media = next(iter(param["content"].values()))
        return sample(spec, media.get("schema", {}), media)
    return sample(spec, param.get("schema", {}), param)


def param_value(spec: Spec, param: Mapping[str, Any]) -> Any:
    """The parameter's value as it goes into the URL."""
    return url_text(param, param_sample(spec, param))


def url_text(param: Mapping[str, Any], value: Any) -> Any:
    """``value`` (from :func:`param_sample`) as it goes into the URL."""
    if "content" in param:
        return json.dumps(value, separators=(",", ":"))
    return query_text(value)


@dataclass(frozen=True)
class RequestValues:
    """An operation's arguments as JSON values, keyed by the document's names (nothing encoded yet)."""

    path: dict[str, Any]
    query: dict[str, Any]  # required query parameters only
    body: Any  # None when the operation takes no body
    media_type: str | None  # the body's media type


def request_values(op: Operation) -> RequestValues:
    spec = load_spec(op.venue)
    path = {param["name"]: param_sample(spec, param) for param in op.params_in("path")}
    query = {param["name"]: param_sample(spec, param) for param in op.params_in("query") if param.get("required")}
    media = op.request_media(spec)
    if media is None:
        return RequestValues(path, query, None, None)
    media_type, schema = media
    holder = op.request_body["content"][media_type] if op.request_body else {}
    body = sample(spec, schema, holder)
    if op.venue == "spot" and isinstance(body, dict):
        body = {name: value for name, value in body.items() if name != "nonce"}  # the auth adds it
    return RequestValues(path, query, body, media_type)


@dataclass(frozen=True)
class Built:
    method: str
    path: str  # relative to the venue's base URL
    params: dict[str, Any]
    content: bytes | None
    headers: dict[str, str]


def minimal_request(op: Operation) -> Built:
    values = request_values(op)
    path = op.spec_path
    by_name = {(param["name"], param["in"]): param for param in op.parameters}
    for name, value in values.path.items():
        path = path.replace("{" + name + "}", quote(str(url_text(by_name[(name, "path")], value)), safe=""))
    params = {name: url_text(by_name[(name, "query")], value) for name, value in values.query.items()}
    if values.media_type is None:
        return Built(op.method, path, params, None, {})
    media_type, body = values.media_type, values.body
    if "json" in media_type:
        text = json.dumps(body, separators=(",", ":"))
        return Built(op.method, path, params, text.encode(), {"Content-Type": media_type})
    form = urlencode({name: query_text(value) for name, value in body.items()}, doseq=True)
    return Built(op.method, path, params, form.encode(), {"Content-Type": media_type})
