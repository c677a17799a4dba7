"""Write the typed facades: one method per generated operation, sync and async, for each venue.

The methods are generated, not hand-written: each one's signature is the generated function's (minus
``client``; optional arguments default to ``UNSET`` so the generated defaults apply), its return type is
the generated success type (unwrapped to the venue's result field where the venue has an envelope), and
its body is one call into ``exchange_clients._runtime``. Type checkers and IDEs see real signatures;
nothing imports a model until it is used. Output: overlay/exchange_clients/_facades/ (build output).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _pipeline import GENERATED, ROOT, PipelineError, load_packages, load_yaml, run_step

OUTPUT = ROOT / "overlay" / "exchange_clients" / "_facades"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BUILTIN_NAMES = {"str", "int", "bool", "list", "dict", "None", "Any", "tuple", "float", "bytes"}
_READ_PREFIXES = ("get_", "list_")
PROFILE_DOC = (
    "{venue} client ({kind}): one method per API operation, typed.\n\n"
    "    Credentials come from the arguments or the environment; public operations need none. See\n"
    "    exchange_clients.SyncFacade / AsyncFacade for base_url, timeout, retry, http_client and transport.\n    "
)


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    required: bool
    positional: bool


@dataclass(frozen=True)
class Method:
    name: str
    module: str
    http_method: str
    path: str
    summary: str
    details: str
    params: tuple[Param, ...]
    returns: str
    private: bool
    read: bool
    empty_success: bool
    json_success: bool
    unwrap: str | None
    imports: tuple[tuple[str, str], ...]


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


def _params(package: str, detailed: ast.FunctionDef) -> tuple[Param, ...]:
    args = detailed.args
    positional_defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    params = [
        Param(arg.arg, ast.unparse(arg.annotation) if arg.annotation else "Any", default is None, True)
        for arg, default in zip(args.args, positional_defaults, strict=True)
    ]
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == "client":
            continue
        annotation = ast.unparse(arg.annotation) if arg.annotation else "Any"
        required = kw_default is None and not (arg.arg == "body" and _body_is_optional(package, annotation))
        params.append(Param(arg.arg, annotation, required, False))
    return tuple(params)


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


def read_methods(package: str, package_dir: Path, spec: dict[str, Any], result_field: str | None) -> list[Method]:
    models = _lazy_models(package_dir)
    operations = _spec_operations(spec)
    methods = []
    for path in sorted((package_dir / "api").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = _functions(tree)
        if "sync_detailed" not in functions:
            continue
        from surface import read_endpoint

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
        docstring = ast.get_docstring(functions["sync_detailed"]) or name
        summary, _, details = docstring.strip().partition("\n")
        details = details.split("\nRaises:")[0].strip()
        methods.append(
            Method(
                name=name,
                module=f"{package}.{endpoint.module}",
                http_method=endpoint.method,
                path=endpoint.url,
                summary=summary.strip(),
                details=details,
                params=_params(package, functions["sync_detailed"]),
                returns=returns,
                private=_effective_security(spec, operation),
                read=endpoint.method == "GET" or name.startswith(_READ_PREFIXES),
                empty_success=empty,
                json_success=json_success,
                unwrap=unwrap,
                imports=tuple(sorted(imports.items())),
            )
        )
    names = [m.name for m in methods]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise PipelineError(f"{package}: operations share a function name: {clashes}")
    return sorted(methods, key=lambda m: m.name)


def _names_in(annotation: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(annotation, mode="eval")) if isinstance(node, ast.Name)}


def _signature(method: Method) -> str:
    parts = ["self"]
    positional = [p for p in method.params if p.positional]
    keyword = [p for p in method.params if not p.positional]
    parts += [f"{p.name}: {p.annotation}" for p in positional]
    if keyword:
        parts.append("*")
    for p in sorted(keyword, key=lambda p: not p.required):
        if p.required:
            parts.append(f"{p.name}: {p.annotation}")
        else:
            annotation = p.annotation if "Unset" in _names_in(p.annotation) else f"{p.annotation} | Unset"
            parts.append(f"{p.name}: {annotation} = UNSET")
    return ", ".join(parts)


def _docstring(method: Method) -> str:
    access = "private (signed)" if method.private else "public"
    retry = "retried on transient errors" if method.read else "never retried"
    text = f"{method.summary}\n\n``{method.http_method} {method.path}`` · {access} · {retry}"
    if method.details:
        text += f"\n\n{method.details}"
    text = text.replace("\\", "\\\\").replace('"""', "'''")
    body = "\n".join(f"        {line}".rstrip() for line in text.splitlines()[1:])
    return f'"""{text.splitlines()[0]}\n{body}\n        """'


