"""Survey responses: CSAT, NPS, CES and the expectation/perception items."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk


class SurveyResponse(Base):
    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="csat_range"),
        CheckConstraint("nps IS NULL OR (nps BETWEEN 0 AND 10)", name="nps_range"),
        CheckConstraint("ces IS NULL OR (ces BETWEEN 1 AND 7)", name="ces_range"),
        CheckConstraint("expectation IS NULL OR (expectation BETWEEN 1 AND 5)", name="exp_range"),
        CheckConstraint("perception IS NULL OR (perception BETWEEN 1 AND 5)", name="perc_range"),
    )

    id: Mapped[int] = pk()
    contact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("contacts.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cases.id"), index=True)
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)
    responded_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    #: Customer satisfaction, 1 (very dissatisfied) .. 5 (very satisfied).
    csat: Mapped[int | None] = mapped_column(Integer)
    #: Likelihood to recommend, 0..10.
    nps: Mapped[int | None] = mapped_column(Integer)
    #: Customer effort, 1 (very easy) .. 7 (very difficult).
    ces: Mapped[int | None] = mapped_column(Integer)
    #: What the customer expected, 1..5, and what they felt they received, 1..5.
    expectation: Mapped[int | None] = mapped_column(Integer)
    perception: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), default="native")
