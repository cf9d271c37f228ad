"""Scorecard page in process: scores equal the scorecard API at every level of the drill-down."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from equipoise.config import Settings
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.scorecard import score_colour
from tests.web.conftest import sign_in

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def client(demo_url):
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as c:
        sign_in(c)
        yield c


def _score(html: str, attr: str) -> float | None:
    text = re.search(rf'{attr}[^>]*>(?:<span class="score"><span [^>]*></span>)?([^<]+)<', html).group(1)
    return None if text.strip() == "–" else float(text)


def _check(html: str, api: dict) -> None:
    assert _score(html, 'id="score-total"') == pytest.approx(api["total"], abs=0.005)
    for d in api["dimensions"]:
        shown = _score(html, f'<dd data-dimension="{d["key"]}"')
        assert shown == (None if d["score"] is None else pytest.approx(d["score"], abs=0.005))
        for i in d["indicators"]:
            row = re.search(rf'<tr data-indicator="{i["key"]}">.*?</tr>', html, flags=re.S).group(0)
            assert f'/definitions#metric-{i["metric"]}' in row
            score = _score(row, 'data-field="score"')
            assert score == i["score"]


def test_company_unit_team_agent_equal_the_api(client):
    html = client.get("/scorecard").text
    _check(html, client.get("/api/analytics/scorecard").json()[0])
    kids = client.get("/scorecard/children", params={"entity": "company"}, headers=HX).text
    units = re.findall(r'<tr data-entity="(unit:[\w-]+)"', kids)
    assert units
    unit = units[0]
    frag = client.get("/scorecard", params={"entity": unit, "period": "2026-01"}, headers=HX).text
    assert "<html" not in frag and 'hx-swap-oob="true"' in frag
    _check(frag, client.get("/api/analytics/scorecard",
                            params={"entity": unit, "period": "2026-01"}).json()[0])
    # Walk down to a team, then to one of its agents; the path is shown at each level.
    entity = unit
    while not entity.startswith("team:"):
        kids = client.get("/scorecard/children", params={"entity": entity}, headers=HX).text
        entity = re.findall(r'<tr data-entity="((?:unit|team):[\w-]+)"', kids)[0]
    team_page = client.get("/scorecard", params={"entity": entity}).text
    _check(team_page, client.get("/api/analytics/scorecard", params={"entity": entity}).json()[0])
    agents = client.get("/scorecard/children", params={"entity": entity}, headers=HX).text
    agent = re.findall(r'<tr data-entity="(agent:[\w-]+)"', agents)[0]
    api_all = {r["entity"]: r for r in client.get("/api/analytics/scorecard",
                                                  params={"entity": "agent"}).json()}
    row = re.search(rf'<tr data-entity="{agent}">.*?</tr>', agents, flags=re.S).group(0)
    assert _score(row, 'data-field="total"') == pytest.approx(api_all[agent]["total"], abs=0.005)
    agent_page = client.get("/scorecard", params={"entity": agent}).text
    _check(agent_page, api_all[agent])
    crumbs = re.findall(r'class="drill-to" data-entity="([^"]+)"', agent_page.split("</ol>")[0])
    assert crumbs[0] == "company" and entity in crumbs


def test_bad_entity_and_period_are_422(client):
    assert client.get("/scorecard", params={"entity": "team:NOPE"}).status_code == 422
    assert client.get("/scorecard", params={"entity": "channel:phone"}).status_code == 422
    assert client.get("/scorecard", params={"period": "1990-01"}).status_code == 422
    assert client.get("/scorecard/children", params={"entity": "bogus"}).status_code == 422


def test_score_colour_runs_red_to_green():
    assert score_colour(3.0) == "#ffffff" and score_colour(None) == "transparent"
    red, green = score_colour(1.0), score_colour(5.0)
    assert int(red[1:3], 16) > int(red[3:5], 16) and int(green[3:5], 16) > int(green[1:3], 16)
