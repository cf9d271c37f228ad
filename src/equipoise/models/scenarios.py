"""Scenarios: named, stored what-ifs (a cost lever with its parameters) and the results of each run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, Json, pk


class Scenario(Base):
    """A what-if: one lever template (``lever``) and the parameters that override its defaults."""

    __tablename__ = "scenarios"

    id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: The lever template: channel_shift, staffing_change, fcr_improvement, outsourcing, ...
    lever: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Parameters given for the lever; the template's defaults fill in the rest.
    params: Mapped[dict[str, object]] = mapped_column(Json, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ScenarioRun(Base):
    """One evaluation of a scenario against the measured baseline, with the simulator's check."""

    __tablename__ = "scenario_runs"

    id: Mapped[int] = pk()
    scenario_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("scenarios.id", ondelete="CASCADE"), index=True
    )
    ran_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    #: Per year, in the currency: the scenario's service and expected churn cost.
    service_cost: Mapped[float] = mapped_column(Float)
    churn_cost: Mapped[float] = mapped_column(Float)
    #: Volume-weighted share of satisfied (CSAT 4-5) customers, 0..1.
    csat: Mapped[float] = mapped_column(Float)
    #: Differences against the baseline (negative cost = saving), CSAT in points.
    delta_service_cost: Mapped[float] = mapped_column(Float)
    delta_churn_cost: Mapped[float] = mapped_column(Float)
    delta_csat_points: Mapped[float] = mapped_column(Float)
    #: Largest simulated - analytic service-level gap over the channels checked (None: none).
    simulation_gap: Mapped[float | None] = mapped_column(Float)
    #: The full result (parameters used, per-channel and per-tier figures, simulation check).
    result: Mapped[dict[str, object]] = mapped_column(Json, default=dict)
