"""Small builders for the helpdesk engagement tests (shared by complaints, commitments, surveys,
knowledge, outreach and webhooks): a real database session and a minimal company."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from equipoise.db.engine import make_engine
from equipoise.models import Agent, Case, Channel, ContactReason, Customer, OrgUnit

NOW = dt.datetime(2026, 11, 2, 9, 0, 0)
SECRET = b"test-secret-key-with-enough-bytes"


@dataclass(frozen=True)
class World:
    team_id: int
    agent_id: int
    channel_id: int
    reason_id: int
    customer_id: int
    other_customer_id: int
    case_id: int


def add_case(
    session: Session,
    world: World,
    *,
    customer_id: int | None = None,
    opened_at: dt.datetime = NOW,
    resolved: bool = True,
    subject: str = "Boiler broken",
) -> Case:
    """Add a case for ``customer_id`` (default: the world's customer), resolved one hour after opening."""
    case = Case(
        customer_id=customer_id or world.customer_id,
        reason_id=world.reason_id,
        channel_id=world.channel_id,
        team_id=world.team_id,
        subject=subject,
        opened_at=opened_at,
        status="resolved" if resolved else "open",
        status_category="resolved" if resolved else "open",
        resolved_at=opened_at + dt.timedelta(hours=1) if resolved else None,
    )
    session.add(case)
    session.flush()
    return case


def build_world(session: Session) -> World:
    team = OrgUnit(code="team-a", name="Team A", kind="team")
    channel = Channel(
        code="phone",
        name="Phone",
        staffed=True,
        concurrency=1.0,
        tech_cost_per_contact=0.5,
        fixed_cost_monthly=0.0,
        service_level_seconds=30.0,
        opening_hours={},
    )
    reason = ContactReason(code="repair", name="Repair request", category="service", complexity="standard")
    session.add_all([team, channel, reason])
    session.flush()
    agent = Agent(code="a1", name="Ada", team_id=team.id, hourly_cost=30.0, skills=[])
    customer = Customer(external_ref="C1", name="Acme", tier="top", annual_margin=5000.0)
    other = Customer(external_ref="C2", name="Bolt", tier="low", annual_margin=100.0)
    session.add_all([agent, customer, other])
    session.flush()
    world = World(team.id, agent.id, channel.id, reason.id, customer.id, other.id, 0)
    case = add_case(session, world)
    return World(team.id, agent.id, channel.id, reason.id, customer.id, other.id, case.id)


@pytest.fixture
def db(database_url) -> Iterator[Session]:
    """A session on a fresh migrated database (SQLite and PostgreSQL); closed after the test."""
    engine = make_engine(database_url)
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


@pytest.fixture
def world(db) -> World:
    """A committed minimal company: one team, agent, channel, reason, two customers, a resolved case."""
    w = build_world(db)
    db.commit()
    return w
