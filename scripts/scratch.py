"""A throwaway copy of the pipeline, to regenerate from other upstream files without touching the working tree.

The copy holds scripts/ and specs/ (not their build output) and links node_modules/; the steps run there with
this interpreter, exactly as the Makefile runs them, so what they report is what `make generate` would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from _pipeline import ROOT

# Environment that points a step at other upstream files; the scratch run says where its files are itself.
_SOURCE_VARIABLES = ("SPECS_MIRROR", "SPECS_URL_BASE", "UPSTREAM_GIT")


@dataclass(frozen=True)
class Failure:
    step: str
    message: str


class ScratchPipeline:
    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(ROOT / "scripts", root / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "specs", root / "specs", ignore=shutil.ignore_patterns("build"))
        (root / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)

    @property
    def lock(self) -> Path:
        return self.root / "specs" / "upstream.lock.json"

    @property
    def build(self) -> Path:
        return self.root / "specs" / "build"

    def final_spec(self, package: str) -> Path:
        return self.build / "final" / f"{package}.yaml"

    def generated(self, package: str) -> Path:
        return self.root / "generated" / package

    def run(self, script: str, *args: str) -> Failure | None:
        """Run one step; a failure carries the step's own error message."""
        environment = {key: value for key, value in os.environ.items() if key not in _SOURCE_VARIABLES}
        done = subprocess.run(
            [sys.executable, script, *args],
            cwd=self.root / "scripts",
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )
        if done.returncode == 0:
            return None
        message = (done.stderr.strip() or done.stdout.strip()).removeprefix("error: ")
        return Failure(script.removesuffix(".py"), message)

    def regenerate(self, package: str, *, report_only: bool) -> Failure | None:
        """Bundle, fix, name, validate and generate one package from the fetched upstream files."""
        fixes = ["apply_fixes.py", package, *(["--report-only"] if report_only else [])]
        steps = [["bundle_specs.py", package], fixes, ["name_components.py", package]]
        steps += [["validate_specs.py", package], ["codegen.py", package]]
        for script, *args in steps:
            failure = self.run(script, *args)
            if failure:
                return failure
        return None
