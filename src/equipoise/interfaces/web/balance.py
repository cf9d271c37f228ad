"""The balance page: the cost–satisfaction frontier, where we are, and the ranked changes."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from ibis.backends import BaseBackend

from equipoise.interfaces.api.deps import analytics
from equipoise.interfaces.web import charts
from equipoise.interfaces.web.login import cost_user
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import AppError, InvalidInput
from equipoise.planning.balance import recommend_policy, report
from equipoise.planning.cache import cached_model

router = APIRouter(include_in_schema=False)

#: What each figure of the balance page means (shown on /definitions#balance-<key>).
DEFINITIONS = {
    "service_cost": "Modelled cost per year of serving every issue: handling cost of every "
                    "contact (repeats included) plus the staff that the service-level option "
                    "needs on each staffed channel, in the currency per year.",
    "churn_cost": "Expected yearly cost of customers lost through service: lost margin over the "
                  "remaining lifetime plus replacement cost, from the churn link fitted on the "
                  "customer data, in the currency per year.",
    "net_cost": "Service cost + churn cost, in the currency per year; the balance point is the "
                "frontier point where it is lowest.",
    "csat": "Modelled share of customers satisfied (CSAT 4-5) over all issues, volume-weighted, "
            "in % (points).",
    "net_value": "Today's net cost minus the recommended policy's net cost, in the currency per "
                 "year (positive = the recommendation saves money overall).",
    "frontier": "Each point: the cheapest service policy reaching at least a given CSAT, from "
                "the optimiser (linear programme) on measured costs, resolution and satisfaction.",
    "states": "Today: the service as measured, annualised. Balance point: the frontier point where "
              "net cost (service + churn) is lowest. Recommended: the policy the optimiser recommends "
              "under the CSAT floors and the budget given.",
    "delta": "Effect of one change applied after the ones ranked above it, per year: service "
             "cost, churn cost and net cost in the currency (negative = saving), CSAT in points.",
}


def _words(code: str | None) -> str:
    return "" if code is None else code.replace("_", " ")


def describe_change(row: dict[str, Any]) -> str:
    """One line saying what a ranked change does, in words."""
    if row["kind"] == "service_level":
        return (f"{_words(row['channel'])}: service level {row['option_from']} → "
                f"{row['option_to']}")
    ups = sorted((sh for sh in row["shifts"] if sh["to"] > sh["from"]), key=lambda sh: -sh["to"])
    downs = sorted((sh for sh in row["shifts"] if sh["to"] < sh["from"]),
                   key=lambda sh: sh["to"] - sh["from"])
    to = ", ".join(f"{_words(sh['channel'])} {_pct(sh['from'])} → {_pct(sh['to'])}" for sh in ups)
    away = ", ".join(f"{_words(sh['channel'])} {_pct(sh['from'])} → {_pct(sh['to'])}"
                     for sh in downs)
    return f"{_words(row['tier'])} customers, {_words(row['reason'])}: {to}" + (
        f" (from {away})" if away else "")


def _pct(share: float) -> str:
    return f"{abs(round(100.0 * share)):.0f}%"


def _finite(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _charts(rep: dict[str, Any], currency: str) -> dict[str, dict[str, Any]]:
    front = [r for r in rep["frontier"] if r["point"] == "frontier"]
    marks = {r["point"]: r for r in rep["frontier"] if r["point"] != "frontier"}
    balance = next((r for r in front if r["balance"]), None)
    unit = f"{currency} per year"
    traces = [charts.line([r["service_cost"] for r in front], [r["csat_points"] for r in front],
                          "Frontier", unit="%", digits=1, markers=True)]
    for label, row, colour in (("Today", marks.get("current"), 4),
                               ("Balance point", balance, 2),
                               ("Recommended", marks.get("recommended"), 1)):
        if row is not None:
            t = charts.line([row["service_cost"]], [row["csat_points"]], label, unit="%",
                            digits=1, colour=colour, markers=True)
            t["mode"] = "markers"
            t["marker"] = {"size": 12, "color": charts.COLOURS[colour],
                           "symbol": {"Today": "x", "Balance point": "star"}.get(label, "diamond")}
            traces.append(t)
    for t in traces:
        t["hovertemplate"] = (f"{t['name']}<br>service cost: %{{x:,.0f}} {currency}/yr<br>"
                              "CSAT: %{y:,.1f}%<extra></extra>")
    frontier = charts.figure("Cost–satisfaction frontier", traces,
                             x_title=charts.axis_title("Service cost", unit),
                             y_title=charts.axis_title("CSAT 4–5", "%"), height=380,
                             y_from_zero=False, x_format=",.0f")
    codes = [c for c in rep["current"]["cost_by_channel"]
             if rep["current"]["cost_by_channel"][c] or rep["recommended"]["cost_by_channel"].get(c)]
    names = [charts.wrap_label(_words(c)) for c in codes]
    by_channel = charts.figure(
        "Service cost by channel",
        [charts.bar(names, [rep["current"]["cost_by_channel"][c] for c in codes], "Today",
                    unit=currency, colour=5),
         charts.bar(names, [rep["recommended"]["cost_by_channel"].get(c, 0.0) for c in codes],
                    "Recommended", unit=currency, colour=1)],
        x_title="Channel", y_title=charts.axis_title("Service cost", unit))
    return {"frontier": frontier, "by_channel": by_channel}


#: Tiers of the customer pyramid that get a CSAT floor input on the page (query fields ``<tier>_floor``).
FLOOR_TIERS = ("top", "high", "mid", "low")


def _parse_floor(text: str | None, field: str = "top_floor") -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 100.0:
        raise InvalidInput(f"{field}: expected CSAT points between 0 and 100, got {text!r}",
                           field=field)
    return value


def _parse_floors(texts: dict[str, str | None]) -> dict[str, float] | None:
    """CSAT floors per tier as shares (0..1) from the page's fields in CSAT points; None when none is set."""
    floors = {tier: _parse_floor(text, f"{tier}_floor") for tier, text in texts.items()}
    given = {tier: value / 100.0 for tier, value in floors.items() if value is not None}
    return given or None


