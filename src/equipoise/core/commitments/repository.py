"""Queries for commitments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.models.cases import Case
from equipoise.models.commitments import Commitment


def list_commitments(
    session: Session,
    *,
    status: str | None,
    customer_id: int | None,
    case_id: int | None,
    owner_agent_id: int | None,
    team_ids: frozenset[int] | None,
    limit: int,
    offset: int,
) -> Sequence[Commitment]:
    stmt = select(Commitment).order_by(Commitment.due_at, Commitment.id)
    if status is not None:
        stmt = stmt.where(Commitment.status == status)
    if customer_id is not None:
        stmt = stmt.where(Commitment.customer_id == customer_id)
    if case_id is not None:
        stmt = stmt.where(Commitment.case_id == case_id)
    if owner_agent_id is not None:
        stmt = stmt.where(Commitment.owner_agent_id == owner_agent_id)
    if team_ids is not None:
        stmt = stmt.join(Case, Case.id == Commitment.case_id).where(Case.team_id.in_(team_ids))
    return session.scalars(stmt.limit(limit).offset(offset)).all()


def overdue(
    session: Session, now: dt.datetime, *, owner_agent_id: int | None, team_ids: frozenset[int] | None, limit: int
) -> Sequence[Commitment]:
    stmt = (
        select(Commitment)
        .where(Commitment.status == "open", Commitment.due_at < now)
        .order_by(Commitment.due_at, Commitment.id)
        .limit(limit)
    )
    if owner_agent_id is not None:
        stmt = stmt.where(Commitment.owner_agent_id == owner_agent_id)
    if team_ids is not None:
        stmt = stmt.join(Case, Case.id == Commitment.case_id).where(Case.team_id.in_(team_ids))
    return session.scalars(stmt).all()


def due_between(session: Session, start: dt.datetime, end: dt.datetime) -> Sequence[Commitment]:
    return session.scalars(select(Commitment).where(Commitment.due_at >= start, Commitment.due_at < end)).all()
