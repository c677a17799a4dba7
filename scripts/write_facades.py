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
import enum
import importlib
import subprocess
import sys
from pathlib import Path

from _constructors import annotation_names, default_names, read_constructor, render_init
from _operations import Method, Param, _lazy_models, api_prefixes, read_methods, server_path_of
from _paging_table import item_type, read_pages
from _pipeline import GENERATED, ROOT, PipelineError, load_packages, load_yaml, run_step

OUTPUT = ROOT / "overlay" / "exchange_clients" / "_facades"
_BUILTIN_NAMES = {"str", "int", "bool", "list", "dict", "None", "Any", "tuple", "float", "bytes", "Literal"}
_CONSTANTS = {"None", "True", "False"}
QUOTES = '"' * 3


def _names_in(annotation: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(annotation, mode="eval")) if isinstance(node, ast.Name)}


def _optional(annotation: str) -> str:
    return annotation if "Unset" in _names_in(annotation) else f"{annotation} | Unset"


def _declare(param: Param, enums: dict[str, str]) -> str:
    annotation = _with_literals(param.annotation, enums)
    return f"{param.name}: {annotation}" if param.required else f"{param.name}: {_optional(annotation)} = UNSET"


def _signature(method: Method, enums: dict[str, str], variant: str = "all") -> str:
    """The method's parameters: ``all`` (no request body fields), or for an operation with a body, ``body`` (the model
    alone), ``fields`` (its fields as keyword arguments) or ``implementation`` (everything, untyped)."""
    positional = [p for p in method.params if p.positional]
    keyword = [p for p in method.params if not p.positional and p.name != "body"]
    parts = ["self", *(f"{p.name}: {_with_literals(p.annotation, enums)}" for p in positional)]
    body = next((p for p in method.params if p.name == "body"), None)
    if variant == "implementation":
        named = [f"{p.name}: Any = UNSET" for p in [*keyword, *method.body.fields]]  # type: ignore[union-attr]
        return ", ".join([*parts, "*", "body: Any = UNSET", *named])
    if variant == "fields":
        keyword += method.body.fields  # type: ignore[union-attr]
    elif body is not None:
        keyword.append(Param("body", body.annotation.split(" | ")[0], variant == "body" or body.required, False))
    keyword.sort(key=lambda p: not p.required)
    return ", ".join([*parts, *(["*"] if keyword else []), *(_declare(p, enums) for p in keyword)])


