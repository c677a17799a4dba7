"""Refuse to build a package without its generated parts.

Three of the four packages (and the overlay's typed facades) are build output of `make`, never committed. Without
this check, `pip install .` on a fresh clone "succeeds" and `import exchange_clients` then fails; with it, the
install itself fails and says what to do. Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
GENERATED = (
    "overlay/exchange_clients/_facades/__init__.py",
    "generated/kraken_spot_api/__init__.py",
    "generated/kraken_futures_api/__init__.py",
    "generated/bitflyer_api/__init__.py",
)

missing = [path for path in GENERATED if not (ROOT / path).is_file()]
if missing:
    raise SystemExit(
        "exchange-clients: the generated packages are missing (" + ", ".join(missing) + "). They are built from the "
        "OpenAPI specs by `make` (Python >= 3.10 and Node.js >= 20.19; offline: make SPECS_MIRROR=<mirror>); run it in "
        "this checkout first, then `pip install .`."
    )

setup()
