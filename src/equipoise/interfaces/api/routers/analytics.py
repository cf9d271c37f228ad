"""Read-only analytics endpoints: metric registry and values, scorecards, budgets, diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query
from ibis.backends import BaseBackend

from equipoise.analytics.budgets import budget_report
from equipoise.analytics.compute import compute
from equipoise.analytics.diagnostics_ops import run_diagnostics
from equipoise.analytics.facts import Facts, MetricParams
from equipoise.analytics.periods import parse_period
from equipoise.analytics.registry import all_metrics
from equipoise.analytics.scorecard import load_scorecard
from equipoise.analytics.scoring import GROUPABLE, evaluate, evaluate_all
from equipoise.interfaces.api.auth import current_principal, require_roles
from equipoise.interfaces.api.deps import analytics

#: Every analytics endpoint needs a signed-in caller; figures in money are for managers and admins.
router = APIRouter(prefix="/analytics", tags=["analytics"], dependencies=[Depends(current_principal)])
COSTS = [Depends(require_roles("manager", "admin"))]
T = TypeVar("T")

PeriodQ = Query(None, description="2026-10, 2026-Q4, 2026-W41, 2026 or YYYY-MM-DD..YYYY-MM-DD")


def _guard(fn: Callable[[], T]) -> T:
    """Turn a validation error into a 422 naming the bad argument."""
    try:
        return fn()
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/metrics")
def list_metrics() -> list[dict[str, Any]]:
    """Every registered metric: slug, name, unit, better direction and definition."""
    return [m.describe() for m in all_metrics().values()]


@router.get("/metrics/values", dependencies=COSTS)
def metric_values(
    period: str | None = PeriodQ,
    by: list[str] = Query([], description="team, channel, tier, reason, agent, month, week, ..."),
    metrics: str | None = Query(None, description="Comma-separated slugs (default: all)."),
    fcr_window_days: int = Query(7, ge=0, le=365),
    con: BaseBackend = Depends(analytics),
) -> dict[str, Any]:
    """Metric values for a period, one row per slice."""
    slugs = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None

    def run() -> dict[str, Any]:
        facts = Facts(con, MetricParams(fcr_window_days=fcr_window_days))
        table = compute(facts, slugs, period=parse_period(period) if period else None, by=by)
        return {"period": period, "by": list(table.by), "metrics": list(table.metrics),
                "rows": table.rows()}

    return _guard(run)


@router.get("/scorecard")
def scorecard(
    entity: str = Query("company", description="company, unit:CODE, team:CODE, agent:CODE, "
                        "channel:CODE, or a kind (team, agent, channel) for all of them"),
    period: str | None = PeriodQ,
    con: BaseBackend = Depends(analytics),
) -> list[dict[str, Any]]:
    """The default scorecard for one entity (or every entity of a kind), with drill-down."""

    def run() -> list[dict[str, Any]]:
        card, facts = load_scorecard(), Facts(con)
        p = parse_period(period) if period else None
        results = (evaluate_all(card, facts, entity, p) if entity in GROUPABLE
                   else [evaluate(card, facts, entity, p)])
        return [r.to_dict() for r in results]

    return _guard(run)


@router.get("/budget", dependencies=COSTS)
def budget(period: str = Query(..., description="Whole months: 2026-10, 2026-Q4, 2026"),
           channel_fixed: bool = Query(False), con: BaseBackend = Depends(analytics)
           ) -> dict[str, Any]:
    """Target against actual cost per org unit and month, with consistency warnings."""
    return _guard(lambda: budget_report(Facts(con), parse_period(period),
                                        include_channel_fixed=channel_fixed).to_dict())


@router.get("/diagnostics", dependencies=COSTS)
def diagnostics(period: str | None = PeriodQ,
                con: BaseBackend = Depends(analytics)) -> list[dict[str, Any]]:
    """The six service-layer questions answered with numbers and the entities involved."""
    return _guard(lambda: [f.to_dict() for f in run_diagnostics(
        Facts(con), parse_period(period) if period else None)])
