"""``python -m recording`` (with ``tests`` on the path): see :mod:`recording.record`."""

import sys

from .record import main

sys.exit(main())
