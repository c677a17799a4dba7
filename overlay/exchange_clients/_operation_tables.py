"""Tables kept by hand per operation name, checked against the generated operations.

Rate-limit costs (and, later, pagination rules) are kept by hand per operation. When upstream adds, renames
or removes an operation, such a table must neither keep a dead entry nor price a new operation by a guess.
:func:`table_problems` names every entry that is not an operation and every operation that needs an entry
and has none; :func:`check_table` raises them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar

__all__ = ["OperationTableError", "check_table", "table_problems"]


class _Operation(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def private(self) -> bool: ...


_Op = TypeVar("_Op", bound=_Operation)


class OperationTableError(ValueError):
    """A hand-kept table no longer matches the generated operations; the message lists every problem."""


def table_problems(
    table: str,
    entries: Iterable[str],
    operations: Mapping[str, _Op],
    needs_entry: Callable[[_Op], bool] | None = None,
) -> list[str]:
    """One readable line per problem: an entry naming no operation, an operation ``needs_entry`` selects
    that the table lacks. ``table`` says which table, for the message."""
    named = set(entries)
    problems = [
        f"{table}: {name!r} is not an operation of the generated client (renamed or removed upstream?); "
        "rename or delete the entry"
        for name in sorted(named - operations.keys())
    ]
    if needs_entry is not None:
        problems += [
            f"{table}: operation {name!r} ({op.path}) has no entry, and it needs one; add it"
            for name, op in sorted(operations.items())
            if name not in named and needs_entry(op)
        ]
    return problems


def check_table(
    table: str,
    entries: Iterable[str],
    operations: Mapping[str, _Op],
    needs_entry: Callable[[_Op], bool] | None = None,
) -> None:
    """Raise :class:`OperationTableError` listing every problem :func:`table_problems` finds."""
    problems = table_problems(table, entries, operations, needs_entry)
    if problems:
        raise OperationTableError("\n".join(problems))
