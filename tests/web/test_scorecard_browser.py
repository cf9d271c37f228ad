"""Scorecard in Chromium over real HTTP: clean load, scores equal the API, drill-down to a unit and
a period change swap the result in place and keep each other."""

from __future__ import annotations

import pytest

from tests.web.conftest import SIZES
from tests.web.test_costs_browser import CHARTS_DRAWN, SETTLED, fits, load, number, shoot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", list(SIZES))
def test_scorecard_page_loads_clean_and_fits(live_server, open_page, size):
    watched = open_page(size)
    page = load(watched, live_server + "/scorecard", "#scorecard-children")
    assert page.locator("nav a[aria-current=page]").get_attribute("href") == "/scorecard"
    layout = page.evaluate("() => document.getElementById('chart-dimensions').layout")
    assert layout["title"]["text"] and layout["yaxis"]["title"]["text"] == "Score (1–5)"
    fits(page)
    shoot(page, f"scorecard-levels-{size}")
    assert watched.problems == []


def test_scorecard_drill_down_and_period_round_trip(live_server, open_page, manager_api):
    watched = open_page()
    page = load(watched, live_server + "/scorecard", "#scorecard-children")
    api = manager_api(f"{live_server}/api/analytics/scorecard", timeout=60).json()[0]
    assert number(page.inner_text("#score-total")) == pytest.approx(api["total"], abs=0.005)
    page.evaluate("() => { window.__sameDocument = 'yes'; }")

    link = page.locator("#scorecard-children a.drill-to").first
    entity = link.get_attribute("data-entity")
    link.click()
    page.wait_for_selector(f"#scorecard-result .result[data-entity='{entity}']")
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate("() => window.__sameDocument") == "yes"
    unit = manager_api(f"{live_server}/api/analytics/scorecard", params={"entity": entity},
                     timeout=60).json()[0]
    assert number(page.inner_text("#score-total")) == pytest.approx(unit["total"], abs=0.005)
    assert page.input_value("#entity") == entity  # the form follows the drill-down

    month = page.locator("#period option").nth(1).get_attribute("value")
    page.select_option("#period", month)
    page.wait_for_selector(f"#scorecard-result .result[data-period='{month}']")
    page.wait_for_function(SETTLED, timeout=60_000)
    assert page.evaluate("() => window.__sameDocument") == "yes"
    assert page.get_attribute("#scorecard-result .result", "data-entity") == entity
    monthly = manager_api(f"{live_server}/api/analytics/scorecard",
                        params={"entity": entity, "period": month}, timeout=60).json()[0]
    shown = page.inner_text("#score-total")
    assert (shown.strip() == "–") if monthly["total"] is None else (
        number(shown) == pytest.approx(monthly["total"], abs=0.005))
    # Each indicator's raw KPI links to the registry definition.
    href = page.locator("#scorecard-indicators tr[data-indicator] a.def").first.get_attribute("href")
    assert href.startswith("/definitions#metric-")
    page.go_back()  # the pushed URL brings the previous view back
    page.wait_for_selector(f"#scorecard-result .result[data-entity='{entity}'][data-period='']")
    assert watched.problems == []
