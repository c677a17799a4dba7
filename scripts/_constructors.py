"""Each facade's ``__init__``, written out: the runtime's options plus the venue signer's own, typed and named.

The options come from ``_Core.__init__`` in overlay/exchange_clients/_runtime.py and the signer's keyword-only
parameters in overlay/exchange_clients/<venue>/_auth.py, both read with ``ast``: a new option there reaches every
facade's signature without anyone editing a list. (Importing the overlay here is not possible: it imports the
facades this step writes.)
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from _pipeline import ROOT, PipelineError

OVERLAY = ROOT / "overlay" / "exchange_clients"
# The runtime's client and transport type variables, for the sync and the async facade.
_CONCRETE = {
    False: {"_Client": "httpx.Client", "_Transport": "httpx.BaseTransport"},
    True: {"_Client": "httpx.AsyncClient", "_Transport": "httpx.AsyncBaseTransport"},
}


@dataclass(frozen=True)
class Option:
    name: str
    annotation: str
    default: str
    annotation_names: frozenset[str]  # the names its annotation uses (imported for type checkers only)
    default_names: frozenset[str]  # the names its default uses (imported at run time)


@dataclass(frozen=True)
class Constructor:
    positional: tuple[Option, ...]  # api_key, api_secret
    keyword: tuple[Option, ...]  # the signer's options, then the runtime's
    signer: tuple[str, ...]  # the names of the signer's options
    doc: str  # the runtime's description of its options
    imports: dict[str, str]  # name -> import line, for the names the options use


def read_constructor(venue_module: str) -> Constructor:
    runtime = ast.parse((OVERLAY / "_runtime.py").read_text(encoding="utf-8"))
    core = _class(runtime, "_Core")
    init = _method(core, "__init__")
    auth_tree = ast.parse((OVERLAY / venue_module / "_auth.py").read_text(encoding="utf-8"))
    signer = next(
        (node for node in auth_tree.body if isinstance(node, ast.ClassDef) and _has_method(node, "auth_flow")), None
    )
    if signer is None:
        raise PipelineError(f"overlay/exchange_clients/{venue_module}/_auth.py has no signer class (with auth_flow)")
    signer_options = _keyword_options(_method(signer, "__init__"))
    runtime_options = _keyword_options(init)
    positional = tuple(_option(arg, default) for arg, default in _positional(init))
    imports = {**_imports(runtime, "exchange_clients._runtime"), **_imports(auth_tree, "")}
    return Constructor(
        positional=positional,
        keyword=(*signer_options, *runtime_options),
        signer=tuple(option.name for option in signer_options),
        doc=ast.get_docstring(init) or "",
        imports=imports,
    )


def render_init(constructor: Constructor, asynchronous: bool) -> list[str]:
    """The ``__init__`` of one facade class (indented for a class body)."""
    concrete = _CONCRETE[asynchronous]

    def declare(option: Option) -> str:
        annotation = option.annotation
        for variable, replacement in concrete.items():
            annotation = annotation.replace(variable, replacement)
        return f"{option.name}: {annotation} = {option.default}"

    params = ["self", *(declare(o) for o in constructor.positional), "*", *(declare(o) for o in constructor.keyword)]
    passed = [*(o.name for o in constructor.positional), *(f"{o.name}={o.name}" for o in constructor.keyword)]
    return [
        f"    def __init__({', '.join(params)}) -> None:",
        f"        super().__init__({', '.join(passed)})",
        "",
    ]


def annotation_names(constructor: Constructor) -> set[str]:
    """The names the rendered annotations use: the runtime's type variables become httpx's classes."""
    names = {name for option in (*constructor.positional, *constructor.keyword) for name in option.annotation_names}
    replaced = names & set(_CONCRETE[False])
    return names - replaced | ({"httpx"} if replaced else set())


def default_names(constructor: Constructor) -> set[str]:
    return {name for option in (*constructor.positional, *constructor.keyword) for name in option.default_names}


def _positional(function: ast.FunctionDef) -> list[tuple[ast.arg, ast.expr]]:
    args = function.args.args[1:]  # self
    return list(zip(args, function.args.defaults[-len(args) :], strict=True))


def _keyword_options(function: ast.FunctionDef) -> tuple[Option, ...]:
    pairs = zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)
    options = []
    for arg, default in pairs:
        if default is None:
            raise PipelineError(f"{function.name}: the option {arg.arg!r} needs a default for the facade to offer it")
        options.append(_option(arg, default))
    return tuple(options)


def _option(arg: ast.arg, default: ast.expr) -> Option:
    if arg.annotation is None:
        raise PipelineError(f"the option {arg.arg!r} has no annotation")

    def names(node: ast.expr) -> frozenset[str]:
        return frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))

    return Option(arg.arg, ast.unparse(arg.annotation), ast.unparse(default), names(arg.annotation), names(default))


def _class(tree: ast.Module, name: str) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise PipelineError(f"overlay/exchange_clients/_runtime.py has no class {name}")


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise PipelineError(f"{cls.name} has no method {name}")


def _has_method(cls: ast.ClassDef, name: str) -> bool:
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in cls.body)


def _imports(tree: ast.Module, module: str) -> dict[str, str]:
    """Name -> import line, for the names a module imports (under TYPE_CHECKING too) and, given its dotted name,
    the names it defines at the top level."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name] = f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                found[alias.asname or alias.name] = f"from {node.module} import {alias.name}"
    if module:
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = f"from {module} import {target.id}"
    return found
