"""Give every object nested in a component schema a component of its own, named without generator artifacts.

openapi-python-client names an inline object after its parent class and its property, so names grow with
depth, and it adds ``Type0``, ``Type1`` for nullable objects and union members and ``Item`` for array items:
``ListAllocationsResponseResultType0ItemsItemAmountAllocatedUnbondingType0AllocationsItem``. Moving each nested
object into ``components/schemas`` under a name chosen here ends the chain at every level:

* an object under property ``p`` of class ``P`` is ``P`` + ``Pascal(title or p)``, as the generator names it;
* array items add ``Item`` (the items of a property named ``items`` are just ``Item``); map values add
  ``AdditionalProperty``, as the generator does;
* a nullable object takes its plain name (no ``Type0``); in a union, an only object member takes the union's
  name, and several are told apart by a property with one constant value (``LockTypeFlex``), else by their one
  required property (``HistoricalOrderEventOrderPlaced``), else by their titles;
* a name longer than ``MAX_LENGTH`` keeps the root component's name and its last two segments, more only if
  those are taken (``ListAllocationsResponseBondingAllocationsItem``).

Enums stay where they are (the generator names them ``<Class><Property>``) unless that name would carry an
artifact or be too long; then they move like objects. Every generated model then has a component of the same
name, which lets the surface summary read deprecations from the final document.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from openapi_python_client.strings import ClassName, pascal_case

from _pipeline import PipelineError

MAX_LENGTH = 60
SCHEMA_REF = "#/components/schemas/"
# Keywords that belong to where a schema is used, not to the schema: they stay at the property.
_SITE_KEYWORDS = ("nullable", "deprecated", "default", "readOnly", "writeOnly")
_FIELD_PREFIX = "field_"  # the generator's default, for names that are not identifiers


def class_name(text: str) -> str:
    """The class name the generator makes of ``text`` (a component key or a composed name)."""
    return str(ClassName(text, _FIELD_PREFIX))


@dataclass(frozen=True)
class Place:
    """Where a schema sits, named both ways: as the generator would (``raw`` under ``parent``) and as we do."""

    parent: str  # the class holding it ("" for a component's own union members)
    raw: str  # the generator's name for it inside the parent (``items_item``, ``lock_type_type_0``)
    parts: tuple[str, ...]  # our name segments inside the parent
    root: str  # the component it all started from
    trail: tuple[str, ...]  # our segments from the root component down to here

    def down(self, raw: str, part: str) -> Place:
        return Place(self.parent, raw, (*self.parts, part), self.root, (*self.trail, part))

    @property
    def generated_name(self) -> str:
        return class_name(pascal_case(self.parent) + pascal_case(self.raw))

    @property
    def our_name(self) -> str:
        return class_name(self.parent + "".join(self.parts))


def _is_object(schema: dict[str, Any]) -> bool:
    if "enum" in schema or "$ref" in schema:
        return False
    inline_all_of = any(isinstance(m, dict) and "$ref" not in m for m in schema.get("allOf", []))
    types = schema.get("type")
    return bool(
        "properties" in schema
        or isinstance(schema.get("additionalProperties"), dict)
        or inline_all_of
        or types == "object"
        or (isinstance(types, list) and "object" in types)
    )


def _title(schema: Any) -> str | None:
    """The title the generator names a model or an enum by (it names arrays and unions by their property)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("title"), str):
        return None
    makes_class = "enum" in schema or _is_object(schema)
    return schema["title"] if makes_class and "oneOf" not in schema and "anyOf" not in schema else None


def _makes_class(schema: Any) -> bool:
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if "enum" in schema or _is_object(schema):
        return True
    return _makes_class(schema.get("items"))


def _member_suffixes(members: list[dict[str, Any]]) -> list[str]:
    """Names that tell a union's class-making members apart (empty when there is at most one)."""
    if len(members) < 2:
        return ["" for _ in members]

    def constant(member: dict[str, Any]) -> str | None:
        for prop in member.get("properties", {}).values():
            values = ([prop["const"]] if "const" in prop else prop.get("enum", [])) if isinstance(prop, dict) else []
            if len(values) == 1:
                return str(values[0])
        return None

    def only_required(member: dict[str, Any]) -> str | None:
        required = member.get("required", [])
        return str(required[0]) if len(required) == 1 else None

    for rule in (lambda m: m.get("title"), constant, only_required):
        found = [rule(member) for member in members]
        if all(found) and len({pascal_case(str(f)) for f in found}) == len(found):
            return [pascal_case(str(f)) for f in found]
    return [f"Type{index}" for index in range(len(members))]


