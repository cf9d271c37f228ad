"""Agent shifts: when an agent was scheduled on a channel (paid time, the base of occupancy)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk


class AgentShift(Base):
    __tablename__ = "agent_shifts"
    __table_args__ = (Index("ix_agent_shifts_channel_starts", "channel_id", "starts_at"),)

    id: Mapped[int] = pk()
    agent_id: Mapped[int] = mapped_column(BigId, ForeignKey("agents.id"), index=True)
    channel_id: Mapped[int] = mapped_column(BigId, ForeignKey("channels.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
