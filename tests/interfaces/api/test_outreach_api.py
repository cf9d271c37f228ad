"""Reminders and the outbox over HTTP, sent to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt

from tests.core.complaints.api_app import NOW, env  # noqa: F401
from tests.core.outreach.smtp_server import smtp_server


def test_reminder_to_smtp(env):  # noqa: F811
    c, w = env.client, env.world
    body = {
        "customer_id": w.customer_id,
        "kind": "maintenance",
        "recipient": "ops@acme.test",
        "subject": "Service due",
        "body": "Your yearly service is due.",
        "next_due_at": (NOW + dt.timedelta(hours=1)).isoformat(),
        "repeat_days": 365,
    }
    assert c.post("/api/outreach/reminders", json=body, headers=env.h("agent")).status_code == 403
    r = c.post("/api/outreach/reminders", json={**body, "recipient": "nope", "repeat_days": 0}, headers=env.h("lead"))
    assert r.status_code == 422 and {e["loc"][-1] for e in r.json()["detail"]} == {"recipient", "repeat_days"}
    r = c.post("/api/outreach/reminders", json=body, headers=env.h("lead"))
    assert r.status_code == 201, r.text
    with smtp_server() as (inbox, port):
        app = c.app
        app.state.settings = app.state.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        assert c.post("/api/outreach/run", headers=env.h("manager")).status_code == 403
        assert c.post("/api/outreach/run", headers=env.h("admin")).json() == {
            "queued": 0,
            "sent": 0,
            "retried": 0,
            "dead": 0,
        }
        env.clock[0] = NOW + dt.timedelta(hours=1)
        assert c.post("/api/outreach/run", headers=env.h("admin")).json() == {
            "queued": 1,
            "sent": 1,
            "retried": 0,
            "dead": 0,
        }
    assert [m["Subject"] for m in inbox.messages] == ["Service due"]
    assert c.get("/api/outreach/outbox/counts", headers=env.h("manager")).json() == {"pending": 0, "sent": 1, "dead": 0}
    reminders = c.get("/api/outreach/reminders", headers=env.h("lead")).json()
    assert reminders[0]["next_due_at"] == (NOW + dt.timedelta(days=365, hours=1)).isoformat()


def test_run_without_a_mail_server_is_a_clear_503(env):  # noqa: F811
    c = env.client
    c.app.state.settings = c.app.state.settings.model_copy(update={"smtp_host": None})
    r = c.post("/api/outreach/run", headers=env.h("admin"))
    assert r.status_code == 503 and "EQUIPOISE_SMTP_HOST" in r.json()["detail"]
    assert c.get("/api/outreach/outbox/counts", headers=env.h("manager")).json() == {"pending": 0, "sent": 0, "dead": 0}
