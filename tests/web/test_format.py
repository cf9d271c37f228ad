"""Display formatting: thousands separators, units, and a dash for missing values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.interfaces.web.format import metric, money, number, percent, seconds, unit_label


def test_examples():
    assert number(1234567) == "1,234,567"
    assert number(1234.567, 2) == "1,234.57"
    assert money(1234.5) == "$1,234.50"
    assert money(-1234.5, "EUR", 0) == "−€1,234"
    assert money(99, "CHF") == "99.00 CHF"
    assert percent(85.26) == "85.3%"
    assert seconds(42) == "42 s" and seconds(210) == "3.5 min" and seconds(7560) == "2.1 h"
    assert metric(12.5, "points") == "+12.5 pts"
    assert metric(3.26, "hours") == "3.3 h"
    assert metric(1500, "currency", "GBP") == "£1,500.00"
    assert unit_label("currency", "EUR") == "EUR" and unit_label("percent") == "%"


@pytest.mark.parametrize("missing", [None, math.nan, "n/a"])
def test_missing_values_show_a_dash(missing):
    for fn in (number, money, percent, seconds):
        assert fn(missing) == "–"
    assert metric(missing, "count") == "–"


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_number_round_trips_through_the_separators(n):
    text = number(n)
    assert int(text.replace(",", "")) == n
    groups = text.lstrip("-").split(",")
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_money_keeps_the_value_to_the_cent(x):
    text = money(x)
    value = float(text.replace("−", "-").replace("$", "").replace(",", ""))
    assert value == pytest.approx(round(x, 2), abs=0.006)
