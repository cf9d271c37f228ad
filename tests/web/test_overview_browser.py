"""The Overview in Chromium over real HTTP: tiles against their targets (equal to the budgets and
scorecard APIs, with a met/missed word and a target line on the sparkline), and the scorecard with
its drill-down from the company to an agent's indicators and raw KPIs, in place."""

from __future__ import annotations

import pytest

from equipoise.analytics.scorecard import load_scorecard
from tests.web.conftest import SCREENSHOTS
from tests.web.test_costs_browser import CHARTS_DRAWN, SETTLED, fits, load, number

pytestmark = pytest.mark.browser

READY = "#scorecard-result .result"


def _targets(page) -> dict[str, dict]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.tile')].map(t => {
        const p = t.querySelector('.target');
        const v = p.querySelector('.target-value');
        const spark = t.querySelector('[data-chart]');
        const goal = spark && spark.data ? spark.data.find(d => d.name === 'Target') : null;
        return [t.dataset.kpi, {state: p.dataset.state, text: p.innerText,
                               href: p.querySelector('a').getAttribute('href'),
                               value: v ? v.innerText : null, line: goal ? goal.y : null,
                               months: spark && spark.data ? spark.data[0].x : null}];
    }))""")


def test_tiles_show_targets_equal_to_the_budget_and_scorecard(live_server, open_page, manager_api):
    watched = open_page()
    page = load(watched, live_server + "/", READY)
    tiles = _targets(page)
    overview = manager_api(f"{live_server}/api/overview", timeout=30).json()["totals"]

    csat_goal = next(i.bands.thresholds[0] for d in load_scorecard().dimensions for i in d.indicators
                     if i.metric == "csat" and not i.filters)
    csat = tiles["csat_pct"]
    assert number(csat["value"]) == pytest.approx(csat_goal)
    assert csat["state"] == ("met" if overview["csat_pct"] >= csat_goal else "missed")
    assert csat["line"] == [csat_goal] * len(csat["months"])

    budget, actual, target_total = [], 0.0, 0.0
    for month in tiles["cost"]["months"]:
        nodes = manager_api(f"{live_server}/api/analytics/budget", params={"period": month},
                            timeout=30).json()["nodes"]
        roots = [n for n in nodes if n["parent"] is None]
        fixed = sum(n["fixed_cost"] for n in nodes)
        budget.append(sum(n["target"] for n in roots) - fixed)
        actual += sum(n["actual"] for n in roots)
        target_total += sum(n["target"] for n in roots)
    cost = tiles["cost"]
    assert cost["line"] == pytest.approx(budget)
    assert number(cost["value"]) == pytest.approx(sum(budget), abs=0.5)
    # met exactly when the Budgets page shows the company within its target
    assert cost["state"] == ("met" if actual <= target_total else "missed")
    assert cost["state"] == ("met" if overview["cost"] <= sum(budget) else "missed")
    per_contact = tiles["cost_per_contact"]
    assert number(per_contact["value"]) == pytest.approx(sum(budget) / overview["contacts"], abs=0.005)
    assert per_contact["state"] == ("met" if overview["cost_per_contact"] <= sum(budget) / overview["contacts"]
                                    else "missed")
    for key in ("contacts", "abandon_rate"):
        assert tiles[key]["state"] == "none" and "No target" in tiles[key]["text"]
        assert tiles[key]["line"] is None
    # every state is said in words, not by colour alone, and every target links to its definition
    for key, tile in tiles.items():
        word = {"met": "met", "missed": "missed", "none": "No target"}[tile["state"]]
        assert word in tile["text"], key
        assert tile["href"].startswith("/definitions#overview-target-"), key
    page.goto(live_server + tiles["cost"]["href"])
    assert "fixed costs" in page.inner_text("#overview-target-cost dd")
    assert watched.problems == []


def test_overview_scorecard_drills_from_company_to_raw_kpi(live_server, open_page, manager_api):
    watched = open_page()
    page = load(watched, live_server + "/", READY)
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    api = manager_api(f"{live_server}/api/analytics/scorecard", timeout=60).json()[0]
    assert page.get_attribute("#scorecard-result .result", "data-entity") == "company"
    assert number(page.inner_text("#score-total")) == pytest.approx(api["total"], abs=0.005)

    kinds = []
    for _ in range(6):  # company -> (unit ->) ... -> team -> agent
        page.wait_for_selector("#scorecard-children a.drill-to", timeout=60_000)
        link = page.locator("#scorecard-children a.drill-to").first
        entity = link.get_attribute("data-entity")
        link.click()
        page.wait_for_selector(f"#scorecard-result .result[data-entity='{entity}']", timeout=60_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_function(CHARTS_DRAWN)
        kinds.append(entity.split(":", 1)[0])
        shown = manager_api(f"{live_server}/api/analytics/scorecard", params={"entity": entity},
                            timeout=60).json()[0]
        total = page.inner_text("#score-total").strip()
        assert (total == "–") if shown["total"] is None else number(total) == pytest.approx(shown["total"],
                                                                                          abs=0.005)
        assert page.input_value("#entity") == entity  # the period form follows the drill-down
        if kinds[-1] == "agent":
            break
    assert kinds[-1] == "agent" and "team" in kinds and ("unit" in kinds or kinds[0] == "team")
    assert page.evaluate("() => window.__sameDocument") == "yes"  # all in place, no page load
    assert page.url.rstrip("/") == live_server  # the Overview keeps its address

    # indicator -> raw KPI: every indicator row shows the raw value and links to the metric definition
    rows = page.locator("#scorecard-indicators tr[data-indicator]")
    assert rows.count() == sum(len(d.indicators) for d in load_scorecard().dimensions)
    crumbs = page.locator(".crumbs li").all_inner_texts()
    assert crumbs[0] == "Company" and len(crumbs) == len(kinds) + 1  # one crumb per level walked
    shoot_path = SCREENSHOTS / "overview-scorecard-agent-desktop.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shoot_path), full_page=True)
    raw = rows.first.locator("a.def")
    href = raw.get_attribute("href")
    assert href.startswith("/definitions#metric-")
    raw.click()
    page.wait_for_url(f"**{href}")
    assert page.inner_text(f"[id='{href.split('#', 1)[1]}'] dd").strip()
    page.go_back()
    page.wait_for_selector("#total-contacts")
    assert watched.problems == []


def test_overview_scorecard_period_and_crumbs_swap_in_place(live_server, open_page, manager_api):
    watched = open_page("phone")
    page = load(watched, live_server + "/", READY)
    page.evaluate("() => { window.__sameDocument = 'yes'; }")
    link = page.locator("#scorecard-children a.drill-to").first
    entity = link.get_attribute("data-entity")
    link.click()
    page.wait_for_selector(f"#scorecard-result .result[data-entity='{entity}']", timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    month = page.locator("#period option").nth(1).get_attribute("value")
    page.select_option("#period", month)
    page.wait_for_selector(f"#scorecard-result .result[data-period='{month}'][data-entity='{entity}']",
                           timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_function(CHARTS_DRAWN)
    monthly = manager_api(f"{live_server}/api/analytics/scorecard", params={"entity": entity, "period": month},
                          timeout=60).json()[0]
    shown = page.inner_text("#score-total").strip()
    assert (shown == "–") if monthly["total"] is None else number(shown) == pytest.approx(monthly["total"],
                                                                                        abs=0.005)
    page.locator(".crumbs a.drill-to").first.click()  # back up to the company, same month
    page.wait_for_selector(f"#scorecard-result .result[data-entity='company'][data-period='{month}']",
                           timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    assert page.evaluate("() => window.__sameDocument") == "yes"
    fits(page)
    assert watched.problems == []
