"""Queries for complaints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.models.cases import Case
from equipoise.models.complaints import Complaint
from equipoise.models.customers import Customer
from equipoise.models.survey_links import SurveyLinkAnswer


def by_case(session: Session, case_id: int) -> Complaint | None:
    return session.scalars(select(Complaint).where(Complaint.case_id == case_id)).first()


def list_complaints(
    session: Session,
    *,
    status: str | None,
    severity: int | None,
    customer_id: int | None,
    team_ids: frozenset[int] | None,
    limit: int,
    offset: int,
) -> Sequence[Complaint]:
    stmt = select(Complaint).order_by(Complaint.flagged_at.desc(), Complaint.id.desc())
    if team_ids is not None:
        stmt = stmt.join(Case, Case.id == Complaint.case_id).where(Case.team_id.in_(team_ids))
    if status is not None:
        stmt = stmt.where(Complaint.status == status)
    if severity is not None:
        stmt = stmt.where(Complaint.severity == severity)
    if customer_id is not None:
        stmt = stmt.where(Complaint.customer_id == customer_id)
    return session.scalars(stmt.limit(limit).offset(offset)).all()


def due_resurveys(session: Session, now: dt.datetime, limit: int) -> Sequence[Complaint]:
    stmt = (
        select(Complaint)
        .where(Complaint.status == "closed", Complaint.resurvey_link_id.is_(None), Complaint.resurvey_due_at <= now)
        .order_by(Complaint.resurvey_due_at, Complaint.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def unknown_recovery_with_churn(session: Session) -> Sequence[tuple[Complaint, Customer]]:
    stmt = (
        select(Complaint, Customer)
        .join(Customer, Customer.id == Complaint.customer_id)
        .where(Complaint.recovered.is_(None), Customer.churned_on.isnot(None))
    )
    return [tuple(row) for row in session.execute(stmt).all()]  # type: ignore[misc]


def flagged_between(session: Session, start: dt.datetime, end: dt.datetime) -> Sequence[tuple[Complaint, bool]]:
    """Complaints flagged in [start, end), each with whether its re-survey was answered."""
    stmt = (
        select(Complaint, SurveyLinkAnswer.id.isnot(None))
        .outerjoin(SurveyLinkAnswer, SurveyLinkAnswer.link_id == Complaint.resurvey_link_id)
        .where(Complaint.flagged_at >= start, Complaint.flagged_at < end)
        .order_by(Complaint.id)
    )
    return [(c, bool(answered)) for c, answered in session.execute(stmt).all()]
