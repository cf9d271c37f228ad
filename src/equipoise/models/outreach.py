"""Reminders (scheduled proactive messages) and the outbox that delivers them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk

OUTBOX_STATUSES = ("pending", "sent", "dead")


class Reminder(Base):
    """A proactive message due at ``next_due_at``, optionally repeating every N days."""

    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint("repeat_days IS NULL OR repeat_days > 0", name="repeat_positive"),
        Index("ix_reminders_active_due", "active", "next_due_at"),
    )

    id: Mapped[int] = pk()
    customer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    #: maintenance | renewal | follow_up | other
    kind: Mapped[str] = mapped_column(String(32), default="other")
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    next_due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    repeat_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_enqueued_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OutboxMessage(Base):
    """An email waiting to be sent; ``dedupe_key`` makes re-running a scheduler harmless."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending','sent','dead')", name="status"),
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = pk()
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    reminder_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("reminders.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(16), default="email")
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