def _type_imports(package: str, names: set[str], known: dict[str, str], models: dict[str, str]) -> list[str]:
    """Import lines for the names the annotations use; models come from the lazy models package."""
    lines = set()
    for name in sorted(names):
        if name in models:
            lines.add(f"from {package}.models import {name}")
        elif name in known:
            lines.add(known[name])
        else:
            raise PipelineError(f"{package}: cannot tell where the annotation name {name!r} comes from")
    return sorted(lines) or ["pass"]


def render(package: str, facade: dict[str, str], methods: list[Method], models: dict[str, str]) -> str:
    class_name = facade["class"]
    used: set[str] = set()
    for method in methods:
        used |= _names_in(method.returns)
        for param in method.params:
            used |= _names_in(param.annotation)
    known: dict[str, str] = {}
    for method in methods:
        known.update(method.imports)
    type_imports = _type_imports(package, used - _BUILTIN_NAMES - {"Unset", "UNSET"}, known, models)
    lines = [
        f'"""Typed facade over every operation of {package}. Generated by scripts/write_facades.py; do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, cast",
        "",
        "from exchange_clients._runtime import AsyncFacade, Operation, SyncFacade",
        f"from exchange_clients.{facade['module']}._profile import PROFILE",
        f"from {package}.types import UNSET, Unset",
        "",
        "if TYPE_CHECKING:",
        *[f"    {line}" for line in type_imports],
    ]
    lines += ["", "OPERATIONS: dict[str, Operation] = {"]
    for m in methods:
        lines.append(
            f'    "{m.name}": Operation("{m.name}", "{m.module}", "{m.http_method}", "{m.path}", '
            f"private={m.private}, read={m.read}, empty_success={m.empty_success}, json_success={m.json_success}, "
            f"unwrap={m.unwrap!r}),"
        )
    lines += ["}", "", ""]
    for base, prefix, call in (("SyncFacade", "", "self._call"), ("AsyncFacade", "Async", "await self._acall")):
        lines += [
            f"class {prefix}{class_name}({base}):",
            f'    """{PROFILE_DOC.format(venue=class_name, kind="asynchronous" if prefix else "synchronous")}"""',
            "",
            "    profile = PROFILE",
            "",
        ]
        keyword = "async def" if prefix else "def"
        for m in methods:
            args = ", ".join(f'"{p.name}": {p.name}' for p in m.params)
            lines += [
                f"    {keyword} {m.name}({_signature(m)}) -> {m.returns}:",
                f"        {_docstring(m)}",
                f'        return cast("{m.returns}", {call}(OPERATIONS["{m.name}"], {{{args}}}))',
                "",
            ]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    sys.path[:0] = [str(GENERATED)]
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "__init__.py").write_text('"""Typed facades, generated by scripts/write_facades.py."""\n')
    for package in load_packages():
        facade = package.facade
        if facade is None:
            continue
        package_dir = GENERATED / package.name
        methods = read_methods(package.name, package_dir, load_yaml(package.final_spec), facade.get("unwrap"))
        text = render(package.name, facade, methods, _lazy_models(package_dir))
        target = args.output / f"{facade['module']}.py"
        target.write_text(text, encoding="utf-8")
        print(f"facade: {facade['class']} with {len(methods)} operations -> {target.relative_to(ROOT)}")
    # Readable in an IDE and in tracebacks; isolated so that no surrounding ruff config changes the output.
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run(
        [str(ruff), "format", "--isolated", "--no-cache", "--line-length", "120", "--quiet", str(args.output)],
        check=True,
    )


if __name__ == "__main__":
    run_step(main)
