"""SLA policies and the business calendars their clocks run on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, Json, pk


class BusinessCalendar(Base):
    """Working hours per weekday (0 = Monday) as ``[[start_hour, end_hour], ...]`` plus holidays."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    working_hours: Mapped[dict[str, list[list[float]]]] = mapped_column(Json, default=dict)


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day", name="uq_holidays_calendar_day"),)

    id: Mapped[int] = pk()
    calendar_id: Mapped[int] = mapped_column(BigId, ForeignKey("business_calendars.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))


class SlaPolicy(Base):
    """Targets for a (channel, tier, priority) combination; a null field matches anything."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("channels.id"))
    tier: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(16))
    calendar_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("business_calendars.id"))
    #: Business seconds allowed until the first response, and until resolution.
    first_response_seconds: Mapped[float] = mapped_column(Float)
    resolution_seconds: Mapped[float] = mapped_column(Float)
    #: Case statuses in which the clock stops.
    pause_statuses: Mapped[list[str]] = mapped_column(Json, default=list)
