"""The budgets page: the org tree with target, actual and variance per unit and month, coloured by variance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from ibis.backends import BaseBackend

from equipoise.analytics.budgets import BudgetNode, BudgetReport, budget_report
from equipoise.analytics.facts import Facts
from equipoise.interfaces.api.deps import analytics
from equipoise.interfaces.web import charts
from equipoise.interfaces.web.costs import Choice, is_fragment, month_choices, pick_period
from equipoise.interfaces.web.format import money, percent
from equipoise.interfaces.web.login import cost_user
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import AppError, InvalidInput

router = APIRouter(include_in_schema=False)

#: What each figure of the budgets page means (anchors ``#budgets-def-<key>`` on the page).
DEFINITIONS: dict[str, tuple[str, str]] = {
    "target": ("Target", "The unit's target cost for the month from its budget lines; for several "
               "months, the sum of the monthly targets (shown only when every month has one)."),
    "actual": ("Actual", "The unit's own fixed monthly cost, plus the cost of the contacts its "
               "team handled, plus the actual cost of every unit below it. Contacts without a "
               "team (and, when ticked, the channels' fixed costs) are carried by the top unit."),
    "contact_cost": ("Contact cost", "Cost of the contacts handled by the unit's own team (at the "
                     "top unit: also the contacts without a team); units below are not included."),
    "fixed_cost": ("Fixed cost", "The unit's own fixed monthly cost times the months (at the top "
                   "unit, plus the channels' fixed costs when ticked)."),
    "variance": ("Variance", "Actual − target, in the currency: positive means over budget "
                 "(red), negative means under budget (green)."),
    "variance_pct": ("Variance %", "Variance as a percent of the target; the colour deepens up to "
                     "±10%."),
    "warnings": ("Consistency warnings", "Units whose target differs from their children's "
                 "targets plus their own fixed cost: the budget was not decomposed consistently."),
}
_OVER, _UNDER, _FULL_AT = (214, 96, 84), (76, 160, 96), 10.0


def variance_colour(pct: float | None) -> str:
    """A background colour for a variance percent: red over budget, green under, white at zero."""
    if pct is None or pd.isna(pct):
        return "transparent"
    t = min(abs(float(pct)) / _FULL_AT, 1.0) * 0.55
    base = _OVER if pct > 0 else _UNDER
    r, g, b = (round(255 + (c - 255) * t) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


def signed_money(value: float | None, currency: str, digits: int = 0) -> str:
    """``+$1,234`` / ``−$56`` / ``$0``: a variance with its sign (no sign when it rounds to zero)."""
    if value is None or pd.isna(value):
        return "–"
    if round(abs(float(value)), digits) == 0:
        return money(0.0, currency, digits)
    return ("+" if value > 0 else "") + money(value, currency, digits)


def signed_percent(value: float | None) -> str:
    """``+5.8%`` / ``−1.8%`` / ``0.0%``."""
    if value is None or pd.isna(value):
        return "–"
    if round(abs(float(value)), 1) == 0:
        return percent(0.0)
    return ("+" if value > 0 else "−") + percent(abs(float(value)))


@dataclass(frozen=True)
class MonthCell:
    """One unit in one month of the period."""

    month: str
    target: float | None
    actual: float
    variance: float | None
    variance_pct: float | None
    colour: str


@dataclass(frozen=True)
class TreeRow:
    """One org unit over the whole period (sums of its months), with each month beside it."""

    unit: str
    name: str
    kind: str
    depth: int
    parent: str | None
    target: float | None
    contact_cost: float
    fixed_cost: float
    actual: float
    variance: float | None
    variance_pct: float | None
    colour: str
    months: tuple[MonthCell, ...]


def tree_rows(report: BudgetReport) -> list[TreeRow]:
    """The report's nodes as tree rows in tree order, each month's figures summed over the period."""
    by_unit: dict[str, list[BudgetNode]] = {}
    for node in report.nodes:
        by_unit.setdefault(node.unit, []).append(node)
    rows = []
    for unit, nodes in by_unit.items():
        first = nodes[0]
        targets = [n.target for n in nodes]
        target = None if any(t is None for t in targets) else sum(targets)  # type: ignore[arg-type]
        actual = sum(n.actual for n in nodes)
        variance = None if target is None else actual - target
        pct = None if variance is None or not target else 100.0 * variance / target
        months = tuple(MonthCell(n.month, n.target, n.actual, n.variance, n.variance_pct,
                                 variance_colour(n.variance_pct)) for n in nodes)
        rows.append(TreeRow(unit, first.name, first.kind, first.depth, first.parent, target,
                            sum(n.contact_cost for n in nodes), sum(n.fixed_cost for n in nodes),
                            actual, variance, pct, variance_colour(pct), months))
    return rows


def budget_months(facts: Facts) -> list[dt.date]:
    """First days of the months that have at least one budget line."""
    b = facts.table("budget_lines")
    df = b.select("period").distinct().to_pandas()
    return sorted({dt.date(d.year, d.month, 1) for d in pd.to_datetime(df["period"])})


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def budget_choices(months: list[dt.date]) -> list[Choice]:
    """Each budget month (latest first), each quarter fully budgeted, and all the months together."""
    choices = month_choices(months, whole_quarters=True)
    contiguous = all(_next_month(a) == b for a, b in zip(months, months[1:], strict=False))
    if len(months) > 1 and contiguous:
        choices.append(Choice(f"{months[0].isoformat()}..{_next_month(months[-1]).isoformat()}",
                              f"{months[0].strftime('%B %Y')} – {months[-1].strftime('%B %Y')}"))
    return choices


def variance_chart(rows: list[TreeRow], period_label: str, currency: str) -> dict[str, Any]:
    """Horizontal bars of each unit's variance over the period, red over and green under budget."""
    shown = [r for r in rows if r.variance is not None]
    names = [r.name for r in shown]
    trace = {"type": "bar", "orientation": "h", "y": names, "x": [r.variance for r in shown],
             "name": "Variance", "marker": {"color": ["#c4453c" if (r.variance or 0) > 0
                                                      else "#3f8f57" for r in shown]},
             "customdata": [[r.target, r.actual, r.variance_pct] for r in shown],
             "hovertemplate": (f"%{{y}}<br>Variance: %{{x:,.0f}} {currency}<br>Target: "
                               f"%{{customdata[0]:,.0f}} {currency}<br>Actual: %{{customdata[1]:,.0f}}"
                               f" {currency}<br>Variance: %{{customdata[2]:+,.1f}}%<extra></extra>")}
    fig = charts.figure(f"Variance against target<br><sup>{period_label} · actual − target</sup>", [trace],
                        x_title=charts.axis_title("Variance", currency),
                        y_title="Org unit", height=max(300, 90 + 28 * len(shown)),
                        y_from_zero=False)
    fig["layout"]["yaxis"].update(autorange="reversed", type="category")
    fig["layout"]["yaxis"]["title"]["standoff"] = 10  # clear of the longest unit name on a phone
    fig["layout"]["yaxis"].pop("tickformat", None)
    fig["layout"]["xaxis"].update(tickformat=",.0f", zeroline=True, zerolinecolor="#7a8794")
    return fig


