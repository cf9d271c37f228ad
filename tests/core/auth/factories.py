"""Small factories for the helpdesk core tests: an organisation, users with roles, tokens, the app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.orm import Session

from equipoise.config import Settings
from equipoise.core.auth import service as auth_service
from equipoise.core.auth.schemas import Principal, TokenCreate, UserCreate
from equipoise.models import (
    Agent,
    BusinessCalendar,
    Channel,
    ContactReason,
    Customer,
    Holiday,
    OrgUnit,
    SlaPolicy,
)

NOW = dt.datetime(2026, 3, 2, 10, 0)  # a Monday
PASSWORD = "correct horse battery staple"
WEEKDAYS_9_TO_17 = {str(d): [[9.0, 17.0]] for d in range(5)}


@dataclass
class Org:
    team_a: int
    team_b: int
    phone: int
    email: int
    billing: int
    tech: int
    top_customer: int
    low_customer: int
    agent_a1: int
    agent_a2: int
    agent_b1: int
    calendar: int


def seed_org(session: Session) -> Org:
    """Two teams with agents, two channels, two reasons, a top and a low customer, a 9-17 calendar."""
    hq = OrgUnit(code="hq", name="HQ", kind="hq")
    session.add(hq)
    session.flush()
    team_a = OrgUnit(code="team-a", name="Team A", kind="team", parent_id=hq.id)
    team_b = OrgUnit(code="team-b", name="Team B", kind="team", parent_id=hq.id)
    phone = Channel(code="phone", name="Phone", opening_hours={})
    email = Channel(code="email", name="E-mail", opening_hours={})
    billing = ContactReason(code="billing", name="Billing", category="account")
    tech = ContactReason(code="tech", name="Technical", category="product")
    cal = BusinessCalendar(code="uk", name="UK office", timezone="Europe/London", working_hours=WEEKDAYS_9_TO_17)
    session.add_all([team_a, team_b, phone, email, billing, tech, cal])
    session.flush()
    session.add(Holiday(calendar_id=cal.id, day=dt.date(2026, 4, 3), name="Good Friday"))
    top = Customer(external_ref="c-top", name="Big Account", tier="top")
    low = Customer(external_ref="c-low", name="Small Shop", tier="low")
    a1 = Agent(code="a1", name="Ann", team_id=team_a.id, hourly_cost=30.0, skills=["billing", "tier:top"])
    a2 = Agent(code="a2", name="Bob", team_id=team_a.id, hourly_cost=25.0, skills=["billing", "tech"])
    b1 = Agent(code="b1", name="Cat", team_id=team_b.id, hourly_cost=28.0, skills=["tech", "email"])
    session.add_all([top, low, a1, a2, b1])
    session.flush()
    session.add_all(
        [
            SlaPolicy(
                name="default",
                first_response_seconds=8 * 3600,
                resolution_seconds=40 * 3600,
                calendar_id=cal.id,
                pause_statuses=[],
            ),
            SlaPolicy(
                name="top urgent",
                tier="top",
                priority="urgent",
                first_response_seconds=3600,
                resolution_seconds=4 * 3600,
                calendar_id=cal.id,
                pause_statuses=["pending_customer"],
            ),
            SlaPolicy(
                name="phone",
                channel_id=phone.id,
                first_response_seconds=2 * 3600,
                resolution_seconds=16 * 3600,
                calendar_id=cal.id,
                pause_statuses=[],
            ),
        ]
    )
    session.flush()
    return Org(
        team_a.id, team_b.id, phone.id, email.id, billing.id, tech.id, top.id, low.id, a1.id, a2.id, b1.id, cal.id
    )


def make_user(
    session: Session,
    email: str,
    role: str,
    teams: list[int] | None = None,
    password: str | None = PASSWORD,
    agent_id: int | None = None,
) -> Principal:
    """A user with ``role`` in ``teams``; returns its principal (as if signed in with a token)."""
    user = auth_service.create_user(
        session,
        UserCreate(
            email=email, name=email.split("@")[0], role=role, password=password, team_ids=teams or [], agent_id=agent_id
        ),
        actor=None,
        now=NOW,
    )
    return Principal(user_id=user.id, role=user.role, team_ids=frozenset(teams or []), via="token")


def make_token(session: Session, principal: Principal, name: str = "test") -> str:
    """An API token for ``principal``."""
    _row, secret = auth_service.create_token(session, TokenCreate(name=name), actor=principal, now=NOW)
    return secret


def build_app(url: str) -> FastAPI:
    """The real app on ``url`` with the helpdesk-core routers mounted under /api (once)."""
    from equipoise.interfaces.api.routers import auth, cases, users
    from equipoise.interfaces.app import create_app

    app = create_app(Settings(database_url=url))
    for module in (auth, users, cases):
        paths = {getattr(r, "path", "") for r in app.routes}
        if not {"/api" + r.path for r in module.router.routes} & paths:
            app.include_router(module.router, prefix="/api")
    return app
