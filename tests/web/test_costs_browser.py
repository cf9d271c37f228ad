"""Cost to serve in Chromium over real HTTP: clean load on a desktop and a phone, numbers equal the
API, the period picker swaps the result in place, and a diagnostic opens the customers behind it."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import SCREENSHOTS, SIZES

pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')]
    .every(f => f.classList.contains('js-plotly-plot') && f.querySelector('svg.main-svg'))"""
SETTLED = "() => !document.querySelector('.loading') && !document.querySelector('.htmx-request')"


def number(text: str) -> float:
    """The number shown in ``text`` ("$1,234.50", "85.2%", "−3") as a float."""
    return float(re.sub(r"[^0-9.\-]", "", text.replace("−", "-")))


def load(watched, url: str, ready: str):
    """Open ``url``, wait for ``ready``, for lazy fragments and for every chart to be drawn."""
    page = watched.page
    page.goto(url, wait_until="load")
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_function(CHARTS_DRAWN)
    return page


def fits(page) -> None:
    """Nothing sticks out sideways: the page never scrolls horizontally."""
    overflow = page.evaluate("""() => [document.documentElement.scrollWidth - document.documentElement.clientWidth,
                                       document.body.scrollWidth - document.body.clientWidth]""")
    assert max(overflow) <= 0, overflow


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_costs_page_loads_clean_and_fits(live_server, open_page, size):
    watched = open_page(size)
    page = load(watched, live_server + "/costs", "#diagnostics article.diagnostic")
    assert page.locator("#diagnostics article.diagnostic").count() == 6
    assert page.locator("nav a[aria-current=page]").get_attribute("href") == "/costs"
    # Open the customers behind the first diagnostic item (an htmx fragment, 50 at most).
    link = page.locator("#diagnostics a.drill-link[data-show=customers]").first
    question = link.evaluate("a => a.closest('article').dataset.question")
    link.click()
    page.wait_for_selector(f"#drill-{question} .drill-result")
    assert page.locator(f"#drill-{question} tr[data-customer]").count() <= 50
    for fig in ("chart-tier-channel", "chart-tier-reason"):
        layout = page.evaluate(f"() => document.getElementById('{fig}').layout")
        assert layout["title"]["text"] and layout["xaxis"]["title"]["text"]
        assert layout["yaxis"]["title"]["text"]
    fits(page)
    shoot(page, f"costs-diagnostics-{size}")
    assert watched.problems == []


def test_costs_numbers_equal_the_api(live_server, open_page, manager_api):
    watched = open_page()
    page = load(watched, live_server + "/costs", "#diagnostics article.diagnostic")
    api = manager_api(f"{live_server}/api/analytics/metrics/values", timeout=60, params={
        "metrics": "contacts,customers_served,total_cost,cost_per_contact,csat"}).json()["rows"][0]
    assert number(page.inner_text("#costs-contacts")) == api["contacts"]
    assert "," in page.inner_text("#costs-contacts")  # thousands separator
    assert number(page.inner_text("#costs-customers")) == api["customers_served"]
    assert number(page.inner_text("#costs-total-cost")) == pytest.approx(api["total_cost"], abs=0.5)
    assert number(page.inner_text("#costs-cost-per-contact")) == pytest.approx(
        api["cost_per_contact"], abs=0.005)
    assert number(page.inner_text("#costs-csat")) == pytest.approx(api["csat"], abs=0.05)
    # The drawn heatmap holds the API's cost per contact of each tier × channel cell.
    cells = manager_api(f"{live_server}/api/analytics/metrics/values", timeout=60, params={
        "by": ["tier", "channel"], "metrics": "cost_per_contact"}).json()["rows"]
    drawn = page.evaluate("() => document.getElementById('chart-tier-channel').data[0].z")
    values = sorted(v for row in drawn for v in row if v is not None)
    expected = sorted(r["cost_per_contact"] for r in cells if r["tier"] and r["channel"])
    assert values == pytest.approx(expected)
    # Each diagnostic lists as many items as the API finds.
    findings = manager_api(f"{live_server}/api/analytics/diagnostics", timeout=120).json()
    for f in findings:
        shown = page.locator(f"#diag-{f['question']}").get_attribute("data-items")
        assert int(shown) == len(f["items"])
    item = findings[1]["items"][0]  # high-value customers on cheap, unsatisfying service
    page.locator("#diag-2 a.drill-link[data-show=customers]").first.click()
    page.wait_for_selector("#drill-2 .drill-result")
    assert int(page.get_attribute("#drill-2 .drill-result", "data-total")) == item["customers"]
    assert watched.problems == []


