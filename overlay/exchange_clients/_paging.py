"""``iter_<method>``: every item of a list the venue hands out one page at a time.

Venues page in three ways, and each venue's table (``<venue>/_paging.py``) says which operation pages how:

- :class:`Offset` (Kraken Spot ``ofs``): newest first, with the total ``count`` in each answer. A row that
  arrives while paging pushes older rows one place further, so the next page repeats one already seen: items are
  keyed (Kraken's answers are mappings of id → row) and each key is yielded once, and paging runs until the
  offset passes the count the *latest* answer gave. Nothing is skipped; a repeat is dropped.
- :class:`Token` (Kraken Futures history): the answer carries the token of the next page.
- :class:`Cursor` (bitFlyer ``before``, Futures fills and account log): newest first; the next page asks for
  what is older than the last item seen. New rows arrive above the cursor, so they never shift the pages.

Each page is one ordinary call of the facade method: checked, signed, rate limited (each page waits its turn),
retried and logged like any other call. The iterator stops after ``limit`` items, if given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from exchange_clients._operation_tables import table_problems

if TYPE_CHECKING:
    from exchange_clients._runtime import AsyncFacade, Operation, SyncFacade

__all__ = ["Cursor", "Offset", "Paging", "Token", "aiterate", "iterate", "paging_table_problems"]


class Offset(NamedTuple):
    """Pages by a row offset (``param``); ``items`` names the mapping of id → row, ``total`` the row count."""

    items: str
    param: str = "ofs"
    total: str = "count"


class Token(NamedTuple):
    """Pages by an opaque token: ``param`` sends it, ``next`` is where the answer carries the next one.
    ``key``: the item attribute that identifies it (a repeat is never yielded); ``None`` where items carry no id
    (the venue's token is then trusted not to repeat)."""

    items: str
    key: str | None
    param: str = "continuation_token"
    next: str = "continuation_token"


class Cursor(NamedTuple):
    """Pages newest first by the last item's ``key`` (+ ``step``: -1 where the venue's bound is inclusive), sent
    as ``param``. ``items`` is the answer's list attribute (``None``: the answer is the list). ``unique`` identifies
    an item where ``key`` may repeat (a time). A page shorter than ``page_size`` (or ``size_param``'s value, when
    given) is the last."""

    param: str
    key: str
    page_size: int
    items: str | None = None
    unique: str | None = None
    size_param: str | None = None
    step: int = 0
    order_param: str | None = None  # the venue's sort argument: only its newest-first order pages this way


Paging = Offset | Token | Cursor


def _attribute(value: Any, name: str | None) -> Any:
    if name is None:
        return value
    found = getattr(value, name, None)
    return found if found is not None and type(found).__name__ != "Unset" else None


def _page_items(rule: Paging, result: Any) -> list[tuple[Any, Any]]:
    """(identity, item) for each item of one answer; keyed mappings yield (key, row) pairs as items."""
    found = _attribute(result, rule.items)
    if found is None:
        return []
    if isinstance(rule, Offset):
        rows: Mapping[str, Any] = getattr(found, "additional_properties", found)
        return [(key, (key, row)) for key, row in rows.items()]
    unique = rule.key if isinstance(rule, Token) else rule.unique or rule.key
    return [(object() if unique is None else getattr(item, unique), item) for item in found]


def _pages(rule: Paging, args: Mapping[str, Any]) -> Generator[dict[str, Any], Any, None]:
    """Each page's arguments, sent each answer back; it returns when there is no next page."""
    arguments = dict(args)
    sort = rule.order_param if isinstance(rule, Cursor) else None
    order = args.get(sort) if sort else None
    if getattr(order, "value", order) == "asc":  # an enum member or its value
        raise ValueError(f"paging goes newest first: leave {sort} unset or 'desc'")
    cursor_seen: set[Any] = set()  # the tokens and cursors sent so far
    while True:
        result = yield arguments
        if isinstance(rule, Offset):
            rows = _page_items(rule, result)
            offset = int(arguments.get(rule.param) or 0) + len(rows)
            total = _attribute(result, rule.total)  # absent when asked ``without_count``: page until one is empty
            if not rows or (total is not None and offset >= int(total)):
                return
            arguments[rule.param] = offset
        elif isinstance(rule, Token):
            token = _attribute(result, rule.next)
            if not token or token in cursor_seen or not _page_items(rule, result):
                return  # the last page, or a venue that hands the same token again: stop rather than loop
            cursor_seen.add(token)
            arguments[rule.param] = token
        else:
            rows = _page_items(rule, result)
            size = arguments.get(rule.size_param) if rule.size_param else None
            wanted = size if isinstance(size, int) else rule.page_size
            if len(rows) < wanted or not rows:
                return
            last = getattr(rows[-1][1], rule.key)
            following = last + rule.step if rule.step else last
            if following in cursor_seen:  # the venue did not move on: stop rather than loop
                return
            cursor_seen.add(following)
            arguments[rule.param] = following


class _Walk:
    """The items of each answer not yielded yet, up to ``limit``; shared by the sync and async iterators."""

    def __init__(self, rule: Paging, args: Mapping[str, Any], limit: int | None) -> None:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a whole number of items >= 0 or None, not {limit!r}")
        self._rule = rule
        self._limit = limit
        self._seen: set[Any] = set()
        self._given = 0
        self._pages = _pages(rule, args)
        self.arguments: dict[str, Any] | None = next(self._pages) if limit != 0 else None

    def take(self, result: Any) -> list[Any]:
        """The new items of ``result`` (within the limit); sets ``arguments`` to the next page's, or None."""
        fresh = []
        for identity, item in _page_items(self._rule, result):
            if identity not in self._seen:
                self._seen.add(identity)
                fresh.append(item)
        if self._limit is not None:
            fresh = fresh[: self._limit - self._given]
        self._given += len(fresh)
        if self._limit is not None and self._given >= self._limit:
            self.arguments = None
            return fresh
        try:
            self.arguments = self._pages.send(result)
        except StopIteration:
            self.arguments = None
        return fresh


def iterate(
    client: SyncFacade, op: Operation, rule: Paging, args: Mapping[str, Any], limit: int | None = None
) -> Iterator[Any]:
    """Every item of every page of ``op`` called with ``args``, each once, at most ``limit`` of them."""
    walk = _Walk(rule, args, limit)
    while walk.arguments is not None:
        yield from walk.take(client._call(op, walk.arguments))


async def aiterate(
    client: AsyncFacade, op: Operation, rule: Paging, args: Mapping[str, Any], limit: int | None = None
) -> AsyncIterator[Any]:
    """As :func:`iterate`, for ``async for``."""
    walk = _Walk(rule, args, limit)
    while walk.arguments is not None:
        for item in walk.take(await client._acall(op, walk.arguments)):
            yield item


def paging_table_problems(
    venue: str,
    table: Mapping[str, Paging],
    operations: Mapping[str, Any],
    arguments: Callable[[Any], set[str]],
    paged_by: frozenset[str],
    not_paged: frozenset[str] = frozenset(),
) -> list[str]:
    """Every way ``table`` disagrees with the generated operations: an entry naming no operation; an operation that
    takes one of the venue's paging arguments (``paged_by``), is not listed in ``not_paged`` and has no entry; an
    entry whose paging or size argument the operation does not take. ``arguments(op)``: an operation's arguments."""
    name = f"{venue} pagination"
    problems = table_problems(
        name, table, operations, lambda op: op.name not in not_paged and bool(paged_by & arguments(op))
    )
    for op_name, rule in sorted(table.items()):
        op = operations.get(op_name)
        if op is None:
            continue
        taken = arguments(op)
        for needed in (rule.param, getattr(rule, "size_param", None)):
            if needed is not None and needed not in taken:
                problems.append(f"{name}: {op_name!r} takes no argument {needed!r}; fix the entry")
    return problems
