"""Write the API surface summary of each generated package: a small, committed, reviewable text file.

One line per operation (HTTP method, path, module.function, parameters with types, return type) and one
per model (class and field types): names and types only, read from the generated source with ``ast``.
A spec change then shows up in review as a diff of specs/surface/<package>.txt; ``--check`` fails when the
committed summary differs from the generated code.
"""

from __future__ import annotations

import argparse
import ast
import difflib
from dataclasses import dataclass
from pathlib import Path

from _pipeline import GENERATED, ROOT, SURFACE_DIR, PipelineError, load_packages, run_step

_SKIPPED_PARAMS = {"client"}
NO_PARSER = "None (no parsed response)"


@dataclass(frozen=True)
class Endpoint:
    """What a generated endpoint module exposes, as written in its source."""

    module: str
    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    returns: str
    sent: frozenset[tuple[str, str]] = frozenset()  # (location, wire name) of every query/header parameter sent


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
    sent = frozenset(_sent_parameters(functions["_get_kwargs"]))
    return Endpoint(module=module, method=method.upper(), url=url, params=params, returns=returns, sent=sent)


def _sent_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[tuple[str, str]]:
    """``params["x"] = …`` and ``headers["X"] = …`` assignments: the parameters the request carries."""
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if isinstance(target.value, ast.Name) and isinstance(target.slice, ast.Constant):
                location = {"params": "query", "headers": "header"}.get(target.value.id)
                if location and target.slice.value != "Content-Type":
                    found.add((location, str(target.slice.value)))
    return found


def read_endpoints(package_dir: Path) -> list[Endpoint]:
    if not (package_dir / "api").is_dir():
        raise PipelineError(f"{package_dir} has no api/ folder: run `make generate`")
    endpoints = [read_endpoint(path, package_dir) for path in sorted((package_dir / "api").rglob("*.py"))]
    return sorted((e for e in endpoints if e), key=lambda e: (e.url, e.method))


def _model_lines(package_dir: Path) -> list[str]:
    lines = []
    for path in sorted((package_dir / "models").glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = ", ".join(ast.unparse(base) for base in node.bases)
            fields = [
                f"{stmt.target.id}: {ast.unparse(stmt.annotation)}"
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id != "additional_properties"
            ]
            members = [
                target.id
                for stmt in node.body
                if isinstance(stmt, ast.Assign)
                for target in stmt.targets
                if isinstance(target, ast.Name)
            ]
            body = fields if fields else members
            kind = f"({bases})" if bases else ""
            lines.append(f"{node.name}{kind}: {', '.join(body)}")
    return lines


def summary(package_name: str, package_dir: Path) -> str:
    endpoints = read_endpoints(package_dir)
    lines = [
        f"# API surface of {package_name}, written by scripts/surface.py from the generated code. Do not edit.",
        f"# {len(endpoints)} operations",
        "",
    ]
    for e in endpoints:
        params = ", ".join(f"{name}: {annotation}" for name, annotation in e.params)
        lines.append(f"{e.method} {e.url}  {e.module}({params}) -> {e.returns}")
    models = _model_lines(package_dir)
    lines += ["", f"# {len(models)} models and enums", "", *models]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a committed summary differs")
    parser.add_argument("--generated", type=Path, default=GENERATED)
    args = parser.parse_args(argv)
    stale = []
    for package in load_packages():
        text = summary(package.name, args.generated / package.name)
        target = SURFACE_DIR / f"{package.name}.txt"
        if args.check:
            committed = target.read_text(encoding="utf-8") if target.exists() else ""
            if committed != text:
                diff = difflib.unified_diff(
                    committed.splitlines(), text.splitlines(), str(target), "generated", lineterm="", n=1
                )
                stale.append("\n".join(list(diff)[:60]))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"surface: {package.name} -> {target.relative_to(ROOT)}")
    if stale:
        raise PipelineError(
            "the committed API surface differs from the generated code; run `make generate` and commit "
            "specs/surface/ if the change is intended:\n" + "\n".join(stale)
        )


if __name__ == "__main__":
    run_step(main)
