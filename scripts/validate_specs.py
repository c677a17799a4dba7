"""Validate each final spec against the OpenAPI schema of its version (openapi-spec-validator)."""

from __future__ import annotations

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from _pipeline import PipelineError, load_yaml, packages_from_args, run_step


def main(argv: list[str]) -> None:
    for package in packages_from_args(argv, __doc__):
        document = load_yaml(package.final_spec)
        try:
            validate(document)
        except OpenAPIValidationError as exc:
            where = "/".join(str(part) for part in exc.path) if hasattr(exc, "path") else "?"
            raise PipelineError(f"{package.final_spec.name} is not valid OpenAPI at {where}: {exc.message}") from None
        print(f"valid: {package.name} (OpenAPI {document['openapi']})")


if __name__ == "__main__":
    run_step(main)
