"""Run the stand-in on its own: ``python tests/standin`` or, with tests/ on sys.path, ``python -m standin``.

Prints one JSON line with the three base URLs, then serves until interrupted
(or for ``--seconds``), so a recorder in another process can point clients at it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from pathlib import Path

if __package__ in (None, ""):  # run as a directory: make the package importable by name
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from standin import StandIn
else:
    from . import StandIn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    args = parser.parse_args(argv)
    with StandIn() as venues:
        urls = {"spot": venues.spot_url, "futures": venues.futures_url, "bitflyer": venues.bitflyer_url}
        print(json.dumps(urls), flush=True)
        stop = threading.Event()
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
            stop.wait(args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
