"""Cases (tickets): one customer need, followed from the first contact to resolution."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, Json, pk

PRIORITIES = ("low", "normal", "high", "urgent")
STATUS_CATEGORIES = ("open", "paused", "resolved")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("priority IN ('low','normal','high','urgent')", name="priority"),
        CheckConstraint("status_category IN ('open','paused','resolved')", name="status_category"),
    )

    id: Mapped[int] = pk()
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    reason_id: Mapped[int] = mapped_column(BigId, ForeignKey("contact_reasons.id"), index=True)
    #: The channel of the first contact.
    channel_id: Mapped[int] = mapped_column(BigId, ForeignKey("channels.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id"), index=True)
    assigned_agent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("agents.id"))
    sla_policy_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("sla_policies.id"))
    subject: Mapped[str] = mapped_column(String(300), default="")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    status: Mapped[str] = mapped_column(String(32), default="new")
    status_category: Mapped[str] = mapped_column(String(16), default="open")
    tags: Mapped[list[str]] = mapped_column(Json, default=list)
    is_complaint: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: 1 (minor) .. 3 (severe); null when not a complaint.
    complaint_severity: Mapped[int | None] = mapped_column(Integer)
    #: When the case became a complaint (the customer complained).
    complained_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    # SLA outcome, stored on the case when it is known.
    first_response_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    first_response_met: Mapped[bool | None] = mapped_column(Boolean)
    resolution_met: Mapped[bool | None] = mapped_column(Boolean)
    #: Optimistic-locking counter: every update increments it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(32), default="native")
