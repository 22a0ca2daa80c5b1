"""The defensive accessors: wrong or absurd values cost the fact, never the call."""

from __future__ import annotations

import math
from typing import Any

import pytest

from cds_service.picture import access as fx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, 2.0),
        (30.5, 30.5),
        (-1, -1.0),
        (0, 0.0),
        (10**400, None),  # json.loads reads it as an int; no float holds it
        (math.inf, None),
        (-math.inf, None),
        (math.nan, None),
        (True, None),
        (False, None),
        ("2", None),
        (None, None),
        ([2], None),
    ],
)
def test_number(value: Any, expected: float | None) -> None:
    found = fx.number(value)
    assert found == expected and (found is None or type(found) is float)


@pytest.mark.parametrize(
    ("value", "code", "unit", "expected"),
    [
        (14, "d", None, 14.0),
        (2, "wk", None, 14.0),
        (2, None, "weeks", 14.0),
        (100, "a", None, 36_500.0),  # a century still reads
        (101, "a", None, None),  # past it: a data error, unknown rather than huge
        (1e300, "d", None, None),
        (10**400, "d", None, None),
        (-1, "d", None, None),
        (3, "furlong", None, None),
    ],
)
def test_in_days(value: Any, code: Any, unit: Any, expected: float | None) -> None:
    assert fx.in_days(value, code, unit) == expected
