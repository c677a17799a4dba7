"""Generate one package from its final spec with the pinned openapi-python-client, then check coverage.

Run in-process so that we can make one change to the generator's type mapping: a JSON ``number`` becomes
``decimal.Decimal`` instead of ``float``. Venues send prices and sizes as decimal literals; routing them
through binary floats would change them (the overlay decodes JSON numbers as Decimal to match). Any
warning is a failure: openapi-python-client skips what it cannot parse with only a warning.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any, ClassVar

from _pipeline import GENERATED, ROOT, SPECS, Package, PipelineError, load_packages, load_yaml, run_step
from surface import NO_PARSER, read_endpoints

TEMPLATES = SPECS / "codegen" / "templates"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _decimal_numbers() -> None:
    from openapi_python_client.parser.properties.float import FloatProperty
    from openapi_python_client.parser.properties.protocol import Value
    from openapi_python_client.strings import PythonCode

    original_convert = FloatProperty.convert_value.__func__  # type: ignore[attr-defined]
    original_imports = FloatProperty.get_imports

    def convert_value(cls: type[FloatProperty], value: Any) -> Any:
        converted = original_convert(cls, value)
        if isinstance(converted, Value) and not str(converted.python_code).startswith("Decimal("):
            return Value(python_code=PythonCode(f'Decimal("{converted.raw_value}")'), raw_value=converted.raw_value)
        return converted

    def get_imports(self: FloatProperty, *, prefix: str) -> set[str]:
        imports = {
            "from decimal import Decimal",
            f"from {prefix}types import read_decimal",
            f"from {prefix}types import INT_DECIMALS",
        }
        return original_imports(self, prefix=prefix) | imports

    FloatProperty._type_string = "Decimal"
    FloatProperty._json_type_string = "Decimal"
    FloatProperty.convert_value = classmethod(convert_value)  # type: ignore[method-assign,assignment]
    FloatProperty.get_imports = get_imports  # type: ignore[method-assign,assignment]


_DECIMAL_FORMATS = ("decimal", "big-decimal")  # ours (Kraken Spot's amounts, by fix) and upstream's (Kraken Futures)


def _decimal_strings() -> None:
    """``type: string, format: decimal`` (or ``big-decimal``) becomes ``Decimal`` in Python and plain-notation text on
    the wire (decimal_string_property.py.jinja)."""
    from openapi_python_client.parser import properties
    from openapi_python_client.parser.properties.float import FloatProperty
    from openapi_python_client.strings import PythonIdentifier

    class DecimalStringProperty(FloatProperty):
        template: ClassVar[str] = "decimal_string_property.py.jinja"
        _json_type_string: ClassVar[str] = "str"

        def get_imports(self, *, prefix: str) -> set[str]:
            return super().get_imports(prefix=prefix) | {
                f"from {prefix}types import read_decimal_string",
                f"from {prefix}types import parse_decimal_string",
                f"from {prefix}types import to_decimal",
            }

    original = properties._string_based_property

    def string_based_property(name: Any, required: bool, data: Any, config: Any) -> Any:
        if data.schema_format not in _DECIMAL_FORMATS:
            return original(name, required, data, config)
        return DecimalStringProperty.build(
            name=name,
            required=required,
            default=data.default,
            python_name=PythonIdentifier(value=name, prefix=config.field_prefix),
            description=data.description,
            example=data.example,
        )

    properties._string_based_property = string_based_property
    DecimalStringProperty.kind = "decimal_string"  # type: ignore[attr-defined]


# A field whose value real answers spell both ways (``x-also-sent-as: string`` on a number, ``number`` on a decimal
# string, set by our fixes with the evidence): read either spelling exactly, without reporting a drift.
_EITHER_KIND = {"int": "int_either", "decimal": "decimal_either", "decimal_string": "decimal_either"}


def _either_spelling() -> None:
    import attrs
    from openapi_python_client.parser import properties
    from openapi_python_client.parser.errors import PropertyError

    original = properties.property_from_data
    subclasses: dict[type, type] = {}

    def property_from_data(*args: Any, **kwargs: Any) -> Any:
        prop, schemas = original(*args, **kwargs)
        data = kwargs.get("data", args[2] if len(args) > 2 else None)
        also = (getattr(data, "model_extra", None) or {}).get("x-also-sent-as")
        if also is None or isinstance(prop, PropertyError):
            return prop, schemas
        cls = type(prop)
        kind = getattr(cls, "kind", None)
        if kind not in _EITHER_KIND:
            raise PipelineError(f"x-also-sent-as is for integers and decimals, not {kind} (property {prop.name})")
        # Written back (to_dict) as a JSON number: either spelling is what the venue sends.
        members = {
            "kind": _EITHER_KIND[kind],
            "template": "int_property.py.jinja" if kind == "int" else "float_property.py.jinja",
        }
        either = subclasses.setdefault(cls, type(f"Either{cls.__name__}", (cls,), members))
        fields = {field.alias: getattr(prop, field.name) for field in attrs.fields(cls) if field.init}
        return either(**fields), schemas

    properties.property_from_data = property_from_data


def _unknown_keys_kept() -> None:
    """``additionalProperties: false`` still keeps unknown keys in ``additional_properties``: a key the venue adds must
    not vanish from an answer, and weighing union members (``one_of``) needs to see it."""
    from openapi_python_client.parser.properties import model_property

    original = model_property._get_additional_properties

    def get_additional_properties(*, schema_additional: Any, **kwargs: Any) -> Any:
        return original(schema_additional=None if schema_additional is False else schema_additional, **kwargs)

    model_property._get_additional_properties = get_additional_properties


def _union_imports() -> None:
    """A union weighs its model members with the package's ``one_of`` (union_property.py.jinja), also where an
    endpoint parses its answer; ruff's post-hook drops what a module does not use."""
    from openapi_python_client.parser.properties.union import UnionProperty

    original = UnionProperty.get_imports

    def get_imports(self: UnionProperty, *, prefix: str) -> set[str]:
        return original(self, prefix=prefix) | {f"from {prefix}types import FIELD_ERRORS, one_of"}

    UnionProperty.get_imports = get_imports  # type: ignore[method-assign]


