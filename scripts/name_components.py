"""Give every model a readable, stable class name before generation.

openapi-python-client names a class after its component key (or its ``title``), and an inline schema
after the operation path plus ``Response200``/``Body``. Bundlers name hoisted files after their stems
(``info-3``). So: an operation's request body and success response are named ``<OperationId>Request`` and
``<OperationId>Response`` (hoisted when inline; renamed when used by that operation alone under a file-stem
name), component titles are dropped so the key decides, and any other key becomes its one-word title or is
PascalCased.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from _pipeline import FINAL_DIR, FIXED_DIR, ROOT, PipelineError, dump_yaml, load_yaml, packages_from_args, run_step

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_REF = "#/components/schemas/"
_BODY_REF = "#/components/requestBodies/"


def pascal_case(text: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", text)
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def _count_refs(node: Any, counts: Counter[str]) -> Counter[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            counts[ref] += 1
        for value in node.values():
            _count_refs(value, counts)
    elif isinstance(node, list):
        for item in node:
            _count_refs(item, counts)
    return counts


def _rewrite_ref(node: Any, old: str, new: str) -> None:
    if isinstance(node, dict):
        if node.get("$ref") == old:
            node["$ref"] = new
        for value in node.values():
            _rewrite_ref(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _rewrite_ref(item, old, new)


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [item[m] for item in document["paths"].values() for m in HTTP_METHODS if m in item]


def _is_class_name(key: str) -> bool:
    return re.fullmatch(r"[A-Z][A-Za-z0-9]*[A-Za-z]", key) is not None


def _inline_single_use_request_bodies(document: dict[str, Any], counts: Counter[str]) -> None:
    bodies = document.get("components", {}).get("requestBodies", {})
    for operation in _operations(document):
        ref = operation.get("requestBody", {}).get("$ref", "")
        if ref.startswith(_BODY_REF) and counts[ref] == 1:
            operation["requestBody"] = bodies.pop(ref.removeprefix(_BODY_REF))


def _name_schema(holder: dict[str, Any], name: str, document: dict[str, Any], counts: Counter[str]) -> None:
    """Make ``holder['schema']`` a ref to ``components/schemas/<name>``, hoisting or renaming as needed."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schema = holder.get("schema")
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref is None:
        if schema.get("type") not in (None, "object") or not (
            "properties" in schema or "allOf" in schema or "oneOf" in schema or "anyOf" in schema
        ):
            return  # arrays and scalars need no class of their own
        if name in schemas:
            raise PipelineError(f"cannot name an inline schema {name}: a component of that name exists")
        schemas[name] = schema
        holder["schema"] = {"$ref": _SCHEMA_REF + name}
        return
    if not ref.startswith(_SCHEMA_REF) or counts[ref] != 1:
        return  # shared schemas keep their own name
    old = ref.removeprefix(_SCHEMA_REF)
    if old == name or _is_class_name(old):
        return  # a name someone chose (``Ticker``) beats ours; file stems (``add``, ``info-3``) do not
    if name in schemas:
        raise PipelineError(f"cannot rename {old} to {name}: a component of that name exists")
    schemas[name] = schemas.pop(old)
    _rewrite_ref(document, ref, _SCHEMA_REF + name)


def _better_name(key: str, title: Any, taken: dict[str, Any]) -> str:
    """A one-word capitalised title (``AccountBalance``) beats a file stem (``balance-3``) when it is free."""
    if isinstance(title, str) and re.fullmatch(r"[A-Z][A-Za-z0-9]*", title) and title not in taken:
        return title
    return pascal_case(key)


def name_components(document: dict[str, Any]) -> dict[str, Any]:
    _inline_single_use_request_bodies(document, _count_refs(document, Counter()))
    counts = _count_refs(document, Counter())
    for key, body in document.get("components", {}).get("requestBodies", {}).items():
        if not counts[_BODY_REF + key]:
            continue  # unused bodies generate nothing; hoisting them would make them models
        for media in body.get("content", {}).values():
            _name_schema(media, f"{pascal_case(key)}Request", document, counts)
    for operation in _operations(document):
        if "operationId" not in operation:
            continue
        base = pascal_case(operation["operationId"])
        for media in operation.get("requestBody", {}).get("content", {}).values():
            _name_schema(media, f"{base}Request", document, counts)
        for status, response in operation.get("responses", {}).items():
            if str(status).startswith("2") and isinstance(response, dict):
                for media in response.get("content", {}).values():
                    _name_schema(media, f"{base}Response", document, counts)
    schemas = document.get("components", {}).get("schemas", {})
    titles = {key: schema.pop("title", None) for key, schema in schemas.items() if isinstance(schema, dict)}
    for old in list(schemas):
        new = _better_name(old, titles.get(old), schemas)
        if new != old:
            if new in schemas:
                raise PipelineError(f"cannot rename component {old} to {new}: that name is taken")
            schemas[new] = schemas.pop(old)
            _rewrite_ref(document, _SCHEMA_REF + old, _SCHEMA_REF + new)
    return document


def main(argv: list[str]) -> None:
    for package in packages_from_args(argv, __doc__):
        document = name_components(load_yaml(FIXED_DIR / f"{package.name}.yaml"))
        target = FINAL_DIR / f"{package.name}.yaml"
        dump_yaml(document, target)
        print(f"names: {package.name} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    run_step(main)
