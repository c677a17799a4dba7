"""Users' scripts type-check with `mypy --strict` against the package as `make` installs it: no MYPYPATH, no config
of ours, from a directory outside the checkout. Both the README's examples and an everyday script
(``everyday.py``), and a wrong call is still caught, so that the check cannot pass by seeing nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _mypy(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("MYPYPATH", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".cache"), *sorted(files)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_users_scripts_type_check_against_the_installed_package(tmp_path: Path) -> None:
    readme = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    files = {f"readme_{index}.py": block for index, block in enumerate(readme)}
    files["everyday.py"] = (HERE / "everyday.py").read_text(encoding="utf-8")
    files["wrong.py"] = (
        "from decimal import Decimal\n"
        "from exchange_clients import KrakenSpot\n"
        "KrakenSpot().add_order(pair='XBTUSD', type='hold', ordertype='limit', volume=Decimal(1))\n"
        "KrakenSpot().add_order(pair='XBTUSD', type='buy', ordertype='limit', volume=1.5)\n"
    )
    checked = _mypy(tmp_path, files)
    wrong = [line for line in checked.stdout.splitlines() if line.startswith("wrong.py")]
    others = [line for line in checked.stdout.splitlines() if ": error:" in line and not line.startswith("wrong.py")]
    assert others == [], checked.stdout
    assert any(line.startswith("wrong.py:3: error") for line in wrong), checked.stdout  # "hold" is no order side
    assert any(line.startswith("wrong.py:4: error") for line in wrong), checked.stdout  # a float is no amount
