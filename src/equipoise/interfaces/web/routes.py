"""Server-rendered pages: the overview and the definitions of every figure; staffing is its own module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from ibis.backends import BaseBackend

from equipoise.analytics.compute import compute
from equipoise.analytics.facts import Facts
from equipoise.analytics.registry import all_metrics, get_metric
from equipoise.analytics.snapshot import DEFINITIONS, Snapshot, snapshot
from equipoise.interfaces.api.deps import analytics
from equipoise.interfaces.web import balance as balance_pages
from equipoise.interfaces.web import cases as case_pages
from equipoise.interfaces.web import charts
from equipoise.interfaces.web import complaints as complaint_pages
from equipoise.interfaces.web import knowledge as knowledge_pages
from equipoise.interfaces.web import login as login_pages
from equipoise.interfaces.web import staffing as staffing_pages
from equipoise.interfaces.web.costs import data_months, month_choices
from equipoise.interfaces.web.format import unit_label
from equipoise.interfaces.web.login import page_user
from equipoise.interfaces.web.overview_targets import DEFINITIONS as TARGET_DEFINITIONS
from equipoise.interfaces.web.overview_targets import tile_targets
from equipoise.interfaces.web.staffing_choices import DEFINITIONS as STAFFING_DEFINITIONS
from equipoise.interfaces.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(login_pages.router)
router.include_router(case_pages.router)
router.include_router(complaint_pages.router)
router.include_router(knowledge_pages.router)
router.include_router(staffing_pages.router)
router.include_router(balance_pages.router)

#: Names of the overview figures on the definitions page.
SNAPSHOT_NAMES = {
    "contacts": "Contacts", "abandon_rate": "Abandoned", "cost": "Cost",
    "cost_per_contact": "Cost per contact", "csat_pct": "CSAT (4–5)",
    "responses": "Survey responses", "customers": "Customers",
    "cost_per_customer": "Cost per customer",
}

#: Names of the staffing figures on the definitions page.
STAFFING_NAMES = {
    "actual": "Arrivals", "forecast": "Forecast arrivals", "wape": "Forecast error (WAPE)",
    "aht": "Handle time", "patience": "Patience", "agents": "Required agents",
    "scheduled": "Scheduled agents", "on_shift": "Agents on shift (recorded)",
    "productive_hours": "Required agent-hours", "agent_hours": "Scheduled agent-hours",
    "cost": "Staff cost", "service_level": "Service level (modelled)",
    "abandonment": "Abandonment (modelled)", "occupancy": "Occupancy (modelled)",
}
#: Names of the balance figures on the definitions page.
BALANCE_NAMES = {
    "service_cost": "Service cost", "churn_cost": "Churn cost", "net_cost": "Net cost",
    "csat": "CSAT (modelled)", "net_value": "Net value of the recommendation",
    "frontier": "Cost–satisfaction frontier", "delta": "Effect of a change",
    "states": "Today, balance point and recommended",
}


@dataclass(frozen=True)
class Tile:
    """One KPI tile: the snapshot figure, and the registry metric whose monthly trend it shows."""

    key: str
    label: str
    unit: str
    trend_slug: str
    digits: int
    value_id: str
    #: Said next to the trend when the registry metric counts differently from the tile.
    trend_note: str = ""


TILES = (
    Tile("contacts", "Contacts", "count", "contacts", 0, "total-contacts"),
    Tile("cost", "Cost", "currency", "total_cost", 0, "total-cost"),
    Tile("cost_per_contact", "Cost per contact", "currency", "cost_per_contact", 2,
         "total-cost-per-contact"),
    Tile("csat_pct", "CSAT (4–5)", "percent", "csat", 1, "total-csat"),
    Tile("abandon_rate", "Abandoned (all contacts)", "percent", "abandonment_rate", 1, "total-abandon-rate",
         "of offered contacts on staffed channels"),
)


def _trends(con: BaseBackend, currency: str, totals: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Monthly values of each tile's registry metric, as sparkline figures with the tile's target."""
    facts = Facts(con)
    slugs = [t.trend_slug for t in TILES]
    rows = compute(facts, slugs, by=["month"]).rows()
    rows = [r for r in rows if r["month"] is not None]
    months = [r["month"] for r in rows]
    contacts: list[float | None] = [None if r["contacts"] is None else float(r["contacts"])  # type: ignore[arg-type]
                                    for r in rows]
    targets = tile_targets(facts, months, contacts, totals)
    out = {}
    for tile in TILES:
        metric = get_metric(tile.trend_slug)
        unit = unit_label(metric.unit, currency)
        target = targets.get(tile.key)
        out[tile.key] = {
            "metric": metric,
            "months": months,
            "target": target,
            "met": target.met(totals.get(tile.key)) if target is not None else None,
            "figure": charts.sparkline(months, [r[tile.trend_slug] for r in rows], metric.name,
                                       unit=unit, digits=tile.digits,
                                       target=list(target.monthly) if target is not None else None),
        }
    return out


