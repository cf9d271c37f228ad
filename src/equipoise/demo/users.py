"""Sign-in users for the demo company, one per role, with a published demo password.

They exist so that ``make run`` opens onto a dashboard someone can sign in to; a real deployment
creates its own users (``equipoise user create --admin``) and never builds the demo.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from equipoise.core.auth import service as auth_service
from equipoise.core.auth.schemas import UserCreate
from equipoise.models import Agent, OrgUnit

DEMO_PASSWORD = "equipoise-demo"
#: (e-mail, name, role, team code or None)
DEMO_USERS = (
    ("admin@demo.example", "Demo Admin", "admin", None),
    ("manager@demo.example", "Demo Service Director", "manager", None),
    ("lead@demo.example", "Demo Team Lead", "lead", "T-PREMIER"),
    ("agent@demo.example", "Demo Agent", "agent", "T-PREMIER"),
)


def create_demo_users(conn: Connection, now: dt.datetime) -> list[dict[str, str]]:
    """Create the demo users in the caller's transaction; returns their e-mails and roles."""
    session = Session(bind=conn)
    created = []
    for email, name, role, team_code in DEMO_USERS:
        teams: list[int] = []
        agent_id = None
        if team_code:
            team_id = session.execute(select(OrgUnit.id).where(OrgUnit.code == team_code)).scalar_one()
            teams = [team_id]
            if role == "agent":
                agent_id = session.execute(
                    select(Agent.id).where(Agent.team_id == team_id).order_by(Agent.id).limit(1)
                ).scalar_one_or_none()
        data = UserCreate(email=email, name=name, role=role, password=DEMO_PASSWORD, team_ids=teams,
                          agent_id=agent_id)
        auth_service.create_user(session, data, actor=None, now=now)
        created.append({"email": email, "role": role})
    session.flush()
    session.close()
    return created
