"""Each venue's paging table (overlay/exchange_clients/<venue>/_paging.py), read for the ``iter_`` facade methods.

The tables are data, imported here as they are, with the overlay's packages loaded bare: the overlay's
``__init__`` modules import the facades this step writes. What each ``iter_`` method yields is read from the
generated models: the items of a list, or ``(id, row)`` pairs of a Kraken mapping.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from _pipeline import ROOT, PipelineError

OVERLAY = ROOT / "overlay" / "exchange_clients"


@contextmanager
def _bare_overlay(venue: str) -> Iterator[None]:
    """``exchange_clients`` and ``exchange_clients.<venue>`` as namespaces, without running their ``__init__``."""
    names = ("exchange_clients", f"exchange_clients.{venue}")
    saved = {name: sys.modules.get(name) for name in names}
    for name, path in zip(names, (OVERLAY, OVERLAY / venue), strict=True):
        module = types.ModuleType(name)
        module.__path__ = [str(path)]
        sys.modules[name] = module
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n == "exchange_clients" or n.startswith("exchange_clients.")]:
            del sys.modules[name]
        sys.modules.update({name: module for name, module in saved.items() if module is not None})


def read_pages(venue: str) -> Mapping[str, Any]:
    """The venue's ``PAGES`` table (operation name -> paging rule), or nothing if the venue has none."""
    if not (OVERLAY / venue / "_paging.py").exists():
        return {}
    with _bare_overlay(venue):
        table: Mapping[str, Any] = importlib.import_module(f"exchange_clients.{venue}._paging").PAGES
    return dict(table)


def item_type(package: str, returns: str, rule: Any) -> str:
    """The annotation of one item an ``iter_`` method yields, from the generated models' annotations."""
    models = importlib.import_module(f"{package}.models")
    element = _element(returns) if rule.items is None else _element(_annotation(models, returns, rule.items))
    if type(rule).__name__ == "Offset":
        value = _annotation(models, element, "additional_properties")
        if not value.startswith("dict[str, "):
            raise PipelineError(f"{package}: {returns}.{rule.items} is not a mapping of id -> row")
        return f"tuple[str, {value[len('dict[str, ') : -1]}]"
    return element


def _annotation(models: types.ModuleType, model: str, field: str) -> str:
    """A model attribute's annotation as written, ``| Unset`` dropped (the models annotate with strings)."""
    cls = getattr(models, model, None)
    written = getattr(cls, "__annotations__", {}).get(field)
    if not isinstance(written, str):
        raise PipelineError(f"the paging table names {model}.{field}, which the generated model does not have")
    kept = [part.strip() for part in written.split("|") if part.strip() != "Unset"]
    if len(kept) != 1:
        raise PipelineError(f"{model}.{field}: cannot tell the items from {written!r}")
    return kept[0]


def _element(annotation: str) -> str:
    return annotation[len("list[") : -1] if annotation.startswith("list[") else annotation
