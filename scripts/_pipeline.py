"""Shared pieces of the spec pipeline: repository paths, the pipeline config and its error type.

Every script of the pipeline is one step with a ``main()``; the Makefile strings them together.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
BUILD = SPECS / "build"
UPSTREAM_DIR = BUILD / "upstream"
BUNDLED_DIR = BUILD / "bundled"
FIXED_DIR = BUILD / "fixed"
FINAL_DIR = BUILD / "final"
GENERATED = ROOT / "generated"
SURFACE_DIR = SPECS / "surface"
MANIFEST = SPECS / "upstream.lock.json"
PIPELINE = SPECS / "pipeline.yaml"


class PipelineError(Exception):
    """A build step refused its input; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Section:
    """One upstream entry document; ``name`` prefixes clashing component names when merging."""

    name: str
    path: str


@dataclass(frozen=True)
class Package:
    """One generated package and the documents it is built from."""

    name: str
    sections: tuple[Section, ...]
    fixes: tuple[str, ...]
    local_spec: str | None = None
    base_url: str | None = None
    renames: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    same_as_first: dict[str, list[str]] = field(default_factory=dict)
    error_schema: str | None = None
    facade: dict[str, str] | None = None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def final_spec(self) -> Path:
        return FINAL_DIR / f"{self.name}.yaml"


def load_packages() -> list[Package]:
    raw = load_yaml(PIPELINE)
    packages = []
    for name, spec in raw["packages"].items():
        sections = tuple(Section(s["name"], s["path"]) for s in spec.get("sections", ()))
        packages.append(
            Package(
                name=name,
                sections=sections,
                fixes=tuple(spec.get("fixes", ())),
                local_spec=spec.get("local_spec"),
                base_url=spec.get("base_url"),
                renames=spec.get("renames", {}),
                same_as_first=spec.get("same_as_first", {}),
                error_schema=spec.get("error_schema"),
                facade=spec.get("facade"),
                names=spec.get("names", {}),
            )
        )
    return packages


def select_packages(wanted: Sequence[str]) -> list[Package]:
    """The named packages (all of them when none are named), in pipeline order; unknown names are refused."""
    unknown = set(wanted) - {package.name for package in load_packages()}
    if unknown:
        raise PipelineError(f"unknown package(s) {sorted(unknown)}: see {PIPELINE.relative_to(ROOT)}")
    return [package for package in load_packages() if not wanted or package.name in wanted]


def packages_from_args(argv: list[str], description: str | None) -> list[Package]:
    """The packages a step was asked to process, for steps whose only arguments are package names."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("packages", nargs="*", help="package names (default: all)")
    return select_packages(parser.parse_args(argv).packages)


def package_named(name: str) -> Package:
    for package in load_packages():
        if package.name == name:
            return package
    raise PipelineError(f"unknown package {name!r}: it is not listed in {PIPELINE.relative_to(ROOT)}")


# libyaml's loader reads the same data about seven times faster than PyYAML's own; the specs are large.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(data: bytes | str) -> Any:
    return yaml.load(data, Loader=_LOADER)


def load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_yaml(handle.read())
    except FileNotFoundError:
        raise PipelineError(f"{path} does not exist") from None
    except yaml.YAMLError as exc:
        raise PipelineError(f"{path} is not valid YAML: {exc}") from None


def dump_yaml(data: Any, path: Path) -> None:
    """Write YAML deterministically: insertion order kept, no aliases, unicode as is."""
    path.parent.mkdir(parents=True, exist_ok=True)

    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    text = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=120)
    path.write_text(text, encoding="utf-8")


def load_manifest() -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(f"{MANIFEST} is missing; run scripts/repin_specs.py to create it") from None
    return data


def run_step(step: Callable[[list[str]], None]) -> None:
    """Run a step's main, turning a PipelineError into one readable line and exit status 2."""
    try:
        step(sys.argv[1:])
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
