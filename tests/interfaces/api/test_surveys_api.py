"""Survey links over HTTP and the public survey page with no sign-in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from equipoise.db.engine import make_engine, session_scope
from equipoise.models import SurveyResponse
from tests.core.complaints.api_app import NOW, env  # noqa: F401


def _responses(url):
    engine = make_engine(url)
    with session_scope(engine) as s:
        rows = [(r.csat, r.nps, r.comment) for r in s.scalars(select(SurveyResponse))]
    engine.dispose()
    return rows


def test_link_then_public_page_accepts_one_answer(env):  # noqa: F811
    c, w = env.client, env.world
    body = {"case_id": w.case_id, "items": ["csat", "nps"], "recipient": "c@acme.test"}
    assert c.post("/api/surveys/links", json=body).status_code == 401
    assert c.post("/api/surveys/links", json=body, headers=env.h("stranger")).status_code == 404
    r = c.post("/api/surveys/links", json=body, headers=env.h("agent"))
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["outbox_message_id"] and link["url"].endswith(f"/survey/{link['token']}")
    path = f"/survey/{link['token']}"
    page = c.get(path)  # no credentials
    assert page.status_code == 200 and 'name="csat"' in page.text and 'name="ces"' not in page.text
    bad = c.post(path, data={"csat": "9", "nps": "3"})
    assert bad.status_code == 422 and "Please choose one of the answers." in bad.text
    assert _responses(env.url) == []
    ok = c.post(path, data={"csat": "5", "nps": "10", "comment": "Great"})
    assert ok.status_code == 200 and "Thank you" in ok.text
    assert _responses(env.url) == [(5, 10, "Great")]
    again = c.post(path, data={"csat": "1"})
    assert again.status_code == 409
    assert c.get(path).status_code == 409
    assert _responses(env.url) == [(5, 10, "Great")]
    assert c.get(path[:-3] + "xyz").status_code == 404
    params = {"start": NOW.isoformat(), "end": (NOW + dt.timedelta(days=1)).isoformat()}
    assert c.get("/api/surveys/rates", params=params, headers=env.h("agent")).status_code == 403
    rates = c.get("/api/surveys/rates", params=params, headers=env.h("lead")).json()
    assert (rates["overall"]["sent"], rates["overall"]["answered"], rates["overall"]["response_rate"]) == (1, 1, 1.0)
    links = c.get(f"/api/surveys/cases/{w.case_id}/links", headers=env.h("agent")).json()
    assert [x["id"] for x in links] == [link["id"]]


def test_expired_link_page(env):  # noqa: F811
    c, w = env.client, env.world
    link = c.post("/api/surveys/links", json={"case_id": w.case_id, "ttl_days": 1}, headers=env.h("agent")).json()
    env.clock[0] = NOW + dt.timedelta(days=2)
    path = f"/survey/{link['token']}"
    assert c.get(path).status_code == 410
    assert c.post(path, data={"csat": "4"}).status_code == 410
    r = c.post("/api/surveys/links", json={"case_id": 0, "ttl_days": 100, "items": ["mood"]}, headers=env.h("agent"))
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["detail"]} >= {"case_id", "ttl_days"}
