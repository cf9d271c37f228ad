"""The pages rendered by the app in process, on SQLite and PostgreSQL demo databases."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from equipoise.analytics.snapshot import snapshot
from equipoise.config import Settings
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.format import money, number, percent
from equipoise.interfaces.web.templating import NAV
from tests.web.conftest import sign_in


@pytest.fixture(scope="module")
def client(demo_url):
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as c:
        sign_in(c)
        yield c


def _figures(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="([\w-]+)-figure">(.*?)</script>', html,
                       flags=re.S)
    return {key: json.loads(body) for key, body in found}


def _tile(html: str, value_id: str) -> str:
    return re.search(rf'id="{value_id}">([^<]*)<', html).group(1)


def test_overview_tiles_show_the_snapshot(client):
    html = client.get("/").text
    con = client.app.state.ibis
    totals = snapshot(con).totals
    assert _tile(html, "total-contacts") == number(totals["contacts"])
    assert _tile(html, "total-cost") == money(totals["cost"], "USD", 0)
    assert _tile(html, "total-cost-per-contact") == money(totals["cost_per_contact"])
    assert _tile(html, "total-csat") == percent(totals["csat_pct"])
    assert _tile(html, "total-abandon-rate") == percent(totals["abandon_rate"])


def test_overview_charts_and_trends(client):
    html = client.get("/").text
    figs = _figures(html)
    assert {"chart-by-channel", "chart-by-tier", "spark-contacts", "spark-csat_pct"} <= set(figs)
    api = client.get("/api/overview").json()
    assert figs["chart-by-channel"]["data"][0]["y"] == [r["cost"] for r in api["by_channel"]]
    assert figs["chart-by-tier"]["data"][0]["y"] == [r.get("cost_per_customer")
                                                     for r in api["by_tier"]]
    # The registry's monthly contacts add up to the snapshot's total; three demo months.
    spark = figs["spark-contacts"]["data"][0]
    assert sum(spark["y"]) == api["totals"]["contacts"] and len(spark["x"]) == 3
    for fig in figs.values():
        assert fig["config"]["displaylogo"] is False


def test_every_definition_link_resolves(client):
    ids = set(re.findall(r'id="([\w-]+)"', client.get("/definitions").text))
    for path in ("/", "/staffing", "/balance?budget="):
        anchors = re.findall(r'href="/definitions#([\w-]+)"', client.get(path).text)
        assert anchors, path
        assert set(anchors) <= ids, set(anchors) - ids
    for _, path in NAV:  # every page's links into the definitions land on a definition
        anchors = re.findall(r'href="/definitions#([\w-]+)"', client.get(path).text)
        assert set(anchors) <= ids, (path, set(anchors) - ids)
    assert {"metric-csat", "overview-cost", "staffing-agents", "balance-net_cost"} <= ids


def test_navigation_lists_existing_pages_only_and_assets_are_local(client):
    for label, path in NAV:
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'href="{path}"' in page.text and label in page.text
        assert not re.search(r'<script[^>]+src="(https?:)?//', page.text)  # no CDN
    for asset in ("/assets/plotly.min.js", "/static/app.css", "/static/app.js"):
        assert client.get(asset).status_code == 200


def test_staffing_full_page_and_htmx_fragment(client):
    full = client.get("/staffing?channel=chat")
    assert full.status_code == 200 and "<html" in full.text and 'data-channel="chat"' in full.text
    frag = client.get("/staffing?channel=chat", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text
    assert 'hx-swap-oob="true"' in frag.text  # the week list follows the channel
    assert frag.headers["vary"] == "HX-Request"
    figs = _figures(frag.text)
    assert set(figs) == {"chart-arrivals", "chart-agents", "chart-quality"}
    assert figs["chart-agents"]["layout"]["yaxis"]["title"]["text"] == "Agents (count)"


@pytest.mark.parametrize("query, field", [
    ("channel=nope", "channel"),
    ("channel=phone&week=1999-W02", "week"),
    ("channel=phone&week=not-a-week", "week"),
    ("channel=phone&target_sl=150", "target_sl"),
    ("channel=phone&shrinkage=-5", "shrinkage"),
])
def test_staffing_errors_are_422_with_the_field_named(client, query, field):
    page = client.get(f"/staffing?{query}", headers={"HX-Request": "true"})
    assert page.status_code == 422
    assert re.search(rf'class="error"[^>]*>{field}:', page.text), page.text


def test_changing_channel_keeps_a_valid_week_or_falls_back(client):
    headers = {"HX-Request": "true", "HX-Trigger-Name": "channel"}
    page = client.get("/staffing?channel=phone&week=1999-W02", headers=headers)
    assert page.status_code == 200 and 'class="result"' in page.text


def test_balance_page_shows_the_planning_report(client):
    from equipoise.planning.balance import build_model, recommend_policy, report

    shell = client.get("/balance")  # sent at once; htmx fetches the result on load
    assert shell.status_code == 200 and 'hx-trigger="load"' in shell.text
    assert "balance-net-value" not in shell.text
    page = client.get("/balance", headers={"HX-Request": "true"})
    model = build_model(client.app.state.ibis)  # the app's connection, opened by the request above
    rep = report(model, recommend_policy(model))
    assert page.status_code == 200 and "<html" not in page.text
    assert _tile(page.text, "balance-net-value") == money(
        rep["recommended"]["net_value_vs_current"], "USD", 0) + " / yr"
    figs = _figures(page.text)
    front = [r for r in rep["frontier"] if r["point"] == "frontier"]
    assert figs["chart-frontier"]["data"][0]["x"] == pytest.approx([r["service_cost"] for r in front])
    assert page.text.count("<tr><td class=\"n\">") == min(20, len(rep["changes"]))


@pytest.mark.parametrize("query, field", [("budget=abc", "budget"), ("top_floor=101", "top_floor"),
                                          ("mid_floor=-1", "mid_floor"), ("low_floor=x", "low_floor")])
def test_balance_bad_input_is_422(client, query, field):
    page = client.get(f"/balance?{query}", headers={"HX-Request": "true"})
    assert page.status_code == 422 and f">{field}:" in page.text


def test_balance_page_takes_a_floor_per_tier_as_the_optimiser_does(client):
    from equipoise.planning.balance import build_model, recommend_policy, report

    shell = client.get("/balance").text
    for tier in ("top", "high", "mid", "low"):
        assert f'name="{tier}_floor"' in shell
    page = client.get("/balance", params={"top_floor": "72", "high_floor": "70", "mid_floor": "", "low_floor": "60"},
                      headers={"HX-Request": "true"})
    assert page.status_code == 200, page.text
    model = build_model(client.app.state.ibis, floors={"top": 0.72, "high": 0.70, "low": 0.60})
    rep = report(model, recommend_policy(model))
    assert _tile(page.text, "balance-net-value") == money(
        rep["recommended"]["net_value_vs_current"], "USD", 0) + " / yr"
    plain = client.get("/balance", headers={"HX-Request": "true"}).text
    assert _figures(page.text)["chart-frontier"] != _figures(plain)["chart-frontier"]


def test_describe_change_in_words():
    from equipoise.interfaces.web.balance import describe_change

    sl = {"kind": "service_level", "channel": "phone", "option_from": "today",
          "option_to": "90/30s"}
    assert describe_change(sl) == "phone: service level today → 90/30s"
    mix = {"kind": "mix", "tier": "high", "reason": "order_status", "channel": "ivr",
           "shifts": [{"channel": "phone", "from": 0.54, "to": -1e-9},
                      {"channel": "ivr", "from": 0.06, "to": 1.0},
                      {"channel": "self_service", "from": 0.40, "to": 0.0}]}
    assert describe_change(mix) == ("high customers, order status: ivr 6% → 100% "
                                    "(from phone 54% → 0%, self service 40% → 0%)")


def test_pages_of_an_empty_database_answer(sqlite_url):
    app = create_app(Settings(database_url=sqlite_url))
    with TestClient(app, raise_server_exceptions=False) as empty:
        sign_in(empty)
        for _, path in NAV:
            assert empty.get(path).status_code == 200, path
        page = empty.get("/balance", headers={"HX-Request": "true"})
        assert page.status_code == 422 and 'class="error"' in page.text
        assert 'id="total-contacts">0<' in empty.get("/").text
