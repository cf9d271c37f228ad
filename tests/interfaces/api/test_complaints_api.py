"""Complaints and commitments over the real app: roles, team scope, 422 field messages, audit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from equipoise.db.engine import make_engine, session_scope
from equipoise.models import AuditEntry
from tests.core.complaints.api_app import NOW, env  # noqa: F401


def test_complaint_loop_over_http(env):  # noqa: F811
    c, w = env.client, env.world
    assert c.post("/api/complaints", json={"case_id": w.case_id, "severity": 2}).status_code == 401
    assert (
        c.post("/api/complaints", json={"case_id": w.case_id, "severity": 2}, headers=env.h("stranger")).status_code
        == 404
    )  # not the stranger's team
    r = c.post(
        "/api/complaints", json={"case_id": w.case_id, "severity": 5, "category": "rude"}, headers=env.h("agent")
    )
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} == {("body", "severity"), ("body", "category")}
    r = c.post(
        "/api/complaints",
        json={"case_id": w.case_id, "severity": 3, "notify_email": "ops@acme.test"},
        headers=env.h("agent"),
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert (
        c.post("/api/complaints", json={"case_id": w.case_id, "severity": 1}, headers=env.h("agent")).status_code == 409
    )
    r = c.post(f"/api/complaints/{cid}/status", json={"status": "resolved"}, headers=env.h("agent"))
    assert r.status_code == 422 and r.json()["field"] == "root_cause"
    r = c.patch(
        f"/api/complaints/{cid}",
        json={"root_cause": "Wrong part", "corrective_action": "Check stock"},
        headers=env.h("agent"),
    )
    assert r.status_code == 200
    assert (
        c.post(f"/api/complaints/{cid}/status", json={"status": "resolved"}, headers=env.h("agent")).status_code == 200
    )
    assert c.post(f"/api/complaints/{cid}/status", json={"status": "closed"}, headers=env.h("agent")).status_code == 403
    r = c.post(
        f"/api/complaints/{cid}/status", json={"status": "closed", "resurvey_after_days": 0}, headers=env.h("lead")
    )
    assert r.status_code == 200 and r.json()["resurvey_due_at"] == NOW.isoformat()
    assert c.post("/api/complaints/resurveys/send", headers=env.h("lead")).status_code == 403
    assert c.post("/api/complaints/resurveys/send", headers=env.h("manager")).json() == {"issued": 1}
    assert c.get(f"/api/complaints/{cid}", headers=env.h("stranger")).status_code == 404
    assert [x["id"] for x in c.get("/api/complaints", headers=env.h("agent")).json()] == [cid]
    assert c.get("/api/complaints", headers=env.h("stranger")).json() == []
    start, end = (NOW - dt.timedelta(days=1)).isoformat(), (NOW + dt.timedelta(days=1)).isoformat()
    assert (
        c.get("/api/complaints/summary", params={"start": start, "end": end}, headers=env.h("agent")).status_code == 403
    )
    s = c.get("/api/complaints/summary", params={"start": start, "end": end}, headers=env.h("lead")).json()
    assert (s["flagged"], s["resolved"], s["resurveys_sent"]) == (1, 1, 1)
    r = c.put(f"/api/complaints/{cid}/recovery", json={"recovered": True}, headers=env.h("lead"))
    assert r.json()["recovery_basis"] == "manual"
    engine = make_engine(env.url)
    with session_scope(engine) as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "complaint", AuditEntry.entity_id == str(cid))
            .order_by(AuditEntry.id)
        ).all()
    engine.dispose()
    assert actions == [
        "complaint.flag",
        "complaint.update",
        "complaint.resolved",
        "complaint.closed",
        "complaint.recovery",
    ]


def test_commitments_over_http(env):  # noqa: F811
    c, w = env.client, env.world
    body = {"case_id": w.case_id, "promise": "Call back", "due_at": (NOW + dt.timedelta(hours=2)).isoformat()}
    r = c.post("/api/commitments", json=body, headers=env.h("agent"))
    assert r.status_code == 201, r.text
    kid = r.json()["id"]
    assert c.post("/api/commitments", json=body, headers=env.h("stranger")).status_code == 403
    r = c.post("/api/commitments", json={"promise": "", "due_at": "soon"}, headers=env.h("agent"))
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["detail"]} == {"promise", "due_at"}
    assert c.get("/api/commitments/overdue", headers=env.h("agent")).json() == []
    env.clock[0] = NOW + dt.timedelta(hours=5)
    overdue = c.get("/api/commitments/overdue", headers=env.h("agent")).json()
    assert [(o["id"], o["hours_overdue"]) for o in overdue] == [(kid, 3.0)]
    assert c.get("/api/commitments/overdue", headers=env.h("stranger")).json() == []
    r = c.post(f"/api/commitments/{kid}/settle", json={"outcome": "broken"}, headers=env.h("agent"))
    assert r.json()["status"] == "broken"
    assert c.post(f"/api/commitments/{kid}/settle", json={"outcome": "kept"}, headers=env.h("agent")).status_code == 409
    params = {"start": NOW.isoformat(), "end": (NOW + dt.timedelta(days=1)).isoformat()}
    assert c.get("/api/commitments/stats", params=params, headers=env.h("agent")).status_code == 403
    assert c.get("/api/commitments/stats", params=params, headers=env.h("manager")).json()["broken"] == 1
