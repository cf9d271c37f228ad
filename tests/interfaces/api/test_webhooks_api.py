"""Webhooks over HTTP (admins only), delivered to a real receiver on 127.0.0.1."""

from __future__ import annotations

from tests.core.complaints.api_app import env  # noqa: F401
from tests.core.webhooks.receiver import http_receiver


def test_endpoint_complaint_event_delivery(env):  # noqa: F811
    c, w = env.client, env.world
    with http_receiver() as rx:
        body = {"url": rx.url, "event_types": ["case.*"]}
        assert c.post("/api/webhooks/endpoints", json=body, headers=env.h("manager")).status_code == 403
        r = c.post("/api/webhooks/endpoints", json={"url": "ftp://x"}, headers=env.h("admin"))
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "url"
        r = c.post("/api/webhooks/endpoints", json=body, headers=env.h("admin"))
        assert r.status_code == 201 and len(r.json()["secret"]) >= 32
        assert "secret" not in c.get("/api/webhooks/endpoints", headers=env.h("admin")).json()[0]
        c.post("/api/complaints", json={"case_id": w.case_id, "severity": 1}, headers=env.h("agent"))
        assert c.post("/api/webhooks/run", headers=env.h("admin")).json() == {"delivered": 1, "retried": 0, "dead": 0}
    assert rx.requests[0].headers["X-Equipoise-Event"] == "case.complaint_flagged"
    [delivery] = c.get("/api/webhooks/deliveries", headers=env.h("admin")).json()
    attempts = c.get(f"/api/webhooks/deliveries/{delivery['id']}/attempts", headers=env.h("admin")).json()
    assert [a["status_code"] for a in attempts] == [200]
