"""Cost-to-serve page in process: heatmaps equal the metric API, diagnostics and their drill-downs."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient

from equipoise.analytics.facts import Facts
from equipoise.config import Settings
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.costs import month_choices, pick_period
from equipoise.interfaces.web.costs_drill import PAGE_SIZE, flagged_customers
from equipoise.kit.errors import InvalidInput
from tests.web.conftest import sign_in

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def client(demo_url):
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as c:
        sign_in(c)
        yield c


@pytest.fixture(scope="module")
def diagnostics(client):
    """The diagnostics of the whole data from the API, and the page's fragment."""
    return (client.get("/api/analytics/diagnostics").json(),
            client.get("/costs/diagnostics", headers=HX).text)


def _figures(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="([\w-]+)-figure">(.*?)</script>', html,
                       flags=re.S)
    return {key: json.loads(body) for key, body in found}


def test_month_choices_and_period_validation():
    months = [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    choices = month_choices(months, everything="All")
    assert [c.value for c in choices] == ["", "2026-01", "2025-12", "2025-11", "2026-Q1", "2025-Q4"]
    assert [c.value for c in month_choices(months, whole_quarters=True)] == [
        "2026-01", "2025-12", "2025-11"]
    assert pick_period("", choices) is None
    assert pick_period("2025-Q4", choices).start == dt.datetime(2025, 10, 1)
    with pytest.raises(InvalidInput, match="period: '2027-01' is not one of"):
        pick_period("2027-01", choices)


def test_heatmaps_equal_the_metric_api(client):
    html = client.get("/costs").text
    figs = _figures(html)
    heat = figs["chart-tier-channel"]
    assert heat["layout"]["title"]["text"] and heat["layout"]["xaxis"]["title"]["text"] == "Channel"
    assert heat["layout"]["yaxis"]["title"]["text"] == "Customer tier"
    api = client.get("/api/analytics/metrics/values",
                     params={"by": ["tier", "channel"], "metrics": "cost_per_contact"}).json()
    names = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', html))
    assert names["cost_per_contact"] == "Cost per contact"
    channels = {c["code"]: c["name"] for c in client.get("/api/overview").json()["by_channel"]}
    trace = heat["data"][0]
    for row in api["rows"]:
        if row["tier"] is None or row["channel"] is None:
            continue
        y = trace["y"].index(row["tier"].capitalize())
        x = trace["x"].index(channels[row["channel"]])
        assert trace["z"][y][x] == pytest.approx(row["cost_per_contact"])
    # Tiers run from the most valuable down.
    assert trace["y"][0] == "Top"


def test_summary_and_period_fragment(client):
    api = client.get("/api/analytics/metrics/values",
                     params={"period": "2026-01", "metrics": "contacts,total_cost"}).json()["rows"][0]
    frag = client.get("/costs", params={"period": "2026-01"}, headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text
    contacts = re.search(r'id="costs-contacts">([^<]+)<', frag.text).group(1)
    assert int(contacts.replace(",", "")) == api["contacts"]
    total = re.search(r'id="costs-total-cost">([^<]+)<', frag.text).group(1)
    assert float(re.sub(r"[^0-9.]", "", total)) == pytest.approx(api["total_cost"], abs=0.5)
    bad = client.get("/costs", params={"period": "1999-01"}, headers=HX)
    assert bad.status_code == 422 and "period" in bad.text
    assert client.get("/costs", params={"measure": "nope"}).status_code == 422


def test_diagnostics_fragment_shows_the_six_findings(diagnostics):
    api, html = diagnostics
    assert re.findall(r'<article class="diagnostic" id="diag-(\d)"', html) == list("123456")
    for finding in api:
        q = finding["question"]
        shown = re.search(rf'id="diag-{q}" data-question="{q}" data-items="(\d+)"', html).group(1)
        assert int(shown) == len(finding["items"])
    assert "Behind it" in html and 'hx-get="/costs/drill?' in html


def test_every_costs_definition_link_resolves(client, diagnostics):
    _, frag = diagnostics
    page = client.get("/costs").text
    ids = set(re.findall(r'id="([\w-]+)"', page))
    local = set(re.findall(r'href="#([\w-]+)"', frag + page))
    assert local and local <= ids, local - ids
    registry = set(re.findall(r'id="(metric-[\w-]+)"', client.get("/definitions").text))
    linked = set(re.findall(r'href="/definitions#(metric-[\w-]+)"', frag + page))
    assert linked and linked <= registry, linked - registry


def test_drill_down_lists_the_customers_behind_question_1(client, diagnostics):
    api, _ = diagnostics
    items = api[0]["items"]
    if not items:
        pytest.skip("no low-value customer above the threshold in this demo")
    item = items[0]
    r = client.get("/costs/drill", params={"q": 1, "tier": item["tier"], "channel": item["channel"]},
                   headers=HX)
    assert r.status_code == 200
    assert int(re.search(r'data-total="(\d+)"', r.text).group(1)) == item["customers"]
    shown = [int(x) for x in re.findall(r'data-customer="(\d+)"', r.text)]
    assert set(item["top_customers"]) <= set(shown)
    # The flagged set is the customers at or above twice their tier's median cost to serve.
    facts = Facts(client.app.state.ibis)
    assert set(shown) <= set(flagged_customers(facts, None, item["tier"]))


def test_drill_down_question_2_counts_the_customers_served(client, diagnostics):
    api, _ = diagnostics
    for item in api[1]["items"]:
        r = client.get("/costs/drill", params={"q": 2, "tier": item["tier"],
                                               "channel": item["channel"]}, headers=HX)
        assert int(re.search(r'data-total="(\d+)"', r.text).group(1)) == item["customers"]


def test_drill_down_pages_fifty_at_a_time(client):
    first = client.get("/costs/drill", params={"q": 3, "channel": "phone"}, headers=HX).text
    total = int(re.search(r'data-total="(\d+)"', first).group(1))
    assert total > PAGE_SIZE
    ids1 = re.findall(r'data-customer="(\d+)"', first)
    assert len(ids1) == PAGE_SIZE and "next 50" in first
    second = client.get("/costs/drill", params={"q": 3, "channel": "phone", "page": 2},
                        headers=HX).text
    ids2 = re.findall(r'data-customer="(\d+)"', second)
    assert ids2 and not set(ids1) & set(ids2)
    costs = [float(re.sub(r"[^0-9.]", "", c)) for c in re.findall(
        r'data-label="Cost in the slice"[^>]*>([^<]+)<', first)]
    assert costs == sorted(costs, reverse=True)
    cases = client.get("/costs/drill", params={"q": 4, "reason": "order_status",
                                               "channel": "phone", "show": "cases"}, headers=HX)
    assert cases.status_code == 200 and 'data-case="' in cases.text


def test_drill_down_question_5_lists_the_agents_above_the_median(client, diagnostics):
    api, _ = diagnostics
    for item in api[4]["items"]:
        r = client.get("/costs/drill", params={"q": 5, "channel": item["channel"],
                                               "show": "agents"}, headers=HX)
        assert int(re.search(r'data-total="(\d+)"', r.text).group(1)) == item["agents_above_median"]


def test_drill_down_question_5_lists_the_customers_and_cases_of_those_agents(client, diagnostics, demo_url):
    from sqlalchemy import create_engine, text

    api, _ = diagnostics
    items = api[4]["items"]
    assert items, "the demo has a staffed channel with agents above the median"
    engine = create_engine(demo_url)
    try:
        for item in items:
            base = {"q": 5, "channel": item["channel"]}
            agents_html = client.get("/costs/drill", params={**base, "show": "agents"}, headers=HX).text
            agents = re.findall(r'data-agent="([^"]+)"', agents_html)
            assert len(agents) == min(item["agents_above_median"], PAGE_SIZE)
            with engine.connect() as conn:  # the oracle: straight SQL over the contacts of those agents
                marks = ", ".join(f":a{i}" for i in range(len(agents)))
                where = (f"ch.code = :channel AND ag.code IN ({marks})" if agents else "1 = 0")
                sql = ("SELECT COUNT(DISTINCT c.customer_id), COUNT(DISTINCT c.case_id) FROM contacts c "
                       "JOIN channels ch ON ch.id = c.channel_id JOIN agents ag ON ag.id = c.agent_id "
                       f"WHERE {where}")
                customers, cases = conn.execute(text(sql), {"channel": item["channel"],
                                                           **{f"a{i}": a for i, a in enumerate(agents)}}).one()
            for show, expected in (("customers", customers), ("cases", cases)):
                r = client.get("/costs/drill", params={**base, "show": show}, headers=HX)
                assert r.status_code == 200, r.text
                assert int(re.search(r'data-total="(\d+)"', r.text).group(1)) == expected, (item, show)
                assert "served by the agents above the median AHT" in r.text
    finally:
        engine.dispose()


def test_drill_down_rejects_bad_requests(client):
    assert client.get("/costs/drill", params={"q": 1, "tier": "low"}).status_code == 422
    assert client.get("/costs/drill", params={"q": 5, "channel": "phone", "show": "tickets"}).status_code == 422
    assert client.get("/costs/drill", params={"q": 5, "show": "customers"}).status_code == 422
    assert client.get("/costs/drill", params={"q": 9}).status_code == 422
    r = client.get("/costs/drill", params={"q": 6, "reason": "how_to", "period": "x"})
    assert r.status_code == 422 and "period" in r.text
