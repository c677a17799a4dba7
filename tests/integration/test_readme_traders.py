"""The examples of the README's "What traders reach for" section run as written, against the stand-in, which
serves them paged lists: the facades are pointed at it and given its fake keys (through the environment, as a
user's would be). The README's other examples run in test_readme.py."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import exchange_clients
from exchange_clients import Bitflyer, KrakenSpot

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from standin import StandIn, keys

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## What traders reach for"


def _examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture
def local(venues: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """``from exchange_clients import KrakenSpot`` in an example gets a KrakenSpot of the stand-in; the logging
    an example configures is undone afterwards."""
    ours = logging.getLogger("exchange_clients")
    monkeypatch.setattr(ours, "level", ours.level)
    monkeypatch.setattr(logging.root, "handlers", list(logging.root.handlers))
    for variable, value in (
        ("KRAKEN_API_KEY", keys.FAKE_SPOT_API_KEY),
        ("KRAKEN_API_SECRET", keys.FAKE_SPOT_API_SECRET),
        ("BITFLYER_API_KEY", keys.FAKE_BITFLYER_API_KEY),
        ("BITFLYER_API_SECRET", keys.FAKE_BITFLYER_API_SECRET),
    ):
        monkeypatch.setenv(variable, value)
    for name, base, url in (("KrakenSpot", KrakenSpot, venues.spot_url), ("Bitflyer", Bitflyer, venues.bitflyer_url)):

        def local_init(self: Any, *args: Any, _base: Any = base, _url: str = url, **options: Any) -> None:
            options.setdefault("base_url", _url)
            _base.__init__(self, *args, **options)

        monkeypatch.setattr(exchange_clients, name, type(name, (base,), {"__init__": local_init}))
    venues.serve_pages("spot", "getLedgers", rows=120)
    venues.serve_pages("bitflyer", "getMyExecutions", rows=1200)
    return venues


def test_the_section_has_an_example_for_each_capability() -> None:
    joined = "\n".join(_examples())
    for shown in ("iter_get_ledgers", ".markets()", "round_price", "with_options", "with_raw_response", "on_event"):
        assert shown in joined


@pytest.mark.parametrize("number", range(len(_examples())))
def test_readme_example_runs(local: StandIn, number: int) -> None:
    code = _examples()[number]
    exec(compile(code, f"README example {number + 1}", "exec"), {"__name__": "readme", "print": lambda *a: None})
    assert local.errors == []
    assert all(request.status == 200 for request in local.requests)
