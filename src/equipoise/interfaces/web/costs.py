"""The cost-to-serve page: tier × channel and tier × reason heatmaps and the six diagnostics.

The period picker swaps the result fragment with htmx; the diagnostics load in a second request
(they take a few seconds) and each row opens the customers, cases or agents behind it
(:mod:`equipoise.interfaces.web.costs_drill`). The period helpers here are shared by the budget
and scorecard pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from ibis.backends import BaseBackend

from equipoise.analytics.compute import compute
from equipoise.analytics.diagnostics import DiagnosticSettings
from equipoise.analytics.diagnostics_ops import run_diagnostics
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import Period, parse_period
from equipoise.interfaces.api.deps import analytics
from equipoise.interfaces.web import charts
from equipoise.interfaces.web.costs_drill import (
    COLUMNS,
    DEFINITIONS,
    DRILL_KEYS,
    Names,
    drill,
    lookup_names,
    table_rows,
)
from equipoise.interfaces.web.format import money, number, percent
from equipoise.interfaces.web.login import cost_user
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import AppError, InvalidInput
from equipoise.models.customers import TIERS

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Measure:
    """A heatmap measure: registry metric, label, unit kind and colour direction."""

    slug: str
    label: str
    kind: str  # "money", "count" or "percent"
    higher_is_better: bool = False


MEASURES = (
    Measure("cost_per_contact", "Cost per contact", "money"),
    Measure("total_cost", "Contact cost", "money"),
    Measure("cost_to_serve", "Cost to serve per customer", "money"),
    Measure("contacts", "Contacts", "count"),
    Measure("csat", "CSAT (4–5)", "percent", higher_is_better=True),
)
_COST_SCALE = [[0.0, "#fff7e6"], [0.5, "#f0a35e"], [1.0, "#a3332b"]]
_GOOD_SCALE = [[0.0, "#a3332b"], [0.5, "#f3e3b5"], [1.0, "#2f7d4f"]]
#: The summary figures above the heatmaps (registry slugs).
SUMMARY = ("contacts", "customers_served", "total_cost", "cost_per_contact", "cost_to_serve", "csat")


# ---- periods (shared with the budget and scorecard pages) -----------------------------------
@dataclass(frozen=True)
class Choice:
    """One option of a period picker: the period label the API accepts and its display text."""

    value: str
    label: str


def data_months(facts: Facts) -> list[dt.date]:
    """First days of every month from the first to the last recorded contact."""
    c = facts.table("contacts")
    row = c.aggregate(first=c.arrived_at.min(), last=c.arrived_at.max()).to_pandas().iloc[0]
    if pd.isna(row["first"]):
        return []
    first, last = pd.Timestamp(row["first"]).date(), pd.Timestamp(row["last"]).date()
    return Period("data", dt.datetime(first.year, first.month, 1),
                  dt.datetime.combine(last, dt.time()) + dt.timedelta(days=1)).months


def month_choices(months: list[dt.date], *, everything: str | None = None,
                  whole_quarters: bool = False) -> list[Choice]:
    """Options for ``months``: each month (latest first), then each quarter they touch.

    ``everything`` adds a first option with an empty value (the whole data) under that label;
    ``whole_quarters`` offers only the quarters whose three months are all in ``months``.
    """
    out = [Choice("", everything)] if everything else []
    out += [Choice(f"{m.year}-{m.month:02d}", m.strftime("%B %Y")) for m in reversed(months)]
    quarters = sorted({(m.year, (m.month - 1) // 3 + 1) for m in months}, reverse=True)
    if whole_quarters:
        have = set(months)
        quarters = [(y, q) for y, q in quarters
                    if all(dt.date(y, 3 * q - 2 + i, 1) in have for i in range(3))]
    out += [Choice(f"{y}-Q{q}", f"Q{q} {y}") for y, q in quarters]
    return out


def pick_period(text: str | None, choices: list[Choice]) -> Period | None:
    """The chosen period (None for the whole data); an InvalidInput names the allowed values."""
    value = (text or "").strip()
    if value and value not in {c.value for c in choices}:
        allowed = ", ".join(c.value for c in choices if c.value) or "none"
        raise InvalidInput(f"period: {value!r} is not one of the offered periods ({allowed})",
                           field="period")
    return parse_period(value) if value else None


def is_fragment(request: Request) -> bool:
    """True for an htmx request that swaps part of the page (not a history restore)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request")


