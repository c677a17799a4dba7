"""The generated operations as the facades see them: read from the generated code and the final spec.

One :class:`Method` per generated endpoint module: its name, HTTP method and wire path, its parameters (and its request
body's fields, which the facade also takes as keyword arguments), its success type, and what the overlay needs to know
to call it. scripts/write_facades.py renders them.
"""

from __future__ import annotations

import ast
import importlib
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _pipeline import PipelineError
from surface import read_endpoint

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_READ_PREFIXES = ("get_", "list_")


@dataclass(frozen=True)
class Param:
    """One argument of a facade method: a parameter of the generated function, or a field of its request body."""

    name: str  # the facade's name for it
    annotation: str
    required: bool
    positional: bool
    field: str = ""  # for a body field: the request model's attribute (``type_`` for ``type``)
    wire: str = ""  # the name on the wire (query, header, path or body field); "" for the body itself


@dataclass(frozen=True)
class Body:
    """A request body whose fields the facade also takes as keyword arguments (``body=`` stays an alternative)."""

    model: str  # the request model's class name
    fields: tuple[Param, ...]
    optional: bool  # every field is optional, so the body may be left out


@dataclass(frozen=True)
class Method:
    name: str
    module: str
    http_method: str
    path: str  # as on the wire: the spec's server path (Kraken Spot's /0) included
    summary: str
    details: str
    params: tuple[Param, ...]  # the generated function's, the body among them
    body: Body | None
    returns: str
    private: bool
    read: bool
    empty_success: bool
    json_success: bool
    unwrap: str | None
    imports: tuple[tuple[str, str], ...]
    rules: tuple[tuple[str, tuple[str, ...]], ...]  # ("exactly_one" | "at_most_one" | "at_least_one", wire names)


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _imports(package: str, tree: ast.Module) -> dict[str, str]:
    """Name → the import line that binds it, from a generated module (relative imports made absolute)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name] = f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if node.level:
                # ...models.x / ...types → <package>.models (the lazy package) / <package>.types
                module = f"{package}.models" if module.startswith("models") else f"{package}.{module}"
            for alias in node.names:
                found[alias.asname or alias.name] = f"from {module} import {alias.name}"
    return found


def _lazy_models(package_dir: Path) -> dict[str, str]:
    """Class name → module name, from the lazy ``models/__init__.py`` our template writes."""
    tree = ast.parse((package_dir / "models" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "_LAZY":
            mapping = ast.literal_eval(node.value) if node.value else {}
            return dict(mapping)
    raise PipelineError(f"{package_dir}/models/__init__.py has no _LAZY table (is the lazy template in use?)")


def _success_type(parse: ast.FunctionDef) -> str:
    """The type ``_parse_response`` returns for 2xx answers, read from its ``response_2xx`` assignments."""
    nested = {n.name: n for n in ast.walk(parse) if isinstance(n, ast.FunctionDef) and n is not parse}
    types: list[str] = []
    for node in parse.body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)):
            continue
        status = node.test.comparators[0]
        if not (isinstance(status, ast.Constant) and isinstance(status.value, int) and 200 <= status.value < 300):
            continue
        assigned = {
            stmt.targets[0].id: stmt.value
            for stmt in ast.walk(node)
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
        }
        name = f"response_{status.value}"
        types.append(_value_type(assigned[name], assigned, nested))
    if not types:
        raise PipelineError(f"{parse.name}: no 2xx branch found")
    unique = list(dict.fromkeys(types))
    if "None" in unique and len(unique) > 1:
        unique = [t for t in unique if t != "None"] + ["None"]
    return " | ".join(unique)


def _value_type(value: ast.expr, assigned: dict[str, ast.expr], nested: dict[str, ast.FunctionDef]) -> str:
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr == "from_dict":
            return ast.unparse(func.value)
        if isinstance(func, ast.Name) and func.id == "cast":
            target = ast.unparse(value.args[0]).strip("'\"")
            return "None" if target == "Any" and ast.unparse(value.args[1]) == "None" else target
        if isinstance(func, ast.Name) and func.id == "File":
            return "File"
        if isinstance(func, ast.Name) and func.id in nested and nested[func.id].returns is not None:
            return ast.unparse(nested[func.id].returns)  # type: ignore[arg-type]
    if isinstance(value, ast.List):
        item = next((v for k, v in assigned.items() if k.endswith("_item")), None)
        return f"list[{_value_type(item, assigned, nested)}]" if item is not None else "list[Any]"
    if isinstance(value, ast.Attribute) and value.attr == "text":
        return "str"
    if isinstance(value, ast.Attribute) and value.attr == "content":
        return "bytes"
    return "Any"


def _model_field_type(package_dir: Path, models: dict[str, str], model: str, field: str) -> str:
    module = models.get(model)
    if module is None:
        raise PipelineError(f"{model} is not a model of {package_dir.name}; cannot unwrap {field!r}")
    tree = ast.parse((package_dir / "models" / f"{module}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == field:
            parts = [p.strip() for p in ast.unparse(node.annotation).split("|")]
            return " | ".join(p for p in parts if p != "Unset")
    raise PipelineError(f"{model} has no field {field!r} to unwrap")


def _body_is_optional(package: str, annotation: str) -> bool:
    """A request model whose fields are all optional (e.g. only the nonce the signer adds) may be left out."""
    import attrs

    models = importlib.import_module(f"{package}.models")
    model = getattr(models, annotation, None)
    if model is None or not attrs.has(model):
        return False
    return all(field.default is not attrs.NOTHING for field in attrs.fields(model) if field.init)


def _params(package: str, detailed: ast.FunctionDef, get_kwargs: ast.FunctionDef) -> tuple[Param, ...]:
    wire = _sent_as(get_kwargs)
    args = detailed.args
    positional_defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    params = [
        Param(arg.arg, ast.unparse(arg.annotation) if arg.annotation else "Any", default is None, True, wire=arg.arg)
        for arg, default in zip(args.args, positional_defaults, strict=True)
    ]
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == "client":
            continue
        annotation = ast.unparse(arg.annotation) if arg.annotation else "Any"
        required = kw_default is None and not (arg.arg == "body" and _body_is_optional(package, annotation))
        params.append(Param(arg.arg, annotation, required, False, wire=wire.get(arg.arg, "")))
    return tuple(params)


def _sent_as(get_kwargs: ast.FunctionDef) -> dict[str, str]:
    """Parameter → its query or header name, from ``params["orderType"] = json_order_type`` (or ``= order_type``)."""
    names = {}
    for node in ast.walk(get_kwargs):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id in ("params", "headers")
            and isinstance(node.targets[0].slice, ast.Constant)
            and isinstance(node.value, ast.Name)
        ):
            names[node.value.id.removeprefix("json_")] = str(node.targets[0].slice.value)
    return names


def _effective_security(spec: dict[str, Any], operation: dict[str, Any]) -> bool:
    requirements = operation.get("security", spec.get("security", []))
    return any(requirement for requirement in requirements)


def _spec_operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path)): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def _success_media(spec: dict[str, Any], operation: dict[str, Any]) -> tuple[bool, bool]:
    """(empty_success, json_success) from the documented 2xx answers."""
    answers = [
        spec["components"]["responses"][r["$ref"].rsplit("/", 1)[1]] if "$ref" in r else r
        for status, r in operation.get("responses", {}).items()
        if str(status).startswith("2")
    ]
    media = [m for answer in answers for m in answer.get("content", {})]
    empty = any(not answer.get("content") for answer in answers)
    json_success = not media or any("json" in m for m in media)
    return empty, json_success


def read_methods(
    package: str, package_dir: Path, spec: dict[str, Any], result_field: str | None, injected: tuple[str, ...] = ()
) -> list[Method]:
    """Every generated operation of ``package`` as the facade sees it. ``injected`` names request fields the signer
    sets (Kraken Spot's nonce): they are not the caller's to pass."""
    models = _lazy_models(package_dir)
    operations = _spec_operations(spec)
    server_path = server_path_of(spec)
    methods = []
    for path in sorted((package_dir / "api").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = _functions(tree)
        if "sync_detailed" not in functions:
            continue
        endpoint = read_endpoint(path, package_dir)
        assert endpoint is not None
        key = (endpoint.method, re.sub(r"\{[^}]*\}", "{}", endpoint.url))
        operation = operations.get(key)
        if operation is None:
            raise PipelineError(f"{package}: {key} is generated but not in the final spec")
        returns = _success_type(functions["_parse_response"])
        imports = _imports(package, tree)
        unwrap = result_field if result_field and returns in models else None
        if unwrap:
            envelope = ast.parse((package_dir / "models" / f"{models[returns]}.py").read_text(encoding="utf-8"))
            imports = {**_imports(package, envelope), **imports}
            returns = _model_field_type(package_dir, models, returns, unwrap)
        empty, json_success = _success_media(spec, operation)
        name = path.stem
        params = _params(package, functions["sync_detailed"], functions["_get_kwargs"])
        body = _body(package, package_dir, models, params, injected, imports)
        docstring = ast.get_docstring(functions["sync_detailed"]) or name
        summary, _, details = docstring.strip().partition("\n")
        details = details.split("\nRaises:")[0].strip()
        methods.append(
            Method(
                name=name,
                module=f"{package}.{endpoint.module}",
                http_method=endpoint.method,
                path=server_path + endpoint.url,
                summary=summary.strip(),
                details=details,
                params=params,
                body=body,
                returns=returns,
                private=_effective_security(spec, operation),
                read=endpoint.method == "GET" or name.startswith(_READ_PREFIXES),
                empty_success=empty,
                json_success=json_success,
                unwrap=unwrap,
                imports=tuple(sorted(imports.items())),
                rules=_rules(package, name, operation, body),
            )
        )
    names = [m.name for m in methods]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise PipelineError(f"{package}: operations share a function name: {clashes}")
    return sorted(methods, key=lambda m: m.name)


def server_path_of(spec: dict[str, Any]) -> str:
    """The path part of the spec's server URL, which the generated paths leave out (Kraken Spot: ``/0``)."""
    servers = spec.get("servers") or [{"url": ""}]
    return urlsplit(str(servers[0]["url"])).path.rstrip("/")


_VERSION_SEGMENT = re.compile(r"v?\d+")


def api_prefixes(methods: list[Method]) -> tuple[str, ...]:
    """The API's own path prefixes (up to the version segment: ``/0``, ``/v1``, ``/derivatives/api/v3``), which a
    ``base_url`` may end with: a base URL is scheme and host, so the facade strips them instead of doubling them."""
    found = set()
    for method in methods:
        segments = method.path.split("/")
        for index, segment in enumerate(segments):
            if _VERSION_SEGMENT.fullmatch(segment):
                found.add("/".join(segments[: index + 1]))
                break
    return tuple(sorted(found, key=lambda prefix: (-len(prefix), prefix)))


def _body(
    package: str,
    package_dir: Path,
    models: dict[str, str],
    params: tuple[Param, ...],
    injected: tuple[str, ...],
    imports: dict[str, str],
) -> Body | None:
    """The request body's fields as keyword arguments, read from the request model's source."""
    body = next((p for p in params if p.name == "body"), None)
    if body is None:
        return None
    model = body.annotation.split(" | ")[0]
    if model not in models:
        return None  # not a model (a raw string or file): nothing to flatten
    tree = ast.parse((package_dir / "models" / f"{models[model]}.py").read_text(encoding="utf-8"))
    imports.update(_imports(package, tree))
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == model)
    wire = _wire_names(cls)
    taken = {p.name for p in params}
    fields = []
    for statement in cls.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        attribute = statement.target.id
        if attribute == "additional_properties" or wire.get(attribute) in injected:
            continue
        if ast.unparse(statement.annotation).startswith("ClassVar["):  # the model's own data, not a body field
            continue
        name = _keyword(attribute)
        if name in taken:
            raise PipelineError(f"{package}: {model}.{attribute} clashes with the argument {name!r}; rename it")
        fields.append(
            Param(name, ast.unparse(statement.annotation), statement.value is None, False, attribute, wire[attribute])
        )
    return Body(model, tuple(fields), not body.required)


