"""The dashboard in a real Chromium over real HTTP: pages load clean, numbers match the API,
htmx swaps the staffing result in place, and the layout fits a desktop and a phone."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import SCREENSHOTS, SETTLED, SIZES

pytestmark = pytest.mark.browser

#: The pages tested here (scorecard, cost to serve and budgets have their own browser tests).
PAGES = {"overview": "/", "staffing": "/staffing", "balance": "/balance",
         "definitions": "/definitions"}
#: What shows that a page's content is complete (the balance result arrives after the page).
READY = {"/": "#total-contacts", "/staffing": "#staffing-result .result",
         "/balance": "#balance-net-value", "/definitions": "#metric-csat"}
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')]
    .every(f => f.classList.contains('js-plotly-plot') && f.querySelector('svg.main-svg'))"""


def _number(text: str) -> float:
    """The number shown in ``text`` ("$1,234.50", "85.2%", "−3") as a float."""
    cleaned = re.sub(r"[^0-9.\-]", "", text.replace("−", "-"))
    return float(cleaned)


def _load(watched, url: str):
    page = watched.page
    page.goto(url, wait_until="load")
    path = "/" + url.split("/", 3)[3].split("?")[0]
    if path in READY:
        page.wait_for_selector(READY[path])
    page.wait_for_function(SETTLED)  # content the page fetches for itself has arrived ...
    page.wait_for_function("() => !document.querySelector('.loading')", timeout=60_000)  # ... all of it
    page.wait_for_function(SETTLED)
    page.wait_for_function(CHARTS_DRAWN)
    return page


def _overflow(page) -> dict:
    return page.evaluate("""() => ({
        doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        body: document.body.scrollWidth - document.body.clientWidth})""")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_clean_and_fits(live_server, open_page, name, size):
    watched = open_page(size)
    page = _load(watched, live_server + PAGES[name])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    assert watched.problems == []
    overflow = _overflow(page)
    assert overflow["doc"] <= 0 and overflow["body"] <= 0, overflow
    # The current page is marked in the navigation (test_pages checks that every link answers).
    assert page.locator("nav a[aria-current=page]").get_attribute("href") == PAGES[name]


def test_overview_numbers_equal_the_api(live_server, open_page, manager_api):
    api = manager_api(f"{live_server}/api/overview", timeout=30).json()
    page = _load(open_page(), live_server + "/")
    totals = api["totals"]
    assert _number(page.inner_text("#total-contacts")) == totals["contacts"]
    assert _number(page.inner_text("#total-cost")) == pytest.approx(totals["cost"], abs=0.5)
    assert _number(page.inner_text("#total-cost-per-contact")) == pytest.approx(
        totals["cost_per_contact"], abs=0.005)
    assert _number(page.inner_text("#total-csat")) == pytest.approx(totals["csat_pct"], abs=0.05)
    assert _number(page.inner_text("#total-abandon-rate")) == pytest.approx(
        totals["abandon_rate"], abs=0.05)
    assert "," in page.inner_text("#total-contacts")  # thousands separator
    for row in api["by_channel"]:
        cells = page.locator(f"#by-channel tr[data-channel='{row['code']}'] td").all_inner_texts()
        assert _number(cells[0]) == row["contacts"]
    # The chart draws the API's numbers.
    drawn = page.evaluate("() => document.getElementById('chart-by-channel').data[0].y")
    assert drawn == pytest.approx([r["cost"] for r in api["by_channel"]])
    # Monthly contacts of the sparkline add up to the total.
    spark = page.evaluate("() => document.getElementById('spark-contacts').data[0].y")
    assert sum(spark) == totals["contacts"]


