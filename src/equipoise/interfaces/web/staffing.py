"""The staffing page: pick a channel and a week; htmx swaps the result without reloading the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from equipoise.interfaces.api.deps import engine
from equipoise.interfaces.web import charts
from equipoise.interfaces.web.login import page_user
from equipoise.interfaces.web.staffing_choices import (
    ChannelChoice,
    PlanSeries,
    default_choice,
    plannable_weeks,
    series,
    staffed_channels,
    week_option,
)
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import AppError, InvalidInput
from equipoise.planning import history
from equipoise.planning.staffing import StaffingPlan, parse_week, plan_week, week_label

router = APIRouter(include_in_schema=False)
X_TITLE = "Interval start (local time)"
METHODS = {"erlang_a": "Erlang A (with abandonment)", "erlang_c": "Erlang C",
           "deferred": "deferred work (workload spread over the response window)"}


def _pick_week(text: str | None, weeks: list[dt.date], last: dt.datetime | None) -> dt.date:
    if not weeks:
        raise InvalidInput("week: this channel has no week with a week of history before it",
                           field="week")
    if not text:
        chosen = default_choice(weeks, last)
        assert chosen is not None
        return chosen
    monday = parse_week(text).date()
    if monday not in weeks:
        raise InvalidInput(f"week: {text} is not a plannable week of this channel (from "
                           f"{week_label(_at(weeks[0]))} to {week_label(_at(weeks[-1]))})",
                           field="week")
    return monday


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _percent(name: str, value: float, low: float, high: float) -> float:
    if not low <= value <= high:  # also rejects NaN
        raise InvalidInput(f"{name}: expected a percentage from {low:g} to {high:g}, got {value:g}",
                           field=name)
    return value / 100.0


def _charts(plan: StaffingPlan, s: PlanSeries) -> dict[str, dict[str, Any]]:
    per = f"contacts per {plan.interval_minutes} min"
    arrivals = [charts.line(s.starts, s.forecast, "Forecast", unit="contacts", digits=1,
                            colour=1)]
    if s.actual is not None:
        arrivals.insert(0, charts.line(s.starts, s.actual, "Actual", unit="contacts", shape="hv"))
    agents = [charts.line(s.starts, s.required, "Required", unit="agents", shape="hv"),
              charts.line(s.starts, s.scheduled, "Scheduled (with shrinkage)", unit="agents",
                          shape="hv", colour=3, dash="dot")]
    if s.on_shift is not None:
        shift = charts.line(s.starts, s.on_shift, "On shift (recorded)", unit="agents", digits=1,
                            shape="hv", colour=5)
        shift.update(fill="tozeroy", fillcolor="rgba(122, 135, 148, 0.18)")
        shift["line"]["width"] = 1
        agents.insert(0, shift)  # drawn first, under the plan's lines
    peak = max(float(np.nanmax(s.scheduled)) if s.scheduled.size else 0.0,
               float(np.nanmax(s.on_shift)) if s.on_shift is not None else 0.0)
    if plan.method == "deferred":
        quality = [charts.line(s.starts, s.occupancy_pct, "Occupancy", unit="%", digits=1)]
        q_title = "Occupancy of the required agents (modelled)"
    else:
        quality = [charts.line(s.starts, s.service_level_pct, "Service level", unit="%", digits=1),
                   charts.line(s.starts, [100.0 * plan.target_sl] * len(s.starts),
                               "Target service level", unit="%", digits=1, colour=5,
                               dash="dash")]
        if plan.method == "erlang_a":
            quality.append(charts.line(s.starts, s.abandon_pct, "Abandonment", unit="%",
                                       digits=1, colour=4))
        q_title = "Service level and abandonment (modelled)"
    return {
        "arrivals": charts.figure("Arrivals: actual vs forecast", arrivals, x_title=X_TITLE,
                                  y_title=charts.axis_title("Arrivals", per), x_type="date"),
        "agents": charts.figure("Agents per interval", agents, x_title=X_TITLE,
                                y_title=charts.axis_title("Agents", "count"), x_type="date",
                                y_dtick=1 if peak <= 12 else None),
        "quality": charts.figure(q_title, quality, x_title=X_TITLE,
                                 y_title=charts.axis_title("Share", "%"), x_type="date",
                                 y_range=[0, 100]),
    }


def _result(eng: Engine, channel: ChannelChoice, week: str | None, target_sl: float,
            shrinkage: float, *, channel_changed: bool) -> dict[str, Any]:
    weeks = plannable_weeks(eng, channel.code)
    span = history.arrival_span(eng, channel.code)
    end = span[1].date() if span else None
    options = [week_option(w, end) for w in weeks]
    ctx: dict[str, Any] = {"weeks": options, "channel": channel, "selected_week": week,
                           "plan": None, "error": None}
    if channel_changed and week not in {value for value, _ in options}:
        week = None  # the new channel's own default week
    try:
        monday = _pick_week(week, weeks, span[1] if span else None)
        ctx["selected_week"] = week_label(_at(monday))
        plan = plan_week(eng, channel.code, week_start=_at(monday),
                         target_sl=_percent("target_sl", target_sl, 1.0, 99.9),
                         shrinkage=_percent("shrinkage", shrinkage, 0.0, 90.0))
    except AppError as exc:
        ctx["error"] = exc.message
        return ctx
    s = series(plan)
    ctx.update(plan=plan, s=s, charts=_charts(plan, s), method=METHODS.get(plan.method,
                                                                            plan.method))
    return ctx


@router.get("/staffing", response_class=HTMLResponse, dependencies=[Depends(page_user)])
def staffing(
    request: Request,
    channel: str | None = Query(None, description="Channel code"),
    week: str | None = Query(None, description="ISO week, e.g. 2026-W03"),
    target_sl: float = Query(80.0, description="Service-level target, % answered in time"),
    shrinkage: float = Query(30.0, description="Shrinkage, % of paid time off the phones"),
    eng: Engine = Depends(engine),
) -> HTMLResponse:
    """The whole page, or (for an htmx request) only the result fragment."""
    channels = staffed_channels(eng)
    chosen = next((c for c in channels if c.code == channel), channels[0] if channels else None)
    ctx: dict[str, Any] = {"channels": channels, "target_sl": target_sl, "shrinkage": shrinkage,
                           "channel": chosen, "weeks": [], "selected_week": None, "plan": None}
    if chosen is None:
        ctx["error"] = "No staffed channel is configured."
    elif channel is not None and chosen.code != channel:
        ctx["error"] = f"channel: no staffed channel {channel!r}"
    else:
        changed = request.headers.get("HX-Trigger-Name") == "channel"
        ctx.update(_result(eng, chosen, week, target_sl, shrinkage, channel_changed=changed))
    status = 422 if ctx["error"] and channel is not None else 200
    fragment = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request")
    ctx["oob"] = fragment
    response = render(request, "_staffing_result.html" if fragment else "staffing.html", ctx,
                      status_code=status)
    response.headers["Vary"] = "HX-Request"
    return response
