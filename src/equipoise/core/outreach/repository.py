"""Queries for reminders and outbox messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from equipoise.models.outreach import OutboxMessage, Reminder


def get_reminder(session: Session, reminder_id: int) -> Reminder | None:
    return session.get(Reminder, reminder_id)


def list_reminders(session: Session, *, active: bool | None, limit: int, offset: int) -> Sequence[Reminder]:
    stmt = select(Reminder).order_by(Reminder.next_due_at, Reminder.id).limit(limit).offset(offset)
    if active is not None:
        stmt = stmt.where(Reminder.active == active)
    return session.scalars(stmt).all()


def due_reminders(session: Session, now: dt.datetime, limit: int) -> Sequence[Reminder]:
    stmt = (
        select(Reminder)
        .where(Reminder.active.is_(True), Reminder.next_due_at <= now)
        .order_by(Reminder.next_due_at, Reminder.id)
        .limit(limit)
    )
    return session.scalars(_locked(session, stmt)).all()


def message_by_key(session: Session, key: str) -> OutboxMessage | None:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).first()


def ready_messages(session: Session, now: dt.datetime, limit: int) -> Sequence[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return session.scalars(_locked(session, stmt)).all()


def list_messages(session: Session, *, status: str | None, limit: int, offset: int) -> Sequence[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit).offset(offset)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    return session.scalars(stmt).all()


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: int(n) for status, n in rows}


def _locked(session: Session, stmt):  # noqa: ANN001, ANN202 - a Select in, the same Select out
    """Row locks that skip rows another worker holds (PostgreSQL); SQLite serialises writers itself."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt
