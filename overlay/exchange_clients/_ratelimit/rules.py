"""The two kinds of limit rule, and what one call asks of a limiter backend.

These are the whole vocabulary a backend has to understand: a backend (in process, or later a shared one on
Redis) keeps one state per counter name and applies :class:`Window` or :class:`DecayingCounter` arithmetic
to it, atomically for all the charges of one call.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Charge", "DecayingCounter", "Refusal", "Rule", "Window"]


class Window(NamedTuple):
    """At most ``limit`` cost in any window of ``seconds``: what a call spends comes back ``seconds`` later.

    A sliding log, not a bucket that starts full and refills: that admits two windows' worth across a window
    boundary. A log never does, and it is also safe against a venue that counts fixed windows or refills a
    bucket of the same size.
    """

    limit: float
    seconds: float


class DecayingCounter(NamedTuple):
    """A counter that each call raises by its cost and that falls by ``per_second`` down to zero; a call may
    go while the counter stays at or under ``maximum``. Kraken Spot's own model of its limits."""

    maximum: float
    per_second: float


Rule = Window | DecayingCounter


class Charge(NamedTuple):
    """``cost`` taken from the counter named ``counter``, which follows ``rule``.

    ``hold=False`` takes the cost even when the counter is over its limit and never holds the call back: a
    cancel is not delayed (it still raises the counter, so the calls after it wait longer).
    """

    counter: str
    rule: Rule
    cost: float
    hold: bool = True


class Refusal(NamedTuple):
    """Why a call may not go yet: ``wait`` seconds, and whether a venue's ``penalty`` (not a rule) holds it."""

    wait: float
    penalty: bool = False
