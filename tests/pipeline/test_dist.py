"""`make dist` builds one wheel that carries all four packages, typed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from _pipeline import ROOT


@pytest.mark.slow
def test_wheel_contains_the_three_generated_packages_and_the_overlay(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("exchange_clients-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"exchange_clients", "kraken_spot_api", "kraken_futures_api", "bitflyer_api"}
    for package in tops:
        assert f"{package}/py.typed" in names, f"{package} is not marked typed (PEP 561)"
    assert "exchange_clients/_facades/kraken_spot.py" in names
    assert "kraken_spot_api/models/__init__.py" in names


@pytest.mark.slow
def test_installing_a_checkout_that_was_never_built_fails_saying_what_to_do(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "overlay", checkout / "overlay", ignore=shutil.ignore_patterns("_facades", "__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, checkout / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "dist"), str(checkout)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode != 0
    assert "the generated packages are missing" in built.stdout + built.stderr
    assert "run it in this checkout first" in built.stdout + built.stderr
    assert not list(tmp_path.glob("dist/*.whl"))
