"""Customers, placed on the customer pyramid by value."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk

#: The customer pyramid, most valuable first.
TIERS = ("top", "high", "mid", "low", "inactive", "prospect")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("tier IN ('top','high','mid','low','inactive','prospect')", name="tier"),
    )

    id: Mapped[int] = pk()
    external_ref: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(16), index=True)
    #: small_business | large_account | consumer — drives the replacement-cost default.
    segment: Mapped[str] = mapped_column(String(32), default="small_business")
    #: Annual gross margin the customer brings, in the currency per year.
    annual_margin: Mapped[float] = mapped_column(Float, default=0.0)
    #: The branch that owns the relationship.
    branch_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id"), index=True)
    acquired_on: Mapped[dt.date | None] = mapped_column(Date)
    churned_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    #: Where service email (survey invitations) goes; optional, many customers are known by phone only.
    email: Mapped[str | None] = mapped_column(String(254))
