"""Budgets page in process: the tree equals the budget API; colours, sums and period choices."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from equipoise.analytics.budgets import BudgetNode, BudgetReport
from equipoise.config import Settings
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.budgets import (
    budget_choices,
    signed_money,
    signed_percent,
    tree_rows,
    variance_colour,
)
from tests.web.conftest import sign_in

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def client(demo_url):
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as c:
        sign_in(c)
        yield c


def _amount(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.replace("−", "-")))


def _cell(html: str, unit: str, field: str) -> str:
    row = re.search(rf'<tr class="tree-row" data-unit="{unit}".*?</tr>', html, flags=re.S).group(0)
    return re.search(rf'data-field="{field}"[^>]*>([^<]+)<', row).group(1)


def test_tree_equals_the_budget_api_for_a_month(client):
    page = client.get("/budgets").text
    month = re.search(r'<option value="([^"]+)" selected>', page).group(1)
    api = client.get("/api/analytics/budget", params={"period": month}).json()
    assert api["nodes"]
    for node in api["nodes"]:
        assert _amount(_cell(page, node["unit"], "actual")) == pytest.approx(node["actual"], abs=0.5)
        if node["target"] is not None:
            assert _amount(_cell(page, node["unit"], "target")) == pytest.approx(node["target"], abs=0.5)
            assert _amount(_cell(page, node["unit"], "variance")) == pytest.approx(
                node["variance"], abs=0.5 + 1e-9)
    assert re.findall(r'data-unit="([\w-]+)" data-depth', page) == [n["unit"] for n in api["nodes"]]
    assert len(re.findall(r"<li data-unit=", page)) == len(api["warnings"])


def test_several_months_sum_and_show_each_month(client):
    page = client.get("/budgets").text
    whole = [v for v in re.findall(r'<option value="([^"]+)"', page) if ".." in v]
    assert whole, "the demo's budget months are contiguous"
    frag = client.get("/budgets", params={"period": whole[0], "channel_fixed": "true"}, headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text
    api = client.get("/api/analytics/budget", params={"period": whole[0],
                                                      "channel_fixed": "true"}).json()
    top = api["nodes"][0]["unit"]
    actual = sum(n["actual"] for n in api["nodes"] if n["unit"] == top)
    assert _amount(_cell(frag.text, top, "actual")) == pytest.approx(actual, abs=0.5)
    months = sorted({n["month"] for n in api["nodes"]})
    assert len(months) > 1 and all(f'data-month="{m}"' in frag.text for m in months)
    assert client.get("/budgets", params={"period": "2025-10"}).status_code == 422


def test_every_budget_definition_link_resolves(client):
    page = client.get("/budgets").text
    ids = set(re.findall(r'id="([\w-]+)"', page))
    links = set(re.findall(r'href="#([\w-]+)"', page))
    assert {"budgets-def-target", "budgets-def-variance"} <= links <= ids


def _node(month, unit, depth, target, actual, parent=None):
    var = None if target is None else actual - target
    return BudgetNode(month, unit, unit, "team", parent, depth, target, actual, 0.0, actual, var,
                      None if var is None else 100 * var / target)


def test_tree_rows_sum_months_and_need_every_target():
    report = BudgetReport("q", (
        _node("2026-01", "HQ", 0, 100.0, 110.0), _node("2026-01", "T", 1, 40.0, 30.0, "HQ"),
        _node("2026-02", "HQ", 0, 100.0, 95.0), _node("2026-02", "T", 1, None, 20.0, "HQ")), ())
    hq, team = tree_rows(report)
    assert (hq.target, hq.actual, hq.variance) == (200.0, 205.0, 5.0)
    assert hq.variance_pct == pytest.approx(2.5)
    assert team.target is None and team.variance is None and team.actual == 50.0
    assert [m.month for m in hq.months] == ["2026-01", "2026-02"]


@given(st.floats(-500, 500, allow_nan=False))
def test_variance_colour_is_red_over_and_green_under(pct):
    colour = variance_colour(pct)
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    if pct > 0:
        assert r >= g and r >= b
    elif pct < 0:
        assert g >= r and g >= b
    assert variance_colour(pct) == variance_colour(max(-10.0, min(10.0, pct))) or abs(pct) <= 10


def test_signed_figures_and_choices():
    assert signed_money(1234.4, "USD") == "+$1,234" and signed_money(-0.2, "USD") == "$0"
    assert signed_money(-56, "USD") == "−$56" and signed_money(None, "USD") == "–"
    assert signed_percent(-1.84) == "−1.8%" and signed_percent(0.01) == "0.0%"
    months = [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    assert [c.value for c in budget_choices(months)] == [
        "2026-01", "2025-12", "2025-11", "2025-11-01..2026-02-01"]
    assert [c.value for c in budget_choices(months[::2])] == ["2026-01", "2025-11"]