def _with_literals(annotation: str, enums: dict[str, str]) -> str:
    """Each enum in the annotation also as the Literal of its values: ``side="buy"`` type-checks like ``Side.BUY``."""
    tree = ast.parse(annotation, mode="eval")

    class _Expand(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            literal = enums.get(node.id)
            if literal is None:
                return node
            return ast.BinOp(left=node, op=ast.BitOr(), right=ast.parse(literal, mode="eval").body)

    return ast.unparse(_Expand().visit(tree))


def _enum_literals(package: str, names: set[str]) -> dict[str, str]:
    """Enum class name -> ``Literal[...]`` of its values, for the enums among ``names``."""
    models = importlib.import_module(f"{package}.models")
    literals = {}
    for name in sorted(names):
        cls = getattr(models, name, None)
        if isinstance(cls, type) and issubclass(cls, enum.Enum):
            literals[name] = f"Literal[{', '.join(repr(member.value) for member in cls)}]"
    return literals


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


def _operation(m: Method) -> str:
    """The ``Operation(...)`` that tells the runtime how to call ``m``."""
    path_params = tuple(p.name for p in m.params if p.positional)
    body = "None"
    if m.body is not None:
        fields = tuple((p.name, p.field) for p in m.body.fields)
        required = tuple(p.name for p in m.body.fields if p.required)
        body = f"BodyFields({m.body.model!r}, {fields!r}, {required!r})"
    shown = {p.wire: p.name for p in [*m.params, *(m.body.fields if m.body else ())] if p.wire}
    rules = tuple((rule, tuple((wire, shown.get(wire, wire)) for wire in group)) for rule, group in m.rules)
    return (
        f'Operation("{m.name}", "{m.module}", "{m.http_method}", "{m.path}", private={m.private}, read={m.read}, '
        f"empty_success={m.empty_success}, json_success={m.json_success}, unwrap={m.unwrap!r}, "
        f"path_params={path_params!r}, body={body}, rules={rules!r})"
    )


def _methods(m: Method, enums: dict[str, str], asynchronous: bool) -> list[str]:
    """One facade method; with a request body, two overloads (the fields as keyword arguments, or ``body=``)."""
    keyword = "async def" if asynchronous else "def"
    call = "await self._acall" if asynchronous else "self._call"
    names = [p.name for p in m.params if p.name != "body"] + (
        ["body", *(p.name for p in m.body.fields)]
        if m.body
        else ["body"]
        if any(p.name == "body" for p in m.params)
        else []
    )
    args = ", ".join(f'"{name}": {name}' for name in names)
    lines = []
    if m.body is None:
        lines.append(f"    {keyword} {m.name}({_signature(m, enums)}) -> {m.returns}:")
    else:
        for variant in ("fields", "body"):
            lines += ["    @overload", f"    {keyword} {m.name}({_signature(m, enums, variant)}) -> {m.returns}: ..."]
        lines.append(f"    {keyword} {m.name}({_signature(m, enums, 'implementation')}) -> {m.returns}:")
    return [
        *lines,
        f"        {_docstring(m)}",
        f'        return cast("{m.returns}", {call}(OPERATIONS["{m.name}"], {{{args}}}))',
        "",
    ]


def _iterator(m: Method, enums: dict[str, str], item: str, asynchronous: bool) -> list[str]:
    """``iter_<name>``: the method's arguments plus ``limit``; yields the items of every page (see _paging)."""
    signature = _signature(m, enums, "fields" if m.body else "all")
    signature += ", limit: int | None = None" if ", *" in signature else ", *, limit: int | None = None"
    names = [p.name for p in m.params if p.name != "body"] + [p.name for p in (m.body.fields if m.body else ())]
    args = ", ".join(f'"{name}": {name}' for name in names)
    kind, walk = ("AsyncIterator", "aiterate") if asynchronous else ("Iterator", "iterate")
    loop = "async for" if asynchronous else "for"
    doc = (
        f"Every item of :meth:`{m.name}`, page after page, each once ({loop}); at most ``limit`` items.\n\n"
        "        Each page is one call of the method: rate limited, retried and logged like any other."
    )
    return [
        f"    def iter_{m.name}({signature}) -> {kind}[{item}]:",
        f'        """{doc}"""',
        f'        return {walk}(self, OPERATIONS["{m.name}"], PAGES["{m.name}"], {{{args}}}, limit)',
        "",
    ]


def _raw_methods(m: Method, enums: dict[str, str], asynchronous: bool) -> list[str]:
    """The method as ``with_raw_response`` offers it: the same arguments, a ``RawResponse`` of its result."""
    keyword = "async def" if asynchronous else "def"
    returns = f"RawResponse[{m.returns}]"
    if m.body is None:
        return [f"    {keyword} {m.name}({_signature(m, enums)}) -> {returns}: ..."]
    lines = []
    for variant in ("fields", "body"):
        lines += ["    @overload", f"    {keyword} {m.name}({_signature(m, enums, variant)}) -> {returns}: ..."]
    return lines


def render_raw(
    package: str, facade: dict[str, str], methods: list[Method], type_imports: list[str], enums: dict[str, str]
) -> str:
    """The typing-only module of ``with_raw_response``: one Protocol per facade class, never imported at run time."""
    class_name = facade["class"]
    lines = [
        f'"""What ``with_raw_response`` offers on {class_name}, for type checkers only (the facade imports it under',
        '``TYPE_CHECKING``; at run time exchange_clients._raw answers). Generated by scripts/write_facades.py."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any, Literal, Protocol, overload",
        "",
        "from exchange_clients._raw import RawResponse",
        f"from {package}.types import UNSET, Unset",
        *[line for line in type_imports if line != "pass"],
        "",
        "",
    ]
    for prefix in ("", "Async"):
        lines += [
            f"class {prefix}{class_name}RawResponses(Protocol):",
            f'    """{prefix}{class_name}\'s methods, each giving a ``RawResponse``."""',
            "",
        ]
        for m in methods:
            lines += _raw_methods(m, enums, asynchronous=bool(prefix))
        lines += ["", ""]
    return "\n".join(lines).rstrip() + "\n"


def _class_docstring(title: str, asynchronous: bool, options_doc: str, signer: tuple[str, ...]) -> str:
    kind = "asynchronous: each method is a coroutine; use ``async with``" if asynchronous else "use ``with``"
    text = (
        f"{title} client ({kind}).\n\nOne method per API operation, typed with the operation's arguments and result;"
        f"\nerrors are those of exchange_clients.errors.\n\n{options_doc}"
    )
    if signer:
        text += f"\n\nThe signer's own options ({', '.join(signer)}) are those of the venue's Auth class."
    lines = text.replace(QUOTES, "'" * 3).splitlines()
    return "\n".join(["    " + QUOTES + lines[0], *(f"    {line}".rstrip() for line in lines[1:]), "    " + QUOTES])


def render(
    package: str, facade: dict[str, str], methods: list[Method], models: dict[str, str], server_path: str
) -> tuple[str, str]:
    """The facade module, and the typing-only module of its ``with_raw_response``."""
    class_name = facade["class"]
    constructor = read_constructor(facade["module"])
    used: set[str] = set()
    for method in methods:
        used |= _names_in(method.returns)
        for param in [*method.params, *(method.body.fields if method.body else ())]:
            used |= _names_in(param.annotation)
    known: dict[str, str] = {}
    for method in methods:
        known.update(method.imports)
    pages = read_pages(facade["module"])
    items = {m.name: item_type(package, m.returns, pages[m.name]) for m in methods if m.name in pages}
    for item in items.values():
        used |= _names_in(item)
    enums = _enum_literals(package, used)
    known.update(constructor.imports)
    used |= annotation_names(constructor)
    type_imports = _type_imports(package, used - _BUILTIN_NAMES - {"Unset", "UNSET"} - _CONSTANTS, known, models)
    runtime_imports = sorted({constructor.imports[name] for name in default_names(constructor) - _CONSTANTS})
    lines = [
        f'"""Typed facade over every operation of {package}. Generated by scripts/write_facades.py; do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, Literal, cast, overload",
        "",
        "from exchange_clients._paging import aiterate, iterate",
        "from exchange_clients._runtime import AsyncFacade, BodyFields, Operation, SyncFacade",
        *runtime_imports,
        f"from exchange_clients.{facade['module']}._paging import PAGES",
        f"from exchange_clients.{facade['module']}._profile import PROFILE",
        f"from {package}.types import UNSET, Unset",
        "",
        "if TYPE_CHECKING:",
        "    from collections.abc import AsyncIterator, Iterator",
        "",
        f"    from exchange_clients._facades.{facade['module']}_raw import (",
        f"        Async{class_name}RawResponses,",
        f"        {class_name}RawResponses,",
        "    )",
        *[f"    {line}" for line in type_imports],
    ]
    lines += ["", "OPERATIONS: dict[str, Operation] = {"]
    lines += [f'    "{m.name}": {_operation(m)},' for m in methods]
    lines += ["}", f"SERVER_PATH = {server_path!r}", f"API_PREFIXES = {api_prefixes(methods)!r}", "", ""]
    for base, prefix in (("SyncFacade", ""), ("AsyncFacade", "Async")):
        lines += [
            f"class {prefix}{class_name}({base}):",
            _class_docstring(facade.get("title", class_name), bool(prefix), constructor.doc, constructor.signer),
            "",
            "    profile = PROFILE",
            "    server_path = SERVER_PATH",
            "    api_prefixes = API_PREFIXES",
            "",
            *render_init(constructor, asynchronous=bool(prefix)),
            "    @property",
            f"    def with_raw_response(self) -> {prefix}{class_name}RawResponses:",
            '        """Each method, returning a ``RawResponse``: the typed result, status, headers, elapsed time."""',
            "        from exchange_clients._raw import RawResponses  # noqa: PLC0415 (loaded on first use)",
            "",
            f'        return cast("{prefix}{class_name}RawResponses", RawResponses(self))',
            "",
        ]
        for m in methods:
            lines += _methods(m, enums, asynchronous=bool(prefix))
            if m.name in items:
                lines += _iterator(m, enums, items[m.name], asynchronous=bool(prefix))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n", render_raw(package, facade, methods, type_imports, enums)


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
        spec = load_yaml(package.final_spec)
        injected = tuple(facade.get("injected", "").split())
        methods = read_methods(package.name, package_dir, spec, facade.get("unwrap"), injected)
        text, raw = render(package.name, facade, methods, _lazy_models(package_dir), server_path_of(spec))
        target = args.output / f"{facade['module']}.py"
        target.write_text(text, encoding="utf-8")
        (args.output / f"{facade['module']}_raw.py").write_text(raw, encoding="utf-8")
        print(f"facade: {facade['class']} with {len(methods)} operations -> {target.relative_to(ROOT)}")
    # Readable in an IDE and in tracebacks; isolated so that no surrounding ruff config changes the output.
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run(
        [str(ruff), "format", "--isolated", "--no-cache", "--line-length", "120", "--quiet", str(args.output)],
        check=True,
    )


if __name__ == "__main__":
    run_step(main)
