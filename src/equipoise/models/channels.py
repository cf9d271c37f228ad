"""Channels with their cost model and opening hours, and the contact-reason taxonomy."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Float, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from equipoise.db.base import Base
from equipoise.models._types import BigId, Json, pk

CHANNEL_CODES = ("phone", "ivr", "email", "chat", "self_service", "field", "social")

reason_channels = Table(
    "reason_channels",
    Base.metadata,
    Column("reason_id", BigId, ForeignKey("contact_reasons.id", ondelete="CASCADE"), primary_key=True),
    Column("channel_id", BigId, ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
)


class Channel(Base):
    """A way customers reach the company.

    Cost of one handled contact = handle_seconds / 3600 x agent hourly cost / concurrency
    + tech_cost_per_contact. Automated channels (staffed = False) cost only the tech cost.
    ``opening_hours`` maps weekday 0 (Monday)..6 to ``[open_hour, close_hour]`` or null (closed);
    contacts can arrive only inside these hours.
    """

    __tablename__ = "channels"
    __table_args__ = (CheckConstraint("concurrency >= 1", name="concurrency_min"),)

    id: Mapped[int] = pk()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    staffed: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Contacts an agent handles at once (chat 2-3, everything else 1).
    concurrency: Mapped[float] = mapped_column(Float, default=1.0)
    #: Technology cost per handled contact (telephony, licences, tooling), currency per contact.
    tech_cost_per_contact: Mapped[float] = mapped_column(Float, default=0.0)
    #: Fixed cost of running the channel, currency per month.
    fixed_cost_monthly: Mapped[float] = mapped_column(Float, default=0.0)
    #: Answer-time target used for the service level, seconds.
    service_level_seconds: Mapped[float] = mapped_column(Float, default=30.0)
    #: Share of contacts an automated channel resolves without an agent (None for staffed channels).
    containment_rate: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[dict[str, list[int] | None]] = mapped_column(Json, default=dict)
    #: The staffed channel that takes contacts this channel does not contain (IVR → phone).
    escalates_to_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("channels.id"))


class ContactReason(Base):
    """Why a customer got in touch: a two-level taxonomy with the channels allowed to serve it."""

    __tablename__ = "contact_reasons"

    id: Mapped[int] = pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("contact_reasons.id"))
    #: simple | standard | complex — drives self-service suitability and handle time.
    complexity: Mapped[str] = mapped_column(String(16), default="standard")

    eligible_channels: Mapped[list[Channel]] = relationship(secondary=reason_channels)
