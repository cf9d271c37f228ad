"""The scenarios page in a real Chromium: create a scenario through the form, run it and compare
it with a default one, all swapped in place by htmx, on a desktop and a phone."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.web.conftest import SCREENSHOTS, SETTLED, SIZES

pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')]
    .every(f => f.classList.contains('js-plotly-plot') && f.querySelector('svg.main-svg'))"""


def _overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth"
                         " - document.documentElement.clientWidth")


@pytest.mark.parametrize("size", list(SIZES))
def test_create_run_and_compare_without_a_reload(live_server, open_page, size):
    watched = open_page(size)
    page = watched.page
    page.goto(live_server + "/scenarios", wait_until="load")
    page.wait_for_function(SETTLED)
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"scenarios-{size}.png"), full_page=True)
    assert _overflow(page) <= 0

    # A new scenario from the outsourcing template: its fields arrive with their defaults.
    page.select_option("#scenario-lever", "outsourcing")
    page.wait_for_selector("#param-cost_reduction")
    page.wait_for_function(SETTLED)
    assert float(page.input_value("#param-cost_reduction")) == 0.25
    name = f"offshore-{size}-{uuid.uuid4().hex[:6]}"
    page.fill("#scenario-name", name)
    page.fill("#param-cost_reduction", "1.5")  # not a share: refused in place with a 422
    watched.expected_status.add(422)
    page.click("#scenario-form button[type=submit]")
    page.wait_for_selector("#param-cost_reduction-error")
    assert "cost_reduction" in page.inner_text("#scenario-form-error")
    assert page.get_attribute("#param-cost_reduction", "aria-invalid") == "true"
    assert page.input_value("#scenario-name") == name  # what was typed is kept
    page.fill("#param-cost_reduction", "0.3")
    page.click("#scenario-form button[type=submit]")
    page.wait_for_selector("#scenario-saved")
    page.wait_for_function(SETTLED)
    row = page.locator(f"#scenarios-table tr[data-scenario='{name}']")
    assert "never run" in row.inner_text()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    api = httpx.get(f"{live_server}/api/scenarios", cookies=cookies, timeout=30).json()
    stored = {s["name"]: s for s in api["scenarios"]}
    assert stored[name]["params"] == {"cost_reduction": 0.3}

    # Run it: a loading note shows while the model and the simulator work.
    row.locator("button.run").click()
    page.wait_for_selector("#run-busy", state="visible", timeout=5_000)
    page.wait_for_selector(f"#run-result[data-scenario='{name}']")
    page.wait_for_function(SETTLED)
    assert page.locator("#run-busy").is_hidden()
    assert page.locator("#run-result table.sim-check").count() >= 1
    assert page.inner_text("#run-net_cost").endswith("/ yr")
    row = page.locator(f"#scenarios-table tr[data-scenario='{name}']")
    assert "never run" not in row.inner_text()

    # Compare it with a default scenario, side by side, with the charts drawn.
    page.select_option("#compare-a", name)
    page.select_option("#compare-b", "staffing-cut")
    page.click("#scenario-picker button[type=submit]")
    page.wait_for_selector(f"#compare-result[data-a='{name}'][data-b='staffing-cut']")
    page.wait_for_function(SETTLED)
    page.wait_for_function(CHARTS_DRAWN)
    assert page.locator("#compare-tiers tbody tr").count() >= 4
    assert page.locator("#compare-result table.sim-check[data-side=a]").count() >= 1
    assert page.locator("#compare-result table.sim-check[data-side=b]").count() >= 1
    titles = page.evaluate("""() => ['chart-scenario-effect', 'chart-scenario-sl'].map(id =>
        document.getElementById(id).layout.title.text)""")
    assert all(titles)
    assert page.evaluate("() => window.__sameDocument") == "yes"  # htmx, no reload
    page.screenshot(path=str(SCREENSHOTS / f"scenarios-compare-{size}.png"), full_page=True)
    assert _overflow(page) <= 0
    assert watched.problems == []
