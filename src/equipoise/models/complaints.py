"""Complaints: the complaint record beside a case — root cause, corrective action, recovery."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk

COMPLAINT_STATUSES = ("open", "investigating", "resolved", "closed")


class Complaint(Base):
    """One complaint per case; the case carries the flag, this row carries the handling."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("severity BETWEEN 1 AND 3", name="severity_range"),
        CheckConstraint("status IN ('open','investigating','resolved','closed')", name="status"),
    )

    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    #: 1 (minor) .. 3 (severe), mirrored on ``cases.complaint_severity``.
    severity: Mapped[int] = mapped_column(Integer)
    #: What the complaint is about: staff, delay, quality, billing, policy, other.
    category: Mapped[str] = mapped_column(String(32), default="other")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    root_cause: Mapped[str | None] = mapped_column(Text)
    corrective_action: Mapped[str | None] = mapped_column(Text)
    flagged_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    flagged_by_user_id: Mapped[int | None] = mapped_column(Integer)
    #: Where the re-survey after closure is sent.
    notify_email: Mapped[str | None] = mapped_column(String(320))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: When the customer is asked again how they feel (set when the complaint is closed).
    resurvey_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    resurvey_link_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("survey_links.id"))
    #: Whether the customer was won back: null until known.
    recovered: Mapped[bool | None] = mapped_column(Boolean)
    #: How recovery was decided: resurvey | manual | churn.
    recovery_basis: Mapped[str | None] = mapped_column(String(16))
    recovery_checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
