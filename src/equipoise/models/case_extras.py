"""What a case carries besides its own row: internal notes, its status history and merges."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk
from equipoise.models.cases import Case


class CaseNote(Base):
    """An internal note: visible to staff only, never sent to the customer."""

    __tablename__ = "case_notes"

    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CaseStatusChange(Base):
    """One status transition; the SLA clock reads its pauses from this history."""

    __tablename__ = "case_status_changes"

    id: Mapped[int] = pk()
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    to_category: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))


class CaseMerge(Base):
    """A duplicate case folded into another one; the source stays, closed with status ``merged``."""

    __tablename__ = "case_merges"

    id: Mapped[int] = pk()
    source_case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    target_case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))


#: Routing counts each candidate agent's open cases on every new case: keep that an index lookup.
Index("ix_cases_agent_status", Case.assigned_agent_id, Case.status_category)
#: Team-scoped case lists, newest first, with or without a status-category filter.
Index("ix_cases_team_id_id", Case.team_id, Case.id)
Index("ix_cases_team_category_id", Case.team_id, Case.status_category, Case.id)
