"""The organisation: a tree of org units (HQ → branch → department → team) and the agents in teams."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from equipoise.db.base import Base
from equipoise.models._types import BigId, Json, pk

ORG_UNIT_KINDS = ("hq", "branch", "department", "team")


class OrgUnit(Base):
    __tablename__ = "org_units"
    __table_args__ = (CheckConstraint("kind IN ('hq','branch','department','team')", name="kind"),)

    id: Mapped[int] = pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id"), index=True)
    #: Fixed cost carried by this unit each month (rent, licences, management), in the currency.
    fixed_cost_monthly: Mapped[float] = mapped_column(Float, default=0.0)

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id", back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent")


class Agent(Base):
    __tablename__ = "agents"
    __table_args__ = (CheckConstraint("hourly_cost >= 0", name="hourly_cost_nonneg"),)

    id: Mapped[int] = pk()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int] = mapped_column(BigId, ForeignKey("org_units.id"), index=True)
    #: Loaded hourly cost: wage plus on-costs and overhead share, in the currency per hour.
    hourly_cost: Mapped[float] = mapped_column(Float)
    #: Contact-reason codes (and channel codes) the agent is skilled for.
    skills: Mapped[list[str]] = mapped_column(Json, default=list)
    #: in_house_onshore | outsourced_onshore | outsourced_offshore
    sourcing: Mapped[str] = mapped_column(String(32), default="in_house_onshore")
    hired_on: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)

    team: Mapped[OrgUnit] = relationship()
