"""Target-cost budget lines: one target per org unit per month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk


class BudgetLine(Base):
    __tablename__ = "budget_lines"
    __table_args__ = (UniqueConstraint("org_unit_id", "period", name="uq_budget_lines_unit_period"),)

    id: Mapped[int] = pk()
    org_unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("org_units.id"), index=True)
    #: First day of the month the target applies to.
    period: Mapped[dt.date] = mapped_column(Date, index=True)
    #: Target cost for the unit in the period, in the currency.
    target_cost: Mapped[float] = mapped_column(Float)
