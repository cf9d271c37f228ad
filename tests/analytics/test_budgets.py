"""Target-cost budgets on the small company, checked by hand.

Fixed costs per month: hq 1000, b1 500, t1 100, t2 200; channels 300 + 100 + 50 + 0 = 450 (to hq
only when asked). October contact cost: t1 29.2, t2 8.4, unassigned 0.9 (contacts 3, 6, 7).
November: t2 5.0. Targets: October hq 3000 = b1 2000 + 1000 (consistent), b1 2000 != 1200 + 700 +
500; November b1 1500 = 400 + 600 + 500 (consistent), hq 2000 != 1500 + 1000.
"""

from __future__ import annotations

import pytest

from equipoise.analytics.backends import connect
from equipoise.analytics.budgets import budget_report
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import parse_period
from tests.analytics.factories import small_company


@pytest.fixture
def facts(database_url):
    small_company(database_url)
    return Facts(connect(database_url))


def test_actuals_roll_up_the_tree_with_variance(facts):
    report = budget_report(facts, parse_period("2026-10"))
    nodes = {n.unit: n for n in report.nodes}
    assert [n.unit for n in report.nodes] == ["hq", "b1", "t1", "t2"]
    assert [n.depth for n in report.nodes] == [0, 1, 2, 2]
    assert nodes["t1"].actual == pytest.approx(129.2)
    assert nodes["t2"].actual == pytest.approx(208.4)
    assert nodes["b1"].actual == pytest.approx(500 + 129.2 + 208.4)
    assert nodes["hq"].actual == pytest.approx(1000 + 837.6 + 0.9)
    assert nodes["t1"].variance == pytest.approx(129.2 - 1200)
    assert nodes["t1"].variance_pct == pytest.approx(100 * (129.2 - 1200) / 1200)
    assert nodes["hq"].contact_cost == pytest.approx(0.9) and nodes["hq"].fixed_cost == 1000


def test_consistency_warning_names_unit_and_amounts(facts):
    report = budget_report(facts, parse_period("2026-Q4"))
    assert [(w.month, w.unit, w.children_total, w.target) for w in report.warnings] == [
        ("2026-10", "b1", 2400.0, 2000.0), ("2026-11", "hq", 2500.0, 2000.0)]
    assert ("b1: children's targets plus the unit's own fixed cost (500.00) add up to 2,400.00, "
            "not the unit's target 2,000.00 (difference +400.00)") in report.warnings[0].message
    november = {n.unit: n for n in report.nodes if n.month == "2026-11"}
    assert november["t2"].actual == pytest.approx(205.0)
    assert november["hq"].actual == pytest.approx(1000 + 500 + 100 + 205)
    december = {n.unit: n for n in report.nodes if n.month == "2026-12"}
    assert december["t1"].target is None and december["t1"].variance is None


def test_channel_fixed_costs_can_be_carried_by_the_root(facts):
    report = budget_report(facts, parse_period("2026-10"), include_channel_fixed=True)
    assert report.nodes[0].actual == pytest.approx(1000 + 837.6 + 0.9 + 450)
    assert report.nodes[0].fixed_cost == 1450


def test_budget_period_must_be_whole_months(facts):
    with pytest.raises(ValueError, match="whole months"):
        budget_report(facts, parse_period("2026-W41"))
