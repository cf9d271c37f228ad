"""Contacts (interactions): every touch on every channel, with its timestamps and its cost."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk

#: resolved: need met in this contact; unresolved: customer must come back; contained: an
#: automated channel met the need; escalated: passed to another channel; transferred: passed to
#: another agent/team in the same channel; abandoned: the customer left the queue.
OUTCOMES = ("resolved", "unresolved", "contained", "escalated", "transferred", "abandoned")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("handle_seconds >= 0", name="handle_nonneg"),
        CheckConstraint(
            "outcome IN ('resolved','unresolved','contained','escalated','transferred','abandoned')",
            name="outcome",
        ),
        Index("ix_contacts_channel_arrived", "channel_id", "arrived_at"),
    )

    id: Mapped[int] = pk()
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cases.id"), index=True)
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    channel_id: Mapped[int] = mapped_column(BigId, ForeignKey("channels.id"))
    reason_id: Mapped[int] = mapped_column(BigId, ForeignKey("contact_reasons.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("agents.id"), index=True)
    #: The team that handled the contact (the agent's team), for cost roll-up.
    team_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id"), index=True)
    #: inbound (customer-initiated) or outbound (company-initiated).
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    #: The contact this one follows from: an escalation, a retry after abandoning, or a repeat.
    previous_contact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("contacts.id"))
    #: first | repeat | retry | escalation | transfer
    kind: Mapped[str] = mapped_column(String(16), default="first")
    arrived_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    #: When the contact entered an agent queue (null for automated channels).
    queued_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: When an agent (or the automated channel) started serving it; null if abandoned.
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Seconds waited in queue before answer or abandonment.
    wait_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    #: Seconds of agent (or automated) handling, including wrap-up.
    handle_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(16))
    #: Computed cost of the contact in the currency (see Channel for the formula).
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(32), default="native")