def test_every_kpi_links_to_its_definition(live_server, open_page):
    watched = open_page()
    page = _load(watched, live_server + "/")
    links = page.locator(".tile a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(links) >= 10  # a label and a trend caption per tile
    page.locator(".tile[data-kpi=cost] a.label").click()
    page.wait_for_url("**/definitions#overview-cost")
    for href in links:
        anchor = href.split("#", 1)[1]
        assert page.locator(f"[id='{anchor}'] dd").inner_text().strip(), href
    assert watched.problems == []


def test_staffing_htmx_swaps_the_result_without_a_reload(live_server, open_page):
    watched = open_page()
    page = _load(watched, live_server + "/staffing")
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    first = page.locator("#staffing-result .result")
    phone_y = page.evaluate("() => document.getElementById('chart-arrivals').data[1].y")
    assert first.get_attribute("data-channel") == "phone"

    page.select_option("#channel", "chat")
    page.wait_for_selector("#staffing-result .result[data-channel=chat]")
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate("() => window.__sameDocument") == "yes"  # no page load happened
    chat_y = page.evaluate("() => document.getElementById('chart-arrivals').data[1].y")
    assert chat_y != phone_y
    assert "Live chat" in page.inner_text("#staffing-result h2")
    assert "channel=chat" in page.url  # the URL follows, so the view can be shared

    week = page.locator("#week option").nth(0).get_attribute("value")
    page.select_option("#week", week)
    page.wait_for_selector(f"#staffing-result .result[data-week='{week}']")
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate("() => window.__sameDocument") == "yes"
    assert page.input_value("#channel") == "chat"
    assert watched.problems == []


def test_staffing_error_is_shown_in_place(live_server, open_page):
    watched = open_page()
    watched.expected_status.add(422)
    page = _load(watched, live_server + "/staffing")
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    # The form's own bounds stop a bad target before any request ...
    page.fill("#target_sl", "150")
    assert page.evaluate("() => document.getElementById('target_sl').checkValidity()") is False
    # ... and a bad request that gets through is answered 422 and shown in place.
    page.evaluate("""() => htmx.ajax('GET', '/staffing?channel=phone&target_sl=150',
                                     {target: '#staffing-result'})""")
    page.wait_for_selector("#staffing-result .error")
    assert "target_sl" in page.inner_text("#staffing-result .error")
    assert page.evaluate("() => window.__sameDocument") == "yes"
    assert watched.problems == []


def test_balance_htmx_round_trip(live_server, open_page):
    watched = open_page()
    page = _load(watched, live_server + "/balance")
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    before = page.inner_text("#balance-net-value")
    frontier = page.evaluate("() => document.getElementById('chart-frontier').data[0].x.length")
    assert frontier >= 20
    page.fill("#budget", "1")  # a cap no policy can meet
    page.click("#balance-form button[type=submit]")
    watched.expected_status.add(422)
    page.wait_for_selector("#balance-result .error")
    assert "infeasible" in page.inner_text("#balance-result .error")
    page.fill("#budget", "")
    page.click("#balance-form button[type=submit]")
    page.wait_for_selector("#balance-net-value")
    page.wait_for_function(CHARTS_DRAWN)
    assert page.inner_text("#balance-net-value") == before
    # A binding CSAT floor for top-tier customers re-solves in place and moves the frontier.
    curve = page.evaluate("() => document.getElementById('chart-frontier').data[0]")
    page.fill("#top_floor", "73")
    page.click("#balance-form button[type=submit]")
    page.wait_for_selector("#balance-result .result[data-floor='73']")
    page.wait_for_function(CHARTS_DRAWN)
    floored = page.evaluate("() => document.getElementById('chart-frontier').data[0]")
    assert (floored["x"], floored["y"]) != (curve["x"], curve["y"])
    assert page.inner_text("#balance-net-value") != before
    assert "top_floor=73" in page.url
    assert page.evaluate("() => window.__sameDocument") == "yes"
    assert watched.problems == []


def test_every_navigation_page_is_covered_by_a_browser_test():
    from pathlib import Path

    from equipoise.interfaces.web.templating import NAV

    others = " ".join(p.read_text() for p in Path(__file__).parent.glob("test_*_browser.py"))
    for _, path in NAV:
        assert path in PAGES.values() or f'"{path}' in others, f"no browser test loads {path}"