class NestedModels:
    """Moves nested objects (and badly named enums) of ``schemas`` into components of their own."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas

    def run(self) -> None:
        for name in sorted(self.schemas):
            self._model(self.schemas[name], Place(name, "", (), name, ()))

    def _model(self, schema: Any, place: Place) -> None:
        """The parts of a model (a class named ``place.parent``) that can hold nested schemas."""
        if not isinstance(schema, dict):
            return
        for prop, value in schema.get("properties", {}).items():
            label = _title(value) or prop
            self._site(schema["properties"], prop, place.down(label, pascal_case(label)))
        if isinstance(schema.get("additionalProperties"), dict):
            label = _title(schema["additionalProperties"]) or "additional_property"
            self._site(schema, "additionalProperties", place.down(label, pascal_case(label)))
        for member in schema.get("allOf", []):
            self._model(member, place)  # merged into the same class
        if not place.parts:  # a component that is a union or an array: the generator names what it holds
            itself = Place("", place.parent, (place.parent,), place.root, place.trail)
            if "oneOf" in schema or "anyOf" in schema:
                self._union(schema, itself)
            elif isinstance(schema.get("items"), dict):
                self._items(schema, itself)

    def _site(self, holder: dict[str, Any] | list[Any], key: Any, place: Place) -> None:
        schema = holder[key]
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        if "oneOf" in schema or "anyOf" in schema:
            self._union(schema, place)
        elif _is_object(schema):
            name = self._hoist(holder, key, place)
            self._model(self.schemas[name], Place(name, "", (), place.root, place.trail))
        elif "enum" in schema:
            if place.our_name != place.generated_name or len(place.our_name) > MAX_LENGTH:
                self._hoist(holder, key, place)
        elif isinstance(schema.get("items"), dict):
            types = schema.get("type")
            nullable = schema.get("nullable") is True or (isinstance(types, list) and "null" in types)
            # The generator makes a nullable array a union and names its items after the union's first member.
            self._items(schema, replace(place, raw=f"{place.raw}_type_0") if nullable else place)

    def _items(self, schema: dict[str, Any], place: Place) -> None:
        last = place.parts[-1]
        part = last[:-1] if last.endswith("Items") else f"{last}Item"
        items = Place(
            place.parent, f"{place.raw}_item", (*place.parts[:-1], part), place.root, (*place.trail[:-1], part)
        )
        self._site(schema, "items", items)

    def _union(self, schema: dict[str, Any], place: Place) -> None:
        members = [m for key in ("anyOf", "oneOf") for m in schema.get(key, [])]
        making = [m for m in members if _makes_class(m)]
        suffixes = dict(zip(map(id, making), _member_suffixes(making), strict=True))
        for key in ("anyOf", "oneOf"):
            for index, member in enumerate(schema.get(key, [])):
                if id(member) in suffixes:
                    title = member.get("title")
                    raw = f"{place.raw}_{title if isinstance(title, str) else f'type_{index}'}"
                    self._site(schema[key], index, place.down(raw, suffixes[id(member)]))

    def _name(self, place: Place) -> str:
        name = place.our_name
        if len(name) <= MAX_LENGTH:
            return name
        for count in range(min(2, len(place.trail)), len(place.trail) + 1):
            shorter = class_name(place.root + "".join(place.trail[-count:]))
            if shorter not in self.schemas:
                return shorter
        return name

    def _hoist(self, holder: dict[str, Any] | list[Any], key: Any, place: Place) -> str:
        name = self._name(place)
        schema = holder[key]
        if name in self.schemas:
            raise PipelineError(f"cannot name the schema nested at {place.root}: {name} is already a component")
        site = {word: schema.pop(word) for word in _SITE_KEYWORDS if word in schema}
        schema.pop("title", None)  # it named the class already; the generator would prefix it again
        reference: dict[str, Any] = {"$ref": SCHEMA_REF + name}
        types = schema.get("type")
        if isinstance(types, list) and "null" in types:
            rest = [kind for kind in types if kind != "null"]
            schema["type"] = rest[0] if len(rest) == 1 else rest
            holder[key] = {"oneOf": [reference, {"type": "null"}], **site}
        else:
            holder[key] = {"allOf": [reference], **site} if site else reference
        self.schemas[name] = schema
        return name
