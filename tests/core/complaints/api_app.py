"""The real app with the engagement routers mounted, users of each role with API tokens, a fixed clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.api import deps
from equipoise.interfaces.api.routers import commitments, complaints, knowledge, outreach, surveys, webhooks
from equipoise.interfaces.web import public_survey
from tests.core.auth.factories import build_app, make_token, make_user
from tests.core.complaints.factories import build_world

NOW = dt.datetime(2026, 11, 2, 9, 0, 0)
SECRET = "api-test-secret-0123456789"


@dataclass
class Env:
    client: TestClient
    url: str
    world: object
    tokens: dict[str, str]
    clock: list[dt.datetime]

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def env(database_url, monkeypatch):
    monkeypatch.setenv("EQUIPOISE_SECRET_KEY", SECRET)
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        world = build_world(s)
        tokens = {
            "admin": make_token(s, make_user(s, "root@example.com", "admin")),
            "manager": make_token(s, make_user(s, "meg@example.com", "manager")),
            "lead": make_token(s, make_user(s, "lee@example.com", "lead", [world.team_id])),
            "agent": make_token(s, make_user(s, "ann@example.com", "agent", [world.team_id])),
            "stranger": make_token(s, make_user(s, "sam@example.com", "agent", [])),
        }
    engine.dispose()
    app = build_app(database_url)
    for module in (complaints, commitments, surveys, knowledge, outreach, webhooks):
        app.include_router(module.router, prefix="/api")
    app.include_router(public_survey.router)
    clock = [NOW]
    app.dependency_overrides[deps.now] = lambda: clock[0]
    with TestClient(app) as client:
        yield Env(client, database_url, world, tokens, clock)
