"""The route table: (method, path-template regex) -> operation, built from each final document."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .spec import Spec, Venue, load_spec, operations
from .synthesize import flatten

_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class Operation:
    """One operation of one venue, with everything the checks and answers need resolved."""

    venue: Venue
    method: str
    spec_path: str  # as written in the document ("/public/Time")
    route: str  # as served, with the server's base path ("/0/public/Time")
    operation_id: str
    parameters: tuple[Mapping[str, Any], ...]  # path-item and operation parameters, $refs resolved
    request_body: Mapping[str, Any] | None  # the resolved requestBody object
    responses: Mapping[str, Any]
    private: bool
    pattern: re.Pattern[str]

    def params_in(self, location: str) -> list[Mapping[str, Any]]:
        return [param for param in self.parameters if param.get("in") == location]

    def required_params(self, location: str) -> list[str]:
        return [param["name"] for param in self.params_in(location) if param.get("required")]

    def request_media(self, spec: Spec) -> tuple[str, Mapping[str, Any]] | None:
        """The first declared request media type and its schema, if the operation takes a body."""
        if not self.request_body:
            return None
        for media_type, media in self.request_body.get("content", {}).items():
            return media_type, media.get("schema", {})
        return None

    def required_body_fields(self, spec: Spec) -> list[str]:
        """Top-level ``required`` names of the request schema (``allOf`` merged)."""
        media = self.request_media(spec)
        if media is None:
            return []
        return list(flatten(spec, media[1]).get("required", []))


class RouteTable:
    """Matches a request's method and raw path to an operation of one venue."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        base = urlsplit(spec.document["servers"][0]["url"]).path.rstrip("/")
        self.base_path = base  # "/0" for Kraken Spot, "" for the other two
        top_security = spec.document.get("security", [])
        built = [self._operation(spec, base, top_security, *entry) for entry in operations(spec)]
        self.operations: tuple[Operation, ...] = tuple(built)
        # Literal segments beat templated ones ("/rfqs/open-offers" before "/rfqs/{rfqUid}",
        # "/charts/v1/analytics/liquidity-pool" before "/charts/v1/{tick_type}/{symbol}").
        self._ordered = sorted(built, key=lambda op: _specificity(op.route))

    def match(self, method: str, raw_path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self._ordered:
            if op.method != method:
                continue
            found = op.pattern.fullmatch(raw_path)
            if found:
                return op, found.groupdict()
        return None

    def by_id(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(f"{self.spec.venue}: no operation {operation_id!r}")

    @staticmethod
    def _operation(
        spec: Spec,
        base: str,
        top_security: list[Mapping[str, Any]],
        method: str,
        spec_path: str,
        node: Mapping[str, Any],
        item: Mapping[str, Any],
    ) -> Operation:
        params: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*item.get("parameters", []), *node.get("parameters", [])]:
            param = spec.resolve(raw)
            params[(param["name"], param["in"])] = param  # operation-level wins, as OpenAPI says
        body = spec.resolve(node["requestBody"]) if "requestBody" in node else None
        security = node.get("security", top_security)
        # Private when every alternative needs credentials; an empty alternative {} means optional auth.
        private = bool(security) and all(requirement for requirement in security)
        route = base + spec_path
        regex = "".join(
            f"(?P<{_group(name)}>[^/]+)" if name is not None else re.escape(text) for text, name in _segments(route)
        )
        return Operation(
            venue=spec.venue,
            method=method,
            spec_path=spec_path,
            route=route,
            operation_id=node.get("operationId", f"{method} {spec_path}"),
            parameters=tuple(params.values()),
            request_body=body,
            responses=node.get("responses", {}),
            private=private,
            pattern=re.compile(regex),
        )


def _segments(route: str) -> list[tuple[str, str | None]]:
    """Split a template into literal text and ``{name}`` placeholders."""
    parts: list[tuple[str, str | None]] = []
    pos = 0
    for found in _PARAM.finditer(route):
        parts.append((route[pos : found.start()], None))
        parts.append((found.group(), found.group(1)))
        pos = found.end()
    parts.append((route[pos:], None))
    return [part for part in parts if part[0]]


def _group(name: str) -> str:
    # Regex group names must be identifiers; the documents use names like "rfqUid" and "tick_type".
    return re.sub(r"\W", "_", name)


def _specificity(route: str) -> tuple[int, ...]:
    return tuple(1 if "{" in segment else 0 for segment in route.split("/"))


@functools.cache
def route_table(venue: Venue) -> RouteTable:
    return RouteTable(load_spec(venue))