def _keyword(attribute: str) -> str:
    """The generator appends ``_`` to a name that shadows a builtin (``type_``); a keyword argument may shadow one,
    and ``type=`` reads as the venue's field does. Real keywords (``from_``) keep it."""
    bare = attribute.removesuffix("_")
    return bare if bare != attribute and bare.isidentifier() and not keyword.iskeyword(bare) else attribute


def _wire_names(model: ast.ClassDef) -> dict[str, str]:
    """Attribute → wire name, from ``to_dict``'s ``field_dict["wire"] = attribute`` assignments."""
    to_dict = next(n for n in model.body if isinstance(n, ast.FunctionDef) and n.name == "to_dict")
    names = {}
    for node in ast.walk(to_dict):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].slice, ast.Constant)
            and isinstance(node.value, ast.Name)
        ):
            names[node.value.id] = str(node.targets[0].slice.value)
    return names


# The operation's x-arguments extension (a fix, or our own spec): argument combinations the venue requires.
_RULES = ("exactly_one", "at_most_one", "at_least_one")


def _rules(
    package: str, name: str, operation: dict[str, Any], body: Body | None
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    declared = operation.get("x-arguments") or {}
    unknown = set(declared) - set(_RULES)
    if unknown:
        raise PipelineError(f"{package} {name}: unknown x-arguments rules {sorted(unknown)}; known: {_RULES}")
    known_wire = {field.wire for field in body.fields} if body else set()
    known_wire |= {str(p.get("name")) for p in operation.get("parameters", []) if isinstance(p, dict)}
    rules = []
    for rule in _RULES:
        for group in declared.get(rule, []):
            missing = sorted(set(group) - known_wire)
            if missing:
                raise PipelineError(f"{package} {name}: x-arguments {rule} names unknown fields {missing}")
            rules.append((rule, tuple(group)))
    return tuple(rules)
