"""Write the API surface summary of each generated package: a committed, reviewable golden record.

One line per operation, parameter, model, field and enum member, each naming what it belongs to, with the full
Python type as the generated code spells it (list items, map values, ``None``, ``Unset``), the wire name where
it differs from the Python name, and ``(deprecated)`` where the final spec says so:

    operation get_ohlc_data: GET /public/OHLC -> GetOHLCDataResponse | None  [api.market_data]
    parameter get_ohlc_data(interval): GetOhlcDataInterval | Unset
    model AccountBalance: dict[str, str]
    field AddOrderRequest.type_: AddOrderRequestType  (wire: type)
    member AddOrderRequestType.BUY: "buy"

so a spec change is a line-by-line diff of specs/surface/<package>.txt (a new field is one added line).
Writing refuses removals that specs/removals.yaml does not acknowledge (scripts/surface_diff.py); ``--check``
fails when the committed summary differs from the generated code.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _pipeline import GENERATED, ROOT, SURFACE_DIR, PipelineError, load_yaml, run_step, select_packages
from surface_diff import DEPRECATED, load_acknowledgements, removal_check

_SKIPPED_PARAMS = {"client"}
NO_PARSER = "None (no parsed response)"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
HEADER = (
    "# API surface of {package}, written by scripts/surface.py from the generated code and the final spec. Do not\n"
    "# edit. One line per operation, parameter, model, field and enum member: a change users can feel is a line.\n"
)


@dataclass(frozen=True)
class Endpoint:
    """What a generated endpoint module exposes, as written in its source."""

    module: str
    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    returns: str
    sent: frozenset[tuple[str, str]] = frozenset()  # (location, wire name) of every query/header parameter sent
    wire: tuple[tuple[str, tuple[str, str]], ...] = ()  # Python parameter -> (location, wire name)


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def _request_line(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str]:
    for node in ast.walk(function):
        if isinstance(node, ast.Dict):
            entries = {k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)}
            if "method" in entries and "url" in entries:
                method = entries["method"]
                url = entries["url"]
                if isinstance(url, ast.Call) and isinstance(url.func, ast.Attribute):
                    url = url.func.value  # "/tickers/{symbol}".format(symbol=quote(...))
                url_text = url.value if isinstance(url, ast.Constant) else ast.unparse(url)[2:-1]
                if isinstance(method, ast.Constant):
                    return str(method.value), str(url_text)
    raise PipelineError(f"cannot find the method and URL in {function.name}")


def read_endpoint(path: Path, package_dir: Path) -> Endpoint | None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = _functions(tree)
    if "sync_detailed" not in functions:
        return None
    method, url = _request_line(functions["_get_kwargs"])
    detailed = functions["sync_detailed"]
    params = tuple(
        (arg.arg, ast.unparse(arg.annotation) if arg.annotation else "Any")
        for arg in [*detailed.args.args, *detailed.args.kwonlyargs]
        if arg.arg not in _SKIPPED_PARAMS
    )
    typed = functions.get("sync")
    returns = ast.unparse(typed.returns) if typed and typed.returns else NO_PARSER
    module = ".".join(path.relative_to(package_dir).with_suffix("").parts)
    wire = _sent_parameters(functions["_get_kwargs"])
    return Endpoint(
        module=module,
        method=method.upper(),
        url=url,
        params=params,
        returns=returns,
        sent=frozenset(wire.values()),
        wire=tuple(sorted(wire.items())),
    )


def _sent_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, tuple[str, str]]:
    """``params["x"] = x`` and ``headers["X"] = json_x`` assignments: Python name -> (location, wire name)."""
    found = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if isinstance(target.value, ast.Name) and isinstance(target.slice, ast.Constant):
                location = {"params": "query", "headers": "header"}.get(target.value.id)
                if location and target.slice.value != "Content-Type":
                    source = node.value.id if isinstance(node.value, ast.Name) else ast.unparse(node.value)
                    found[source.removeprefix("json_")] = (location, str(target.slice.value))
    return found


def read_endpoints(package_dir: Path) -> list[Endpoint]:
    if not (package_dir / "api").is_dir():
        raise PipelineError(f"{package_dir} has no api/ folder: run `make generate`")
    endpoints = [read_endpoint(path, package_dir) for path in sorted((package_dir / "api").rglob("*.py"))]
    return sorted((e for e in endpoints if e), key=lambda e: (e.url, e.method))


@dataclass(frozen=True)
class Model:
    """A generated model or enum class, as written in its source."""

    name: str
    enum_of: str | None  # "str" or "int" for enums
    fields: tuple[tuple[str, str, str], ...]  # (Python name, annotation, wire name)
    map_values: str | None  # the type of ``additional_properties`` when it is not ``Any``
    members: tuple[tuple[str, Any], ...]


def _wire_names(cls: ast.ClassDef) -> dict[str, str]:
    """Python field -> JSON key, from ``to_dict``'s ``field_dict["key"] = field`` and ``update({"key": field})``."""
    pairs: list[tuple[ast.expr | None, ast.expr]] = []
    to_dict = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "to_dict"), None)
    for node in ast.walk(to_dict) if to_dict else ():
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            pairs.append((node.targets[0].slice, node.value))
        elif isinstance(node, ast.Dict):
            pairs += zip(node.keys, node.values, strict=True)
    return {v.id: str(k.value) for k, v in pairs if isinstance(k, ast.Constant) and isinstance(v, ast.Name)}


