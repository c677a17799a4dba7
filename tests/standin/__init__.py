"""A local stand-in for Kraken Spot, Kraken Futures and bitFlyer, driven by the final OpenAPI documents.

Used by the integration tests and by ``make record``. Public API:

* :class:`StandIn` - three servers with production paths; ``spot_url`` / ``futures_url`` /
  ``bitflyer_url``, ``fail_next(venue, scenario)``, ``requests``, ``reset()``, ``stop()``.
* :data:`SCENARIOS` and :data:`SCENARIO_HEADER` - the scripted failures and the header that picks one.
* :mod:`standin.keys` - the fake credentials the stand-in accepts.
* :func:`route_table`, :func:`load_spec`, :data:`ANSWERS` - the operations and their answers.
"""

from __future__ import annotations

from .answers import ANSWERS, Answer
from .keys import FAKE_KEYS
from .routes import Operation, RouteTable, route_table
from .scenarios import HEADER as SCENARIO_HEADER
from .scenarios import SCENARIOS
from .server import ReceivedRequest, StandIn
from .spec import VENUES, Spec, Venue, load_spec
from .synthesize import synthesize

__all__ = [
    "ANSWERS",
    "FAKE_KEYS",
    "SCENARIOS",
    "SCENARIO_HEADER",
    "VENUES",
    "Answer",
    "Operation",
    "ReceivedRequest",
    "RouteTable",
    "Spec",
    "StandIn",
    "Venue",
    "load_spec",
    "route_table",
    "synthesize",
]