# ---- heatmaps -------------------------------------------------------------------------------
def _fmt(value: Any, kind: str, currency: str) -> str:
    if kind == "money":
        return money(value, currency)
    return percent(value) if kind == "percent" else number(value)


def heatmap(title: str, frame: pd.DataFrame, x: str, y: str, measure: Measure, names: Names,
            currency: str) -> dict[str, Any]:
    """A titled heatmap of ``measure`` over categories ``x`` × ``y`` with every figure in the hover."""
    xs = _ordered(frame[x], x, names)
    ys = _ordered(frame[y], y, names)
    cells = {(r[x], r[y]): r for r in frame.to_dict(orient="records")}
    z, text, hover = [], [], []
    for yv in ys:
        zr, tr, hr = [], [], []
        for xv in xs:
            r = cells.get((xv, yv))
            v = None if r is None or pd.isna(r[measure.slug]) else float(r[measure.slug])
            zr.append(v)
            tr.append("" if v is None else _fmt(v, measure.kind, currency))
            hr.append("no contacts" if r is None else "<br>".join(
                f"{m.label}: {_fmt(r[m.slug], m.kind, currency)}" for m in MEASURES))
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    unit = {"money": currency, "percent": "%", "count": "count"}[measure.kind]
    trace = {"type": "heatmap", "x": [names.label(x, v) for v in xs],
             "y": [names.label(y, v) for v in ys], "z": z, "text": text, "customdata": hover,
             "texttemplate": "%{text}", "textfont": {"size": 10}, "xgap": 2, "ygap": 2,
             "colorscale": _GOOD_SCALE if measure.higher_is_better else _COST_SCALE,
             "colorbar": {"title": {"text": charts.axis_title(measure.label, unit), "side": "right"},
                          "thickness": 10, "tickformat": ","},
             "hovertemplate": f"{_AXIS[y]}: %{{y}}<br>{_AXIS[x]}: %{{x}}<br>%{{customdata}}"
                              "<extra></extra>",
             "name": measure.label, "hoverongaps": False}
    fig = charts.figure(title, [trace], x_title=_AXIS[x], y_title=_AXIS[y],
                        height=max(300, 90 + 30 * len(ys)))
    for axis in ("xaxis", "yaxis"):
        fig["layout"][axis].update(type="category", showgrid=False)
        fig["layout"][axis].pop("tickformat", None)
        fig["layout"][axis].pop("rangemode", None)
    fig["layout"]["yaxis"]["autorange"] = "reversed"
    fig["layout"]["xaxis"]["tickangle"] = -30 if len(xs) > 5 else 0
    # Phones: no cell labels (hover still has them), upright tick labels (static/costs.js).
    fig["layout"]["meta"] = {"narrow": {"hideText": True, "axes": {"xaxis": {"tickangle": -90}}}}
    return fig


_AXIS = {"tier": "Customer tier", "channel": "Channel", "reason": "Contact reason"}


def _ordered(values: pd.Series, dim: str, names: Names) -> list[str]:
    present = [v for v in pd.unique(values) if v is not None and not pd.isna(v)]
    if dim == "tier":
        return [t for t in TIERS if t in present] + sorted(v for v in present if v not in TIERS)
    order = names.order(dim)
    return sorted(present, key=lambda v: (order.get(v, len(order)), str(v)))


