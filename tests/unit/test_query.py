"""Our query strings are byte-identical to httpx's (signatures and cassettes depend on it), except that a Decimal is
written in plain notation where httpx would write ``str()`` (``1E+3``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange_clients._query import query_string

_SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False),
)
_VALUES = st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3), st.tuples(_SCALARS, _SCALARS))


@settings(derandomize=True, max_examples=500, database=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), _VALUES, max_size=5))
def test_query_string_equals_httpx(params: dict[str, Any]) -> None:
    assert query_string(params) == str(httpx.QueryParams(_plain(params)))


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    def text(value: Any) -> Any:
        return format(value, "f") if isinstance(value, Decimal) else value

    return {
        k: [text(v) for v in value] if isinstance(value, list | tuple) else text(value) for k, value in params.items()
    }


def test_decimals_are_written_in_plain_notation_never_as_exponents() -> None:
    params = {"size": Decimal("1E+3"), "price": Decimal("9.9999900E-7"), "levels": [Decimal("-2.50E+1")]}
    assert query_string(params) == "size=1000&price=0.00000099999900&levels=-25.0"


def test_documented_cases() -> None:
    params = {"a": True, "b": [1, 2], "c": "x y&z", "d": "é", "e": None, "f": Decimal("9400.50")}
    assert query_string(params) == "a=true&b=1&b=2&c=x+y%26z&d=%C3%A9&e=&f=9400.50"
    assert query_string({"k": []}) == ""
