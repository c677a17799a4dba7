"""Give every model a readable, stable class name before generation.

openapi-python-client names a class after its component key (or its ``title``), and an inline schema
after the operation path plus ``Response200``/``Body``. The bundle step keys components by the upstream file
they came from (``schemas.responses.user.orders.query``, see scripts/anchors.py). So, in this order:

1. a component listed under ``names`` in specs/pipeline.yaml takes the name given there (the last resort, for
   the few whose upstream names say nothing or mislead);
2. an operation's request body and success response are named ``<OperationId>Request`` and
   ``<OperationId>Response`` (hoisted when inline; renamed when used by that operation alone);
3. a key that is already a class name (``OrderJson``: named upstream) stays;
4. the others take their one-word capitalised ``title`` when no other component has it, else their file stem
   (``Deposit``), qualified by as many parent folders as it takes to be unique (``PublicTrade``);
5. nested objects get components of their own, named by scripts/nested_models.py.

Component titles are dropped so that the key decides. Candidates are tried in sorted key order, so the names
depend on the document alone.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from openapi_python_client.strings import pascal_case

from _pipeline import FINAL_DIR, FIXED_DIR, ROOT, PipelineError, dump_yaml, load_yaml, packages_from_args, run_step
from nested_models import SCHEMA_REF, NestedModels, class_name

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BODY_REF = "#/components/requestBodies/"


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
    return re.fullmatch(r"[A-Z][A-Za-z0-9]*", key) is not None


def _inline_single_use_request_bodies(document: dict[str, Any], counts: Counter[str]) -> None:
    bodies = document.get("components", {}).get("requestBodies", {})
    for operation in _operations(document):
        ref = operation.get("requestBody", {}).get("$ref", "")
        if ref.startswith(_BODY_REF) and counts[ref] == 1:
            operation["requestBody"] = bodies.pop(ref.removeprefix(_BODY_REF))


def _rename(document: dict[str, Any], old: str, new: str) -> None:
    schemas = document["components"]["schemas"]
    if new in schemas:
        raise PipelineError(f"cannot rename component {old} to {new}: that name is taken")
    schemas[new] = schemas.pop(old)
    _rewrite_ref(document, SCHEMA_REF + old, SCHEMA_REF + new)


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
        holder["schema"] = {"$ref": SCHEMA_REF + name}
        return
    if not ref.startswith(SCHEMA_REF) or counts[ref] != 1:
        return  # shared schemas keep their own name
    old = ref.removeprefix(SCHEMA_REF)
    if old == name or _is_class_name(old):
        return  # a name someone chose (``Ticker``) beats ours; file keys (``schemas.requests.user.query``) do not
    _rename(document, old, name)


def _readable(key: str, taken: set[str]) -> str:
    """The file stem of a key (``schemas.objects.funding.deposits.deposit`` -> ``Deposit``), qualified by as many
    parent folders as it takes to be free (``PublicTrade``)."""
    parts = key.split(".")
    candidates = [class_name("_".join(parts[-count:])) for count in range(1, len(parts) + 1)]
    return next((candidate for candidate in candidates if candidate not in taken), candidates[-1])


def _name_by_operation(document: dict[str, Any]) -> None:
    _inline_single_use_request_bodies(document, _count_refs(document, Counter()))
    counts = _count_refs(document, Counter())
    for key, body in document.get("components", {}).get("requestBodies", {}).items():
        if not counts[_BODY_REF + key]:
            continue  # unused bodies generate nothing; hoisting them would make them models
        for media in body.get("content", {}).values():
            _name_schema(media, f"{_readable(key, set())}Request", document, counts)
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


def name_components(document: dict[str, Any], chosen: dict[str, str] | None = None) -> dict[str, Any]:
    """Name every schema component (see the module docstring); ``chosen`` maps component keys to class names."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    stale = sorted(set(chosen or {}) - set(schemas))
    if stale:
        raise PipelineError(f"`names` in specs/pipeline.yaml lists components that do not exist: {stale}")
    for key, name in sorted((chosen or {}).items()):
        _rename(document, key, name)  # first: a chosen name is a class name, which the operation naming keeps
    _name_by_operation(document)
    titles = {key: schema.pop("title", None) for key, schema in schemas.items() if isinstance(schema, dict)}
    unnamed = sorted(key for key in schemas if not _is_class_name(key))
    taken = set(schemas) - set(unnamed)
    new_names: dict[str, str] = {}
    for key in unnamed:
        title = titles.get(key)
        if isinstance(title, str) and re.fullmatch(r"[A-Z][A-Za-z0-9]*", title) and title not in taken:
            new_names[key] = title
            taken.add(title)
    for key in unnamed:
        if key not in new_names:
            new_names[key] = _readable(key, taken)
            taken.add(new_names[key])
    for key, name in new_names.items():
        _rename(document, key, name)
    NestedModels(schemas).run()
    return document


def main(argv: list[str]) -> None:
    for package in packages_from_args(argv, __doc__):
        document = name_components(load_yaml(FIXED_DIR / f"{package.name}.yaml"), package.names)
        target = FINAL_DIR / f"{package.name}.yaml"
        dump_yaml(document, target)
        print(f"names: {package.name} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    run_step(main)