def test_costs_period_picker_swaps_in_place(live_server, open_page, manager_api):
    watched = open_page()
    page = load(watched, live_server + "/costs", "#diagnostics article.diagnostic")
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    before = page.inner_text("#costs-contacts")
    month = page.locator("#period option").nth(1).get_attribute("value")
    page.select_option("#period", month)
    page.wait_for_selector(f"#costs-result .result[data-period='{month}']")
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate("() => window.__sameDocument") == "yes"  # no page load happened
    assert f"period={month}" in page.url
    api = manager_api(f"{live_server}/api/analytics/metrics/values", timeout=60,
                    params={"period": month, "metrics": "contacts"}).json()["rows"][0]
    assert number(page.inner_text("#costs-contacts")) == api["contacts"]
    assert page.inner_text("#costs-contacts") != before
    assert page.locator("#diagnostics article.diagnostic").count() == 6
    # The measure picker recolours the heatmaps, still without a reload.
    page.select_option("#measure", "csat")
    page.wait_for_selector("#costs-result .result[data-measure=csat]")
    page.wait_for_function(CHARTS_DRAWN)
    assert "CSAT" in page.evaluate("() => document.getElementById('chart-tier-channel').layout.title.text")
    assert page.evaluate("() => window.__sameDocument") == "yes"
    assert watched.problems == []


def test_every_diagnostic_drills_down_to_its_customers_and_cases(live_server, open_page):
    watched = open_page()
    page = load(watched, live_server + "/costs", "#diagnostics article.diagnostic")
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    questions = page.locator("#diagnostics article.diagnostic").evaluate_all(
        "els => els.map(e => [Number(e.dataset.question), Number(e.dataset.items)])")
    assert [q for q, _ in questions] == [1, 2, 3, 4, 5, 6]
    assert all(items > 0 for _, items in questions), questions  # the demo gives every question items
    row_of = {"customers": "tr[data-customer]", "cases": "tr[data-case]", "agents": "tr[data-agent]"}
    for q, _ in questions:
        shows = page.locator(f"#diag-{q} tbody tr").first.locator("a.drill-link").evaluate_all(
            "els => els.map(e => e.dataset.show)")
        assert {"customers", "cases"} <= set(shows), (q, shows)
        for show in shows:
            page.locator(f"#diag-{q} tbody tr").first.locator(f"a.drill-link[data-show={show}]").click()
            result = f"#drill-{q} .drill-result[data-show={show}]"
            page.wait_for_selector(result, timeout=60_000)
            page.wait_for_function(SETTLED, timeout=60_000)
            total = int(page.get_attribute(result, "data-total"))
            rows = page.locator(f"{result} {row_of[show]}").count()
            assert total > 0 and rows == min(total, 50), (q, show, total, rows)
            if show == "cases":  # a case of the list links to its detail page
                case = page.locator(f"{result} tr[data-case]").first
                href = case.locator("a").get_attribute("href")
                assert href == f"/cases/{case.get_attribute('data-case')}"
                assert page.request.get(live_server + href).status == 200
    assert page.evaluate("() => window.__sameDocument") == "yes"  # every list came in place
    shoot(page, "costs-drill-every-diagnostic-desktop")
    assert watched.problems == []
