"""The staffing page: pick a channel and a week; htmx swaps the result without reloading the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from equipoise.interfaces.api.deps import engine
from equipoise.interfaces.web import charts
from equipoise.interfaces.web.staffing_calc import (
    ChannelChoice,
    WeekStaffing,
    plan_week,
    plannable_weeks,
    staffed_channels,
)
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import AppError, InvalidInput

router = APIRouter(include_in_schema=False)
X_TITLE = "Interval start (local time)"


def _week_label(monday: dt.date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d} (from {monday:%a %d %b %Y})"


def _parse_week(text: str | None, weeks: list[dt.date]) -> dt.date:
    if not weeks:
        raise InvalidInput("week: this channel has no week with a week of history before it",
                           field="week")
    if not text:
        return weeks[-2] if len(weeks) > 1 else weeks[-1]  # the last full week
    try:
        monday = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"week: expected a date YYYY-MM-DD (a Monday), got {text!r}",
                           field="week") from None
    if monday not in weeks:
        raise InvalidInput(f"week: {text} is not a plannable week of this channel (from "
                           f"{weeks[0]} to {weeks[-1]})", field="week")
    return monday


def _charts(plan: WeekStaffing) -> dict[str, dict[str, Any]]:
    times = [str(t).replace("T", " ") for t in plan.timestamps]
    per = f"contacts per {plan.interval_minutes} min"
    arrivals = charts.figure(
        "Arrivals: actual vs forecast",
        [charts.line(times, plan.actual, "Actual", unit="contacts", shape="hv"),
         charts.line(times, plan.forecast, "Forecast", unit="contacts", digits=1, colour=1)],
        x_title=X_TITLE, y_title=charts.axis_title("Arrivals", per), x_type="date")
    agents = charts.figure(
        "Required agents per interval",
        [charts.line(times, plan.agents, "Required", unit="agents", shape="hv"),
         charts.line(times, plan.scheduled, "Scheduled (with shrinkage)", unit="agents",
                     shape="hv", colour=3, dash="dot")],
        x_title=X_TITLE, y_title=charts.axis_title("Agents", "count"), x_type="date")
    outcome = [charts.line(times, plan.service_level_pct, "Service level", unit="%", digits=1),
               charts.line(times, [plan.target_sl_pct] * len(times), "Target service level",
                           unit="%", digits=1, colour=5, dash="dash")]
    if plan.model == "a":
        outcome.append(charts.line(times, plan.abandon_pct, "Abandonment", unit="%", digits=1,
                                   colour=4))
    quality = charts.figure(
        "Service level and abandonment (modelled)", outcome, x_title=X_TITLE,
        y_title=charts.axis_title("Share of contacts", "%"), x_type="date", y_range=[0, 100])
    return {"arrivals": arrivals, "agents": agents, "quality": quality}


def _result_context(eng: Engine, channel: ChannelChoice, week: str | None, target_sl: float,
                    shrinkage: float, *, channel_changed: bool) -> dict[str, Any]:
    weeks = plannable_weeks(eng, channel.code)
    if channel_changed and week not in {w.isoformat() for w in weeks}:
        week = None  # the new channel's own default week
    ctx: dict[str, Any] = {"weeks": [(w.isoformat(), _week_label(w)) for w in weeks],
                           "channel": channel, "selected_week": week, "plan": None,
                           "error": None}
    try:
        monday = _parse_week(week, weeks)
        ctx["selected_week"] = monday.isoformat()
        plan = plan_week(eng, channel, monday, target_sl_pct=target_sl, shrinkage_pct=shrinkage)
    except AppError as exc:
        ctx["error"] = exc.message
        return ctx
    ctx.update(plan=plan, charts=_charts(plan))
    return ctx


@router.get("/staffing", response_class=HTMLResponse)
def staffing(
    request: Request,
    channel: str | None = Query(None, description="Channel code"),
    week: str | None = Query(None, description="Monday of the week, YYYY-MM-DD"),
    target_sl: float = Query(80.0, description="Service-level target, % answered in time"),
    shrinkage: float = Query(30.0, description="Shrinkage, % of paid time off the phones"),
    eng: Engine = Depends(engine),
) -> HTMLResponse:
    """The whole page, or (for an htmx request) only the result fragment."""
    channels = staffed_channels(eng)
    chosen = next((c for c in channels if c.code == channel), channels[0] if channels else None)
    ctx: dict[str, Any] = {"channels": channels, "target_sl": target_sl, "shrinkage": shrinkage}
    if chosen is None:
        ctx.update(channel=None, weeks=[], selected_week=None, plan=None,
                   error="No staffed channel is configured.")
    elif channel is not None and chosen.code != channel:
        ctx.update(channel=chosen, weeks=[], selected_week=None, plan=None,
                   error=f"channel: no staffed channel {channel!r}")
    else:
        changed = request.headers.get("HX-Trigger-Name") == "channel"
        ctx.update(_result_context(eng, chosen, week, target_sl, shrinkage,
                                   channel_changed=changed))
    status = 422 if ctx["error"] and channel is not None else 200
    fragment = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request")
    ctx["oob"] = fragment
    response = render(request, "_staffing_result.html" if fragment else "staffing.html", ctx,
                      status_code=status)
    response.headers["Vary"] = "HX-Request"
    return response
