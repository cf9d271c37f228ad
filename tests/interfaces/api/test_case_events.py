"""Case changes over the cases API raise webhook events; resolution emails the satisfaction survey."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from equipoise.core.webhooks.schemas import EndpointCreate
from equipoise.core.webhooks.service import create_endpoint
from equipoise.db.engine import make_engine, session_scope
from equipoise.models import Customer, OutboxMessage
from equipoise.models.survey_links import SurveyLink
from equipoise.models.webhooks import WebhookDelivery, WebhookEvent
from tests.core.auth.factories import build_app, make_token, make_user, seed_org

HOOK_URL = "https://hooks.example.test/in"
NOW = dt.datetime(2026, 3, 2, 10, 0)
SECRET = "case-events-secret-0123456789"


@pytest.fixture
def api(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        s.get(Customer, org.top_customer).email = "buyer@big.example"
        create_endpoint(s, EndpointCreate(url=HOOK_URL, event_types=["case.*"]), now=NOW)
        lead = {"Authorization": f"Bearer {make_token(s, make_user(s, 'lee@example.com', 'lead', [org.team_a]))}"}
    app = build_app(database_url)
    app.state.settings = app.state.settings.model_copy(update={"secret_key": SecretStr(SECRET)})
    client = TestClient(app)
    yield client, org, lead, engine
    client.close()
    engine.dispose()


def _events(engine, case_id: int) -> list[str]:
    with session_scope(engine) as s:
        rows = s.scalars(select(WebhookEvent).order_by(WebhookEvent.id)).all()
        return [e.event_type for e in rows if e.payload["case"]["id"] == case_id]


def _open(client, org, headers, customer: int) -> dict:
    body = {"customer_id": customer, "reason_id": org.billing, "channel_id": org.email, "team_id": org.team_a,
            "subject": "Invoice wrong"}
    r = client.post("/api/cases", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_lifecycle_events_and_resolution_survey(api):
    client, org, h, engine = api
    case = _open(client, org, h, org.top_customer)
    cid = case["id"]
    assert _events(engine, cid) == ["case.created"]
    r = client.post(f"/api/cases/{cid}/assign", json={"version": 1, "agent_id": org.agent_a2}, headers=h)
    assert r.status_code == 200, r.text
    r = client.patch(f"/api/cases/{cid}", json={"version": 2, "status": "solved"}, headers=h)
    assert r.status_code == 200, r.text
    assert _events(engine, cid) == ["case.created", "case.assigned", "case.updated", "case.resolved"]
    with session_scope(engine) as s:
        links = s.scalars(select(SurveyLink).where(SurveyLink.case_id == cid)).all()
        assert [(link.kind, link.recipient) for link in links] == [("resolution", "buyer@big.example")]
        mail = s.scalars(select(OutboxMessage)).one()
        assert mail.recipient == "buyer@big.example" and "/survey/" in mail.body
        event = s.scalars(select(WebhookEvent).where(WebhookEvent.event_type == "case.resolved")).one()
        assert event.payload["case"]["status"] == "solved" and event.payload["case"]["version"] == 3
        assert s.scalar(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id)).status == "pending"
    r = client.patch(f"/api/cases/{cid}", json={"version": 3, "status": "closed"}, headers=h)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/cases/{cid}/reopen", json={"version": 4}, headers=h)
    assert r.status_code == 200, r.text
    assert _events(engine, cid)[-3:] == ["case.updated", "case.closed", "case.reopened"]
    with session_scope(engine) as s:  # closing an already resolved case sends no second survey
        assert len(s.scalars(select(SurveyLink)).all()) == 1


def test_merge_events(api):
    client, org, h, engine = api
    source, target = _open(client, org, h, org.low_customer), _open(client, org, h, org.low_customer)
    r = client.post(f"/api/cases/{source['id']}/merge", json={"version": 1, "into_case_id": target["id"]},
                    headers=h)
    assert r.status_code == 200, r.text
    assert _events(engine, source["id"]) == ["case.created", "case.merged"]
    assert _events(engine, target["id"]) == ["case.created", "case.updated"]


def test_no_address_no_survey(api):
    client, org, h, engine = api
    cid = _open(client, org, h, org.low_customer)["id"]
    r = client.patch(f"/api/cases/{cid}", json={"version": 1, "status": "solved"}, headers=h)
    assert r.status_code == 200, r.text
    assert _events(engine, cid) == ["case.created", "case.updated", "case.resolved"]
    with session_scope(engine) as s:
        assert s.scalars(select(SurveyLink)).all() == [] and s.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize("secret", [None, "too-short"])
def test_missing_secret_is_a_clear_error_and_nothing_is_kept(api, secret):
    client, org, h, engine = api
    cid = _open(client, org, h, org.top_customer)["id"]
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"secret_key": SecretStr(secret) if secret else None})
    r = client.patch(f"/api/cases/{cid}", json={"version": 1, "status": "solved"}, headers=h)
    assert r.status_code == 503 and "EQUIPOISE_SECRET_KEY" in r.json()["detail"]
    assert _events(engine, cid) == ["case.created"]
    assert client.get(f"/api/cases/{cid}", headers=h).json()["status"] == "new"
