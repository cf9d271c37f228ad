"""Quality-assurance reviews: a reviewer scores an agent's handling of a contact or case, 0-100."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk


class QaReview(Base):
    __tablename__ = "qa_reviews"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        CheckConstraint("contact_id IS NOT NULL OR case_id IS NOT NULL", name="reviews_something"),
        Index("ix_qa_reviews_agent_reviewed", "agent_id", "reviewed_at"),
    )

    id: Mapped[int] = pk()
    #: The contact reviewed (a call, chat or email thread); may be empty when a whole case is.
    contact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("contacts.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cases.id"), index=True)
    #: The agent whose work was reviewed.
    agent_id: Mapped[int] = mapped_column(BigId, ForeignKey("agents.id"))
    #: Who reviewed it (a QA analyst's or team lead's name or login).
    reviewer: Mapped[str] = mapped_column(String(120))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    #: Points on the QA form, 0 (fails every item) .. 100 (meets every item).
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