# Each property class's kind, as the templates name it (read_macros.py.jinja picks how to read a field by it).
_KINDS = {
    "StringProperty": "str", "IntProperty": "int", "FloatProperty": "decimal", "BooleanProperty": "bool",
    "AnyProperty": "any", "NoneProperty": "none", "ModelProperty": "model", "EnumProperty": "enum",
    "LiteralEnumProperty": "literal_enum", "ListProperty": "list", "UnionProperty": "union",
    "DateTimeProperty": "datetime", "DateProperty": "date", "UuidProperty": "uuid", "ConstProperty": "const",
    "FileProperty": "file",
}  # fmt: skip


def _property_kinds() -> None:
    """Give every property class of the generator its ``kind``; a class we do not know fails the build."""
    import typing

    from openapi_python_client.parser.properties.property import Property

    for cls in typing.get_args(Property):
        if cls.__name__ not in _KINDS:
            raise PipelineError(f"openapi-python-client has a property class we do not know: {cls.__name__}")
        cls.kind = _KINDS[cls.__name__]


def _datetimes_on_python_310() -> None:
    # Generated models parse date-times with datetime.fromisoformat, which reads "Z" only from Python 3.11
    # on; our template calls the package's own parse_datetime (types.py.jinja), imported here.
    from openapi_python_client.parser.properties.datetime import DateTimeProperty

    original_imports = DateTimeProperty.get_imports

    def get_imports(self: DateTimeProperty, *, prefix: str) -> set[str]:
        return original_imports(self, prefix=prefix) | {f"from {prefix}types import parse_datetime"}

    DateTimeProperty.get_imports = get_imports  # type: ignore[method-assign]