def _overview_charts(snap: Snapshot, currency: str) -> dict[str, dict[str, Any]]:
    names = [charts.wrap_label(r["name"]) for r in snap.by_channel]
    csat = charts.line(names, [r["csat_pct"] for r in snap.by_channel], "CSAT 4–5", unit="%",
                       digits=1, colour=1, yaxis="y2", markers=True)
    csat.update(mode="markers", marker={"size": 11, "symbol": "diamond",
                                        "color": charts.COLOURS[1]})  # channels are categories
    by_channel = charts.figure(
        "Cost and CSAT by channel",
        [charts.bar(names, [r["cost"] for r in snap.by_channel], "Cost", unit=currency), csat],
        x_title="Channel", y_title=charts.axis_title("Cost", currency),
        y2_title=charts.axis_title("CSAT 4–5", "%"), y2_range=[0, 105])
    tiers = [r["tier"] for r in snap.by_tier]
    by_tier = charts.figure(
        "Cost per customer by tier",
        [charts.bar(tiers, [r.get("cost_per_customer") for r in snap.by_tier],
                    "Cost per customer", unit=currency, digits=2, colour=2)],
        x_title="Customer tier", y_title=charts.axis_title("Cost per customer", currency))
    return {"by_channel": by_channel, "by_tier": by_tier}


@router.get("/", response_class=HTMLResponse, dependencies=[Depends(page_user)])
def overview(request: Request, con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """Headline KPIs against their targets with monthly trends, the scorecard with its drill-down,
    cost and CSAT by channel, cost per customer by tier."""
    snap = snapshot(con)
    currency = request.app.state.settings.currency
    show_costs = request.state.principal.sees_costs  # set by page_user; agents and leads see no costs
    tiles = TILES if show_costs else tuple(t for t in TILES if t.unit != "currency")
    return render(request, "overview.html", {
        "snap": snap, "tiles": tiles, "trends": _trends(con, currency, snap.totals), "show_costs": show_costs,
        "charts": _overview_charts(snap, currency) if show_costs else None,
        # the scorecard with its drill-down, fetched by the page (the scorecard page's fragments)
        "score_choices": month_choices(data_months(Facts(con)), everything="All recorded data")})


@router.get("/definitions", response_class=HTMLResponse, dependencies=[Depends(page_user)])
def definitions(request: Request) -> HTMLResponse:
    """Every figure shown on a page with its definition and unit, each at its own anchor."""
    currency = request.app.state.settings.currency
    overview_defs = [{"key": k, "name": SNAPSHOT_NAMES.get(k, k), "text": v}
                     for k, v in DEFINITIONS.items()]
    target_defs = [{"key": k, "name": f"Target of {SNAPSHOT_NAMES.get(k, k)}", "text": v}
                   for k, v in TARGET_DEFINITIONS.items()]
    metrics = [{**m.describe(), "unit_label": unit_label(m.unit, currency)}
               for m in all_metrics().values()]
    staffing_defs = [{"key": k, "name": STAFFING_NAMES.get(k, k), "text": v}
                     for k, v in STAFFING_DEFINITIONS.items()]
    balance_defs = [{"key": k, "name": BALANCE_NAMES.get(k, k), "text": v}
                    for k, v in balance_pages.DEFINITIONS.items()]
    return render(request, "definitions.html", {
        "overview_defs": overview_defs, "target_defs": target_defs, "staffing_defs": staffing_defs,
        "balance_defs": balance_defs, "metrics": metrics})
