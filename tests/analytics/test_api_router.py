"""The read-only analytics router, mounted on a bare FastAPI app over the small company."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from equipoise.config import Settings
from equipoise.core.auth.schemas import Principal
from equipoise.interfaces.api.auth import current_principal
from equipoise.interfaces.api.routers.analytics import router
from tests.analytics.factories import small_company


def _app(url: str, role: str | None) -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(database_url=url)
    app.include_router(router, prefix="/api")
    if role is not None:
        app.dependency_overrides[current_principal] = lambda: Principal(user_id=1, role=role, via="token")
    return app


@pytest.fixture
def client(sqlite_url):
    small_company(sqlite_url)
    return TestClient(_app(sqlite_url, "manager"))


def test_analytics_needs_a_principal_and_costs_need_a_manager(sqlite_url):
    small_company(sqlite_url)
    anonymous = TestClient(_app(sqlite_url, None))
    assert anonymous.get("/api/analytics/metrics").status_code == 401
    for role in ("agent", "lead"):
        staff = TestClient(_app(sqlite_url, role))
        assert staff.get("/api/analytics/metrics").status_code == 200
        assert staff.get("/api/analytics/scorecard", params={"entity": "company"}).status_code == 200
        for path in ("/api/analytics/metrics/values", "/api/analytics/budget", "/api/analytics/diagnostics"):
            assert staff.get(path, params={"period": "2026-10"}).status_code == 403, (role, path)


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