def budget_view(facts: Facts, period_text: str, choices: list[Choice], channel_fixed: bool,
                currency: str) -> dict[str, Any]:
    """The tree rows, the months, the warnings and the variance chart of the chosen period."""
    period = pick_period(period_text, choices)
    if period is None:
        raise InvalidInput("period: choose a month or a quarter", field="period")
    report = budget_report(facts, period, include_channel_fixed=channel_fixed)
    rows = tree_rows(report)
    label = next(c.label for c in choices if c.value == period_text)
    has_variance = any(r.variance is not None for r in rows)
    return {"rows": rows, "months": [m.month for m in rows[0].months] if rows else [],
            "warnings": report.warnings, "period_label": label,
            "variance_fig": variance_chart(rows, label, currency) if has_variance else None}


@router.get("/budgets", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def budgets(request: Request,
            period: str | None = Query(None, description="A month (2026-01) or quarter (2026-Q1)"),
            channel_fixed: bool = Query(False, description="Carry the channels' fixed costs"),
            con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """The whole page, or (for an htmx request) the tree of the chosen period."""
    facts = Facts(con)
    choices = budget_choices(budget_months(facts))
    chosen = (period or "").strip() or (choices[0].value if choices else "")
    ctx: dict[str, Any] = {"choices": choices, "period": chosen, "channel_fixed": channel_fixed,
                           "definitions": DEFINITIONS, "error": None,
                           "colour_over": variance_colour(_FULL_AT),
                           "colour_under": variance_colour(-_FULL_AT),
                           "signed_money": signed_money, "signed_percent": signed_percent}
    try:
        if not choices:
            raise InvalidInput("period: there are no budget lines yet", field="period")
        ctx.update(budget_view(facts, chosen, choices, channel_fixed,
                               request.app.state.settings.currency))
    except AppError as exc:
        ctx["error"] = exc.message
    status = 422 if ctx["error"] and period is not None else 200
    response = render(request, "_budgets_result.html" if is_fragment(request) else "budgets.html",
                      ctx, status_code=status)
    response.headers["Vary"] = "HX-Request"
    return response
