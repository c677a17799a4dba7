"""The package runs on Python 3.10, the oldest we support (the build machine runs 3.11)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_PYENV = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10")))


def _runs(candidate: str | None) -> bool:
    # A pyenv shim is on PATH even where it cannot run that version.
    if not candidate:
        return False
    return subprocess.run([candidate, "--version"], check=False, capture_output=True).returncode == 0


PYTHON310 = next((c for c in [*_PYENV, shutil.which("python3.10")] if _runs(c)), None)

SMOKE = """
import importlib, pkgutil
from decimal import Decimal
import httpx
from exchange_clients import KrakenFutures
from kraken_futures_api.models import SendOrderOrderType, SendOrderSide
for package in ("kraken_spot_api", "kraken_futures_api", "bitflyer_api"):
    api = importlib.import_module(package + ".api")
    for module in pkgutil.walk_packages(api.__path__, api.__name__ + "."):
        importlib.import_module(module.name)
    models = importlib.import_module(package + ".models")
    for name in models.__all__:
        getattr(models, name)
body = (b'{"result":"success","serverTime":"2019-09-05T16:33:50.734Z","sendStatus":{"order_id":'
        b'"179f9af8-e45e-469d-b3e9-2fd4675cb7d0","status":"placed","receivedTime":"2019-09-05T16:33:50.734Z"}}')
json_type = {"Content-Type": "application/json"}
answer = httpx.MockTransport(lambda request: httpx.Response(200, content=body, headers=json_type))
futures = KrakenFutures("k", "a2V5", transport=answer, rate_limit=False)
sent = futures.send_order(order_type=SendOrderOrderType.LMT, symbol="PF_XBTUSD", side=SendOrderSide.BUY,
                          size=Decimal("1"), limit_price=Decimal("9400.5"))
print(sent.send_status.received_time.isoformat())
"""


@pytest.mark.slow
@pytest.mark.skipif(PYTHON310 is None, reason="no Python 3.10 interpreter on this machine")
def test_every_module_imports_and_a_call_parses_on_python_310() -> None:
    # The runtime dependencies (httpx, attrs, dateutil and theirs) are pure Python: 3.11's site-packages serve.
    site_packages = sysconfig.get_paths()["purelib"]
    environment = {"PYTHONPATH": os.pathsep.join([str(ROOT / "overlay"), str(ROOT / "generated"), site_packages])}
    result = subprocess.run([str(PYTHON310), "-c", SMOKE], capture_output=True, text=True, env=environment, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "2019-09-05T16:33:50.734000+00:00"