def _parse_budget(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        value = math.nan
    if not value >= 0.0:
        raise InvalidInput(f"budget: expected an amount per year of at least 0, got {text!r}",
                           field="budget")
    return value


@router.get("/balance", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def balance(
    request: Request,
    top_floor: str | None = Query(None, description="CSAT floor of top-tier customers, points"),
    high_floor: str | None = Query(None, description="CSAT floor of high-tier customers, points"),
    mid_floor: str | None = Query(None, description="CSAT floor of mid-tier customers, points"),
    low_floor: str | None = Query(None, description="CSAT floor of low-tier customers, points"),
    budget: str | None = Query(None, description="Service budget cap per year"),
    con: BaseBackend = Depends(analytics),
) -> HTMLResponse:
    """The whole page, or (for an htmx request) only the result fragment."""
    currency = request.app.state.settings.currency
    fragment = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request")
    texts = {"top": top_floor, "high": high_floor, "mid": mid_floor, "low": low_floor}
    ctx: dict[str, Any] = {"floors": {t: v or "" for t, v in texts.items()}, "budget": budget or "",
                           "rep": None, "error": None, "deferred": False}
    if not fragment and all(v is None for v in texts.values()) and budget is None:
        # Measuring a year of data takes a while: send the page at once and let htmx fetch the
        # result as soon as it is shown (a form submit without JavaScript computes it inline).
        ctx["deferred"] = True
        return _respond(request, "balance.html", ctx, 200)
    try:
        floors, cap = _parse_floors(texts), _parse_budget(budget)
        # measured once per data version (planning/cache.py); the floors and budget only re-solve
        model = cached_model(con, request.app.state.settings.database_url, floors=floors, budget=cap)
        rep = report(model, recommend_policy(model))
    except AppError as exc:
        ctx["error"] = exc.message
    else:
        changes = [{**row, "text": describe_change(row),
                    **{k: _finite(row[k]) for k in ("delta_service_cost", "delta_churn_cost",
                                                     "delta_net_cost", "delta_csat_points")}}
                   for row in rep["changes"]]
        ctx.update(rep=rep, changes=changes, charts=_charts(rep, currency))
    return _respond(request, "_balance_result.html" if fragment else "balance.html", ctx,
                    422 if ctx["error"] else 200)


def _respond(request: Request, template: str, ctx: dict[str, Any], status: int) -> HTMLResponse:
    response = render(request, template, ctx, status_code=status)
    response.headers["Vary"] = "HX-Request"
    return response
