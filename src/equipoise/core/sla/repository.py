"""Queries for the SLA engine: policies, calendars with their holidays, a case's status history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.models.case_extras import CaseStatusChange
from equipoise.models.sla import BusinessCalendar, Holiday, SlaPolicy


def policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.id)))


def get_policy(session: Session, policy_id: int) -> SlaPolicy | None:
    return session.get(SlaPolicy, policy_id)


def calendar_with_holidays(session: Session, calendar_id: int) -> tuple[BusinessCalendar, list[dt.date]] | None:
    cal = session.get(BusinessCalendar, calendar_id)
    if cal is None:
        return None
    days = list(session.scalars(select(Holiday.day).where(Holiday.calendar_id == calendar_id)))
    return cal, days


def status_history(session: Session, case_id: int) -> list[tuple[dt.datetime, str]]:
    rows = session.execute(select(CaseStatusChange.at, CaseStatusChange.to_status)
                           .where(CaseStatusChange.case_id == case_id)
                           .order_by(CaseStatusChange.at, CaseStatusChange.id))
    return [(at, status) for at, status in rows]