def _read_class(node: ast.ClassDef) -> Model:
    bases = [ast.unparse(base) for base in node.bases]
    enum_of = "int" if "IntEnum" in bases else ("str" if "Enum" in bases else None)
    wire = _wire_names(node)
    fields = []
    map_values = None
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            annotation = ast.unparse(stmt.annotation)
            if annotation.startswith("ClassVar["):  # the model's own data (wire keys), not a field users set
                continue
            if stmt.target.id == "additional_properties":
                value_type = annotation.removeprefix("dict[str, ").removesuffix("]")
                map_values = None if value_type == "Any" else annotation
            else:
                fields.append((stmt.target.id, annotation, wire.get(stmt.target.id, stmt.target.id)))
    members = tuple(
        (target.id, stmt.value.value)
        for stmt in node.body
        if enum_of and isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    )
    return Model(node.name, enum_of, tuple(fields), map_values, members)


def read_models(package_dir: Path) -> list[Model]:
    models = [
        _read_class(node)
        for path in sorted((package_dir / "models").glob("*.py"))
        if path.name != "__init__.py"
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    ]
    return sorted(models, key=lambda model: model.name)


@dataclass(frozen=True)
class Deprecations:
    """What the final spec marks ``deprecated: true``, keyed the way the generated code can be looked up."""

    operations: frozenset[tuple[str, str]]  # (METHOD, path with {} for parameters)
    parameters: frozenset[tuple[str, str, str, str]]  # (METHOD, path, location, wire name)
    models: frozenset[str]  # component keys, which the naming step made the class names
    fields: frozenset[tuple[str, str]]  # (component key, wire name)


