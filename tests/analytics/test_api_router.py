"""The read-only analytics router, mounted on a bare FastAPI app over the small company."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from equipoise.config import Settings
from equipoise.interfaces.api.routers.analytics import router
from tests.analytics.factories import small_company


@pytest.fixture
def client(sqlite_url):
    small_company(sqlite_url)
    app = FastAPI()
    app.state.settings = Settings(database_url=sqlite_url)
    app.include_router(router, prefix="/api")
    return TestClient(app)


def test_metric_registry_and_values(client):
    assert any(m["slug"] == "fcr" for m in client.get("/api/analytics/metrics").json())
    body = client.get("/api/analytics/metrics/values", params={
        "period": "2026-10", "by": ["tier"], "metrics": "csat,contacts"}).json()
    assert body["by"] == ["tier"]
    assert {r["tier"]: r["csat"] for r in body["rows"]} == {"low": 50.0, "mid": 0.0, "top": 100.0}


def test_scorecard_budget_diagnostics(client):
    (card,) = client.get("/api/analytics/scorecard", params={"entity": "company",
                                                             "period": "2026-10"}).json()
    assert 1 <= card["total"] <= 5
    budget = client.get("/api/analytics/budget", params={"period": "2026-10"}).json()
    assert budget["warnings"][0]["unit"] == "b1"
    findings = client.get("/api/analytics/diagnostics", params={"period": "2026-10"}).json()
    assert len(findings) == 6


def test_bad_input_is_a_422_naming_the_argument(client):
    r = client.get("/api/analytics/metrics/values", params={"period": "October"})
    assert r.status_code == 422 and "period" in r.json()["detail"]
    r = client.get("/api/analytics/scorecard", params={"entity": "planet:mars"})
    assert r.status_code == 422 and "entity" in r.json()["detail"]
