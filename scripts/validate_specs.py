"""Validate each final spec against the OpenAPI schema of its version (openapi-spec-validator)."""

from __future__ import annotations

import argparse

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from _pipeline import PipelineError, load_packages, load_yaml, run_step


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("packages", nargs="*", help="package names (default: all)")
    args = parser.parse_args(argv)
    for package in load_packages():
        if args.packages and package.name not in args.packages:
            continue
        document = load_yaml(package.final_spec)
        try:
            validate(document)
        except OpenAPIValidationError as exc:
            where = "/".join(str(part) for part in exc.path) if hasattr(exc, "path") else "?"
            raise PipelineError(f"{package.final_spec.name} is not valid OpenAPI at {where}: {exc.message}") from None
        print(f"valid: {package.name} (OpenAPI {document['openapi']})")


if __name__ == "__main__":
    run_step(main)