def run_generator(spec: Path, output: Path, config: Path) -> None:
    from openapi_python_client.cli import app

    # The generator finds ruff (its post-hooks) on PATH: make it the pinned one from this environment.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    if output.exists():
        shutil.rmtree(output)  # --overwrite keeps stray files; a clean tree is the only deterministic one
    args = [
        "generate", "--path", str(spec), "--meta", "none", "--output-path", str(output),
        "--config", str(config), "--custom-template-path", str(TEMPLATES), "--fail-on-warning",
    ]  # fmt: skip
    try:
        code = app(args, standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise PipelineError(f"openapi-python-client failed for {spec.name} (see the warnings above)") from None
    except Exception as exc:  # typer.Exit and click errors carry the generator's own verdict
        code = getattr(exc, "exit_code", 1)
        if code:
            raise PipelineError(f"openapi-python-client failed for {spec.name}: {exc!r}") from None
    else:
        if code not in (0, None):
            raise PipelineError(f"openapi-python-client reported warnings for {spec.name} (above); fix the spec")


def _parameters(spec: dict[str, Any], item: dict[str, Any], operation: dict[str, Any]) -> set[tuple[str, str]]:
    """(location, name) of the operation's query and header parameters, path-level ones included."""
    found = set()
    for declared in [*item.get("parameters", []), *operation.get("parameters", [])]:
        parameter = (
            spec["components"]["parameters"][declared["$ref"].rsplit("/", 1)[1]] if "$ref" in declared else declared
        )
        if parameter["in"] in ("query", "header"):
            found.add((parameter["in"], parameter["name"]))
    return found


def spec_operations(spec: dict[str, Any]) -> dict[tuple[str, str], set[tuple[str, str]]]:
    return {
        (method, re.sub(r"\{[^}]*\}", "{}", path)): _parameters(spec, item, item[method])
        for path, item in spec["paths"].items()
        for method in HTTP_METHODS
        if method in item
    }


def generated_operations(package_dir: Path) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Operations generated with a parser for their answers; one whose answers were all dropped is missing."""
    return {
        (e.method.lower(), re.sub(r"\{[^}]*\}", "{}", e.url)): set(e.sent)
        for e in read_endpoints(package_dir)
        if not e.returns.startswith(NO_PARSER)
    }


def check_coverage(package: Package, output: Path) -> str:
    """Every operation generated, with a response parser and every query/header parameter it documents."""
    wanted = spec_operations(load_yaml(package.final_spec))
    have = generated_operations(output)
    problems = [
        f"{method.upper()} {path}: not generated, or no response parser"
        for method, path in wanted
        if (method, path) not in have
    ]
    for key, parameters in wanted.items():
        dropped = sorted(parameters - have.get(key, parameters))
        if dropped:
            names = ", ".join(f"{location} {name}" for location, name in dropped)
            problems.append(f"{key[0].upper()} {key[1]}: parameters dropped by the generator: {names}")
    if problems:
        listed = "\n  ".join(sorted(problems))
        raise PipelineError(f"{package.name}: {len(problems)} operations are incomplete:\n  {listed}")
    return f"coverage: {package.name}: {len(wanted)}/{len(wanted)} operations generated, every parameter kept"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("packages", nargs="*", help="package names (default: all)")
    parser.add_argument("--output-root", type=Path, default=GENERATED)
    args = parser.parse_args(argv)
    _decimal_numbers()
    _property_kinds()
    _decimal_strings()
    _either_spelling()
    _unknown_keys_kept()
    _union_imports()
    _datetimes_on_python_310()
    lines = []
    for package in load_packages():
        if args.packages and package.name not in args.packages:
            continue
        output = args.output_root / package.name
        config = SPECS / "codegen" / f"{package.name}.yml"
        run_generator(package.final_spec, output, config)
        # PEP 561 marker, which the generator writes only for --meta other than none: without it, type
        # checkers ignore the installed package and users' calls go unchecked.
        (output / "py.typed").write_text("", encoding="utf-8")
        lines.append(check_coverage(package, output))
    for line in lines:
        print(line)
    where = args.output_root.relative_to(ROOT) if args.output_root.is_relative_to(ROOT) else args.output_root
    print(f"generated into {where}")


if __name__ == "__main__":
    run_step(main)
