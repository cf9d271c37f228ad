"""Budgets in Chromium over real HTTP: clean load, the tree equals the budget API, and the period
picker swaps the tree in place."""

from __future__ import annotations

import pytest

from tests.web.conftest import SIZES
from tests.web.test_costs_browser import CHARTS_DRAWN, fits, load, number, shoot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", list(SIZES))
def test_budgets_page_loads_clean_and_fits(live_server, open_page, size):
    watched = open_page(size)
    page = load(watched, live_server + "/budgets", "#budget-tree")
    assert page.locator("nav a[aria-current=page]").get_attribute("href") == "/budgets"
    assert page.locator("#budget-tree tr.tree-row").count() >= 3
    fits(page)
    shoot(page, f"budgets-tree-{size}")
    assert watched.problems == []


def test_budget_tree_equals_the_api_and_period_round_trip(live_server, open_page, manager_api):
    watched = open_page()
    page = load(watched, live_server + "/budgets", "#budget-tree")
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    month = page.input_value("#period")
    api = manager_api(f"{live_server}/api/analytics/budget", params={"period": month}, timeout=60).json()
    for node in api["nodes"]:
        row = page.locator(f"#budget-tree tr[data-unit='{node['unit']}']")
        assert number(row.locator("[data-field=actual]").inner_text()) == pytest.approx(
            node["actual"], abs=0.5)
        if node["target"] is not None:
            assert number(row.locator("[data-field=target]").inner_text()) == pytest.approx(
                node["target"], abs=0.5)
            # Over budget is red, under budget green: the colour follows the variance's sign.
            colour = row.locator("[data-field=variance]").evaluate(
                "td => getComputedStyle(td).backgroundColor")
            r, g, _ = (int(x) for x in colour[colour.index("(") + 1:-1].split(",")[:3])
            if node["variance_pct"] > 0.05:
                assert r > g
            elif node["variance_pct"] < -0.05:
                assert g > r
    top = api["nodes"][0]
    assert number(page.inner_text("#budget-top-actual")) == pytest.approx(top["actual"], abs=0.5)
    drawn = page.evaluate("() => document.getElementById('chart-budget-variance').data[0].x")
    assert drawn[0] == pytest.approx(top["variance"])

    other = [v for v in page.locator("#period option").evaluate_all(
        "os => os.map(o => o.value)") if v != month][0]
    page.select_option("#period", other)
    page.wait_for_selector(f"#budgets-result .result[data-period='{other}']")
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate("() => window.__sameDocument") == "yes"
    api2 = manager_api(f"{live_server}/api/analytics/budget", params={"period": other}, timeout=60).json()
    total = sum(n["actual"] for n in api2["nodes"] if n["unit"] == top["unit"])
    assert number(page.inner_text("#budget-top-actual")) == pytest.approx(total, abs=0.5)
    page.check("#channel_fixed")
    page.wait_for_selector("#budgets-result .result[data-channel-fixed=true]")
    assert page.evaluate("() => window.__sameDocument") == "yes"
    assert "channel_fixed=true" in page.url
    assert watched.problems == []
