"""The three final OpenAPI documents: loading, local ``$ref`` resolution and schema validation."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from jsonschema.protocols import Validator  # type: ignore[import-untyped]
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)

Venue = Literal["spot", "futures", "bitflyer"]
VENUES: tuple[Venue, ...] = ("spot", "futures", "bitflyer")

# The build output of `make generate`: the documents the generated clients were made from.
SPEC_DIR = Path(__file__).resolve().parents[2] / "specs" / "build" / "final"
SPEC_FILES: dict[Venue, str] = {
    "spot": "kraken_spot_api.yaml",
    "futures": "kraken_futures_api.yaml",
    "bitflyer": "bitflyer_api.yaml",
}
_VALIDATOR_CACHE_SIZE = 4096
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """A safe loader that keeps YAML 1.1 timestamps as strings.

    Unquoted example values such as ``2016-02-25T09:45:53.818Z`` would otherwise
    become ``datetime`` objects, which are neither JSON nor what the venue sends.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Spec:
    """One venue's document plus the helpers every other module needs."""

    venue: Venue
    document: Mapping[str, Any]
    _validators: dict[int, Validator] = field(default_factory=dict, compare=False, repr=False)

    @property
    def oas31(self) -> bool:
        return str(self.document.get("openapi", "")).startswith("3.1")

    def pointer(self, ref: str) -> Any:
        """The node a local ``#/a/b`` reference names (JSON-pointer escapes honoured)."""
        if not ref.startswith("#/"):
            raise ValueError(f"{self.venue}: only local references are supported, got {ref!r}")
        node: Any = self.document
        for token in ref[2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def resolve(self, node: Any) -> Any:
        """Follow a chain of ``$ref`` objects to the node they finally name."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"{self.venue}: reference cycle at {ref}")
            seen.add(ref)
            node = self.pointer(ref)
        return node

    def errors(self, instance: Any, schema: Mapping[str, Any]) -> list[str]:
        """Validation messages for ``instance`` against ``schema`` (empty when valid).

        OAS30Validator for 3.0 documents and OAS31Validator for 3.1, with their
        format checkers, and every ``#/components/...`` reference resolvable.
        """
        validator = self._validator(schema)
        messages: list[str] = []
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(part) for part in error.absolute_path) or "<root>"
            messages.append(f"{where}: {error.message}")
        return messages

    def is_valid(self, instance: Any, schema: Mapping[str, Any]) -> bool:
        return self._validator(schema).is_valid(instance)

    def _validator(self, schema: Mapping[str, Any]) -> Validator:
        # Keyed by identity: schemas are nodes of the (never mutated) document or
        # short-lived merges, and re-building a validator per call is the slow part.
        key = id(schema)
        cached = self._validators.get(key)
        if cached is not None and cached.schema.get("x-standin-target") is schema:
            return cached
        # The schema is wrapped so that "#/components/..." resolves against a root
        # holding this document's components; unknown keywords are ignored by both dialects.
        root = {"components": self.document.get("components", {}), "x-standin-target": schema, "allOf": [schema]}
        if self.oas31:
            validator: Validator = OAS31Validator(root, format_checker=oas31_format_checker)
        else:
            validator = OAS30Validator(root, format_checker=oas30_format_checker)
        if len(self._validators) > _VALIDATOR_CACHE_SIZE:
            # Merged schemas made by the synthesizer are short-lived; keep the cache bounded.
            self._validators.clear()
        self._validators[key] = validator
        return validator


@functools.cache
def load_spec(venue: Venue) -> Spec:
    """Parse a venue's final document once per process (the three take about a second together)."""
    with (SPEC_DIR / SPEC_FILES[venue]).open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_Loader)
    return Spec(venue, document)


def operations(spec: Spec) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """``(method, spec_path, operation, path_item)`` for every operation, in document order."""
    found = []
    for path, item in spec.document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                found.append((method.upper(), path, item[method], item))
    return found
