"""Knowledge base over HTTP: editors write, everyone searches, portal events feed deflection."""

from __future__ import annotations

import datetime as dt

from tests.core.complaints.api_app import NOW, env  # noqa: F401


def test_articles_search_votes_and_deflection(env):  # noqa: F811
    c, w = env.client, env.world
    art = {"title": "Request a refund", "body": "Refunds go back to the card in five days.", "status": "published"}
    assert c.post("/api/knowledge/articles", json=art, headers=env.h("agent")).status_code == 403
    r = c.post("/api/knowledge/articles", json={"title": "", "body": "x", "slug": "Bad"}, headers=env.h("lead"))
    assert r.status_code == 422 and {e["loc"][-1] for e in r.json()["detail"]} == {"title", "slug"}
    r = c.post("/api/knowledge/articles", json=art, headers=env.h("lead"))
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    r = c.patch(
        f"/api/knowledge/articles/{aid}",
        json={"body": "Refunds go back to the card in three days."},
        headers=env.h("lead"),
    )
    assert r.json()["current_version"] == 2 and "three" in r.json()["body"]
    assert len(c.get(f"/api/knowledge/articles/{aid}/versions", headers=env.h("agent")).json()) == 2
    hits = c.get(
        "/api/knowledge/search",
        params={"q": "refund card", "portal_customer_id": w.customer_id},
        headers=env.h("agent"),
    ).json()
    assert [h["article_id"] for h in hits] == [aid]
    assert c.get("/api/knowledge/search", params={"q": ""}, headers=env.h("agent")).status_code == 422
    assert (
        c.get("/api/knowledge/search", params={"q": "x", "include_drafts": True}, headers=env.h("agent")).status_code
        == 403
    )
    r = c.post(f"/api/knowledge/articles/{aid}/views", json={"customer_id": w.customer_id}, headers=env.h("agent"))
    assert r.json()["views"] == 1
    r = c.post(
        f"/api/knowledge/articles/{aid}/votes", json={"helpful": True, "voter_key": "s1"}, headers=env.h("agent")
    )
    assert r.json()["helpful_yes"] == 1
    sugg = c.get("/api/knowledge/suggestions", params={"case_id": w.case_id}, headers=env.h("agent"))
    assert sugg.status_code == 200
    env.clock[0] = NOW + dt.timedelta(days=2)
    assert c.post("/api/knowledge/deflections/evaluate", headers=env.h("lead")).status_code == 403
    assert c.post("/api/knowledge/deflections/evaluate", headers=env.h("admin")).json() == {"decided": 2}
    params = {"start": (NOW - dt.timedelta(days=1)).isoformat(), "end": (NOW + dt.timedelta(days=3)).isoformat()}
    report = c.get("/api/knowledge/deflections", params=params, headers=env.h("lead")).json()
    assert (report["events"], report["deflected"], report["deflection_rate"]) == (2, 2, 1.0)
