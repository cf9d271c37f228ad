"""Commitments: what was promised to a customer, by whom, by when, and whether it was kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk

COMMITMENT_STATUSES = ("open", "kept", "broken", "cancelled")


class Commitment(Base):
    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("status IN ('open','kept','broken','cancelled')", name="status"),
        Index("ix_commitments_status_due", "status", "due_at"),
    )

    id: Mapped[int] = pk()
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cases.id"), index=True)
    #: The promise in the customer's terms ("call back with the repair date").
    promise: Mapped[str] = mapped_column(Text)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    owner_agent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("agents.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: When it was marked kept, broken or cancelled.
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