def _path_key(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _properties(schema: Any, schemas: dict[str, Any], seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A model's properties, the ones its ``allOf`` members (inline or referenced) bring in included."""
    if not isinstance(schema, dict):
        return {}
    found = dict(schema.get("properties", {}))
    for member in schema.get("allOf", []):
        ref = member.get("$ref", "") if isinstance(member, dict) else ""
        name = ref.rsplit("/", 1)[-1]
        if ref and name not in seen:
            found.update(_properties(schemas.get(name), schemas, seen | {name}))
        elif not ref:
            found.update(_properties(member, schemas, seen))
    return found


def spec_deprecations(spec: dict[str, Any]) -> Deprecations:
    components = spec.get("components", {})
    schemas = components.get("schemas", {})
    operations, parameters = set(), set()
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            key = (method.upper(), _path_key(path))
            if operation.get("deprecated"):
                operations.add(key)
            for declared in [*item.get("parameters", []), *operation.get("parameters", [])]:
                ref = declared.get("$ref")
                parameter = components["parameters"][ref.rsplit("/", 1)[1]] if ref else declared
                if parameter.get("deprecated"):
                    parameters.add((*key, parameter["in"], parameter["name"]))
    fields = {
        (name, wire)
        for name, schema in schemas.items()
        for wire, prop in _properties(schema, schemas).items()
        if isinstance(prop, dict) and prop.get("deprecated")
    }
    models = {name for name, schema in schemas.items() if isinstance(schema, dict) and schema.get("deprecated")}
    return Deprecations(frozenset(operations), frozenset(parameters), frozenset(models), frozenset(fields))


def _operation_lines(endpoint: Endpoint, deprecated: Deprecations) -> list[str]:
    name = endpoint.module.rsplit(".", 1)[-1]
    where = endpoint.module.rsplit(".", 1)[0]
    key = (endpoint.method, _path_key(endpoint.url))
    mark = DEPRECATED if key in deprecated.operations else ""
    lines = [f"operation {name}: {endpoint.method} {endpoint.url} -> {endpoint.returns}  [{where}]{mark}"]
    wire = dict(endpoint.wire)
    for param, annotation in endpoint.params:
        location, wire_name = wire.get(param, ("path", param))
        mark = DEPRECATED if (*key, location, wire_name) in deprecated.parameters else ""
        lines.append(f"parameter {name}({param}): {annotation}{mark}")
    return lines


def _model_lines(model: Model, deprecated: Deprecations) -> list[str]:
    if model.enum_of:
        return [f"enum {model.name}: {model.enum_of}"] + [
            f"member {model.name}.{member}: {json.dumps(value)}" for member, value in model.members
        ]
    mark = DEPRECATED if model.name in deprecated.models else ""
    lines = [f"model {model.name}" + (f": {model.map_values}" if model.map_values else "") + mark]
    for field, annotation, wire in model.fields:
        named = f"  (wire: {wire})" if wire != field else ""
        mark = DEPRECATED if (model.name, wire) in deprecated.fields else ""
        lines.append(f"field {model.name}.{field}: {annotation}{named}{mark}")
    return lines


def summary(package_name: str, package_dir: Path, spec: dict[str, Any]) -> str:
    """The surface text of one generated package; ``spec`` is the final document it was generated from."""
    deprecated = spec_deprecations(spec)
    endpoints = sorted(read_endpoints(package_dir), key=lambda e: e.module.rsplit(".", 1)[-1])
    lines = [HEADER.format(package=package_name)]
    lines += [line for endpoint in endpoints for line in _operation_lines(endpoint, deprecated)]
    lines.append("")
    lines += [line for model in read_models(package_dir) for line in _model_lines(model, deprecated)]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("packages", nargs="*", help="package names (default: all)")
    parser.add_argument("--check", action="store_true", help="fail if a committed summary differs")
    parser.add_argument("--generated", type=Path, default=GENERATED)
    args = parser.parse_args(argv)
    texts = {
        package.name: summary(package.name, args.generated / package.name, load_yaml(package.final_spec))
        for package in select_packages(args.packages)
    }
    stale = []
    for name, text in texts.items():
        target = SURFACE_DIR / f"{name}.txt"
        committed = target.read_text(encoding="utf-8") if target.exists() else ""
        if args.check and committed != text:
            diff = difflib.unified_diff(
                committed.splitlines(), text.splitlines(), str(target), "generated", lineterm="", n=1
            )
            stale.append("\n".join(list(diff)[:60]))
    if stale:
        raise PipelineError(
            "the committed API surface differs from the generated code; run `make generate` and commit "
            "specs/surface/ if the change is intended:\n" + "\n".join(stale)
        )
    if args.check:
        return
    acknowledged = load_acknowledgements()
    notes = removal_check({name: (SURFACE_DIR / f"{name}.txt", text) for name, text in texts.items()}, acknowledged)
    for name, text in texts.items():
        target = SURFACE_DIR / f"{name}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"surface: {name} -> {target.relative_to(ROOT)}")
    for note in notes:
        print(note)


if __name__ == "__main__":
    run_step(main)
