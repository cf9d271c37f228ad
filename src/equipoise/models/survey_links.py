"""Signed survey links sent after resolution, and the one answer each link accepts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, Json, pk

SURVEY_KINDS = ("resolution", "complaint_resurvey")


class SurveyLink(Base):
    """A survey invitation; its URL token is signed with the server secret and expires."""

    __tablename__ = "survey_links"
    __table_args__ = (
        CheckConstraint("kind IN ('resolution','complaint_resurvey')", name="kind"),
        CheckConstraint("expires_at > sent_at", name="expires_after_sent"),
    )

    id: Mapped[int] = pk()
    #: Random value bound into the signature, so a link cannot be forged from its id.
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24), default="resolution")
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id"), index=True)
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("contacts.id"))
    #: The question codes asked: csat, nps, ces, expectation, perception.
    items: Mapped[list[str]] = mapped_column(Json, default=list)
    recipient: Mapped[str | None] = mapped_column(String(320))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SurveyLinkAnswer(Base):
    """The answer given through a link: the unique ``link_id`` allows one answer per link."""

    __tablename__ = "survey_link_answers"

    id: Mapped[int] = pk()
    link_id: Mapped[int] = mapped_column(BigId, ForeignKey("survey_links.id"), unique=True)
    response_id: Mapped[int] = mapped_column(BigId, ForeignKey("survey_responses.id"), unique=True)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime)