def cost_view(facts: Facts, period: Period | None, measure: Measure, currency: str
              ) -> dict[str, Any]:
    """Summary figures and the two heatmaps for ``period``."""
    names = lookup_names(facts)
    slugs = [m.slug for m in MEASURES]
    summary = compute(facts, list(SUMMARY), period=period).rows()[0]
    by_channel = compute(facts, slugs, period=period, by=["tier", "channel"]).frame
    by_reason = compute(facts, slugs, period=period, by=["tier", "reason"]).frame
    return {"summary": summary, "charts": {
        "tier_channel": heatmap(f"{measure.label}: tier × channel", by_channel,
                                "channel", "tier", measure, names, currency),
        "tier_reason": heatmap(f"{measure.label}: reason × tier", by_reason,
                               "tier", "reason", measure, names, currency)}}


# ---- pages ----------------------------------------------------------------------------------
@router.get("/costs", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def costs(request: Request,
          period: str | None = Query(None, description="A month (2026-01) or quarter (2026-Q1)"),
          measure: str = Query("cost_per_contact", description="Heatmap measure (metric slug)"),
          con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """The whole page, or (for an htmx request) the result fragment of the chosen period."""
    facts = Facts(con)
    choices = month_choices(data_months(facts), everything="All recorded data")
    chosen = next((m for m in MEASURES if m.slug == measure), None)
    ctx: dict[str, Any] = {"choices": choices, "period": (period or "").strip(),
                           "definitions": DEFINITIONS, "measures": MEASURES,
                           "measure": chosen or MEASURES[0], "error": None}
    try:
        if chosen is None:
            raise InvalidInput(f"measure: expected one of {', '.join(m.slug for m in MEASURES)}, "
                               f"got {measure!r}", field="measure")
        p = pick_period(period, choices)
        ctx.update(cost_view(facts, p, chosen, request.app.state.settings.currency),
                   period_label=next(c.label for c in choices if c.value == ctx["period"]))
    except AppError as exc:
        ctx["error"] = exc.message
    response = render(request, "_costs_result.html" if is_fragment(request) else "costs.html",
                      ctx, status_code=422 if ctx["error"] else 200)
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/costs/diagnostics", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def diagnostics(request: Request, period: str | None = Query(None),
                con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """The six service-layer diagnostics of the period, each with its items and drill-down links."""
    facts = Facts(con)
    ctx: dict[str, Any] = {"period": (period or "").strip(), "error": None}
    try:
        p = pick_period(period, month_choices(data_months(facts), everything="all"))
        names = lookup_names(facts)
        currency = request.app.state.settings.currency
        ctx["findings"] = [
            {"finding": f, "headline": f.headline[:1].upper() + f.headline[1:],
             "columns": COLUMNS[f.question], "rows": table_rows(f, names, currency)}
            for f in run_diagnostics(facts, p, DiagnosticSettings(currency=currency))]
    except AppError as exc:
        ctx["error"] = exc.message
    return render(request, "_costs_diagnostics.html", ctx,
                  status_code=422 if ctx["error"] else 200)


@router.get("/costs/drill", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def drill_page(request: Request, q: int = Query(..., ge=1, le=6, description="Question 1-6"),
               show: str = Query("customers", description="customers, cases or agents"),
               period: str | None = Query(None), tier: str | None = Query(None),
               channel: str | None = Query(None), reason: str | None = Query(None),
               page: int = Query(1, ge=1), con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """The customers, cases or agents behind one diagnostic item, 50 per page (a fragment)."""
    facts = Facts(con)
    filters = {k: v for k, v in (("tier", tier), ("channel", channel), ("reason", reason)) if v}
    ctx: dict[str, Any] = {"q": q, "show": show, "filters": filters,
                           "period": (period or "").strip(), "error": None}
    try:
        missing = [k for k in DRILL_KEYS[q] if k not in filters]
        if missing:
            raise InvalidInput(f"{missing[0]}: question {q} drills down by "
                               f"{' and '.join(DRILL_KEYS[q])}", field=missing[0])
        p = pick_period(period, month_choices(data_months(facts), everything="all"))
        ctx.update(result=drill(facts, p, q, show, filters, page), names=lookup_names(facts))
    except AppError as exc:
        ctx["error"] = exc.message
    return render(request, "_costs_drill.html", ctx, status_code=422 if ctx["error"] else 200)
