"""The scenarios page: stored what-ifs, a form to create or edit one, runs and side-by-side compare.

Every number comes from :mod:`equipoise.planning.scenarios` (the same services as the
``/api/scenarios`` endpoints, with their default replications and seed), so the page shows what
the API returns. Runs and comparisons take seconds: htmx posts them and swaps the result in
place while a loading note shows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from ibis.backends import BaseBackend
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from equipoise.db.engine import session_scope
from equipoise.interfaces.api.deps import analytics, engine
from equipoise.interfaces.web import charts
from equipoise.interfaces.web.login import cost_user
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import AppError, InvalidInput
from equipoise.models.scenarios import Scenario, ScenarioRun
from equipoise.planning import scenarios as sc
from equipoise.planning.cache import cached_model
from equipoise.planning.levers import TEMPLATES, apply_lever

router = APIRouter(include_in_schema=False)

#: Parameters naming one code (a channel, a category, a complexity).
SINGLE_CODES = frozenset({"channel", "from_channel", "to_channel", "category", "complexity"})
#: Parameters naming one code, several (comma-separated) or, when blank, all of them.
CODE_LISTS = frozenset({"reasons", "tiers", "channels"})
#: Numeric parameters whose blank value means "the measured value".
OPTIONAL_NUMBERS = frozenset({"containment"})
#: Scenario names: they appear in links and element ids.
#: Simulator replications and seed of a run: the defaults of the scenario API endpoints.
REPLICATIONS, SEED = 3, 0
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


@dataclass(frozen=True)
class ParamField:
    """One form field of a lever parameter: its current text and what blank means."""

    name: str
    value: str
    kind: str  # "number" or "text"
    placeholder: str
    hint: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _blank_means(name: str) -> str:
    if name in CODE_LISTS:
        return "all"
    if name in OPTIONAL_NUMBERS:
        return "measured"
    return "any" if name in {"category", "complexity"} else "default"


def param_fields(lever: str, given: dict[str, Any] | None) -> list[ParamField]:
    """The form fields of lever ``lever``: the given values, else the template's defaults."""
    tpl = TEMPLATES[lever]
    values = tpl.params({k: v for k, v in (given or {}).items() if k in tpl.defaults})
    out = []
    for name, default in tpl.defaults.items():
        numeric = isinstance(default, int | float) and not isinstance(default, bool) \
            or name in OPTIONAL_NUMBERS
        hint = f"default {_text(default) or _blank_means(name)}"
        if name in CODE_LISTS:
            hint += "; several separated by commas"
        out.append(ParamField(name, _text(values[name]), "number" if numeric else "text",
                              _blank_means(name) if default is None else "", hint))
    return out


def parse_params(lever: str, form: dict[str, str]) -> dict[str, Any]:
    """Lever parameters from form fields ``param-<name>``; those equal to the default are left out."""
    if lever not in TEMPLATES:
        raise InvalidInput(f"lever: unknown {lever!r}; known: {', '.join(sorted(TEMPLATES))}",
                           field="lever")
    out: dict[str, Any] = {}
    for name, default in TEMPLATES[lever].defaults.items():
        text = (form.get(f"param-{name}") or "").strip()
        if not text:
            value: Any = None if default is None else default
        elif name in CODE_LISTS:
            items = [x.strip() for x in text.split(",") if x.strip()]
            value = items[0] if len(items) == 1 else items
        elif isinstance(default, int | float) or name in OPTIONAL_NUMBERS:
            try:
                value = float(text.replace(",", ""))
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise InvalidInput(f"{name}: expected a number, got {text!r}",
                                   field=f"param-{name}")
        else:
            value = text
        if value != default:
            out[name] = value
    return out


def _error_field(message: str, lever: str) -> str | None:
    """The form field a lever's error message names (messages start with ``<param>:``)."""
    head = message.split(":", 1)[0].strip()
    return f"param-{head}" if head in TEMPLATES[lever].defaults else None


def _last_runs(session: Session) -> dict[int, ScenarioRun]:
    latest: dict[int, ScenarioRun] = {}
    for run in session.scalars(select(ScenarioRun).order_by(ScenarioRun.ran_at, ScenarioRun.id)):
        latest[run.scenario_id] = run
    return latest


def scenario_rows(session: Session) -> list[dict[str, Any]]:
    """Every stored scenario with its parameters and its last run's headline effects."""
    runs = _last_runs(session)
    rows = []
    for s in sc.list_scenarios(session):
        run = runs.get(s.id)
        last = None
        if run is not None:
            last = {"ran_at": run.ran_at.strftime("%Y-%m-%d %H:%M"),
                    "service_cost": run.delta_service_cost, "churn_cost": run.delta_churn_cost,
                    "net_cost": run.delta_service_cost + run.delta_churn_cost,
                    "csat_points": run.delta_csat_points,
                    "gap_points": None if run.simulation_gap is None
                    else 100.0 * run.simulation_gap}
        params = "; ".join(f"{k} = {_text(v) or _blank_means(k)}" for k, v in
                           (s.params or {}).items()) or "template defaults"
        rows.append({"name": s.name, "lever": s.lever, "description": s.description,
                     "params": params, "last": last})
    return rows


def _source(request: Request) -> str:
    """The database the measured model is cached under (planning/cache.py)."""
    return request.app.state.settings.database_url


def _is_fragment(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request")


def _token(request: Request, form: dict[str, str]) -> str | None:
    """The session's CSRF token for forms rendered in answer to a POST (it was checked)."""
    return getattr(request.state, "csrf_token", None) or request.headers.get("X-CSRF-Token") \
        or form.get("csrf_token")


def _respond(request: Request, template: str, ctx: dict[str, Any], status: int = 200):
    response = render(request, template, ctx, status_code=status)
    response.headers["Vary"] = "HX-Request"
    return response


def _form_ctx(lever: str, params: dict[str, Any] | None, *, name: str = "",
              description: str = "", editing: bool = False, error: str | None = None,
              error_field: str | None = None, saved: str | None = None) -> dict[str, Any]:
    return {"form": {"name": name, "lever": lever, "description": description,
                     "editing": editing, "fields": param_fields(lever, params),
                     "template": TEMPLATES[lever], "error": error,
                     "error_field": error_field, "saved": saved},
            "levers": TEMPLATES}


def _page_ctx(session: Session) -> dict[str, Any]:
    rows = scenario_rows(session)
    names = [r["name"] for r in rows]
    return {"rows": rows, "names": names, "replications": REPLICATIONS,
            "pick_a": names[0] if names else "", "pick_b": names[1] if len(names) > 1 else ""}


def _words(code: str) -> str:
    return code.replace("_", " ")


def _side(rows: dict[str, Any], key: str) -> dict[str, Any]:
    return rows[key] if key in rows else {}


def compare_context(cmp: dict[str, Any], currency: str) -> dict[str, Any]:
    """Rows of the side-by-side tables and the charts of a comparison (``sc.compare``'s result)."""
    a, b = cmp["a"], cmp["b"]
    base = a["baseline"]
    costs = [{"key": k, "today": base[k], "a": a["scenario"][k], "b": b["scenario"][k],
              "diff": b["scenario"][k] - a["scenario"][k]}
             for k in ("service_cost", "churn_cost", "net_cost", "csat_points")]
    tiers = [{"key": t, "today": v, "a": _side(a["scenario"]["csat_points_by_tier"], t),
              "b": _side(b["scenario"]["csat_points_by_tier"], t)}
             for t, v in base["csat_points_by_tier"].items()]
    codes = list(dict.fromkeys([*base["contacts_by_channel"], *a["scenario"]["contacts_by_channel"],
                                *b["scenario"]["contacts_by_channel"]]))
    contacts = [{"key": c, "today": base["contacts_by_channel"].get(c),
                 "a": a["scenario"]["contacts_by_channel"].get(c),
                 "b": b["scenario"]["contacts_by_channel"].get(c)} for c in codes]
    for row in (*tiers, *contacts):
        row["a"] = row["a"] if row["a"] != {} else None
        row["b"] = row["b"] if row["b"] != {} else None
        row["diff"] = None if row["a"] is None or row["b"] is None else row["b"] - row["a"]
    return {"a": a, "b": b, "costs": costs, "tiers": tiers, "contacts": contacts,
            "charts": compare_charts(a, b, currency)}


def compare_charts(a: dict[str, Any], b: dict[str, Any], currency: str) -> dict[str, Any]:
    """The effect of each scenario on cost, and its service level by model and by simulation."""
    labels = ["Service cost", "Churn cost", "Net cost"]
    keys = ("service_cost", "churn_cost", "net_cost")
    effect = charts.figure(
        "Effect per year against today",
        [charts.bar(labels, [a["delta"][k] for k in keys], f"A: {a['name']}", unit=currency),
         charts.bar(labels, [b["delta"][k] for k in keys], f"B: {b['name']}", unit=currency,
                    colour=1)],
        x_title="Cost", y_title=charts.axis_title("Change against today", f"{currency} per year"),
        y_from_zero=False)
    codes = list(dict.fromkeys(c["channel"] for run in (a, b) for c in run["simulation"]))
    names = [charts.wrap_label(_words(code)) for code in codes]
    traces = []
    for tag, run, colour in (("A", a, 0), ("B", b, 1)):
        checks = {c["channel"]: c for c in run["simulation"]}
        if not checks:
            continue

        def level(code: str, side: str, checks: dict[str, Any] = checks) -> float | None:
            return 100.0 * checks[code][side]["service_level"] if code in checks else None

        traces.append(charts.bar(names, [level(c, "analytic") for c in codes],
                                 f"{tag} model", unit="%", digits=1, colour=colour))
        sim = charts.bar(names, [level(c, "simulated") for c in codes], f"{tag} simulated",
                         unit="%", digits=1, colour=colour)
        sim["marker"]["pattern"] = {"shape": "/"}
        sim["marker"]["opacity"] = 0.6
        traces.append(sim)
    out = {"effect": effect, "service_level": None}
    if traces:
        out["service_level"] = charts.figure(
            "Service level: model (Erlang A) vs simulation", traces, x_title="Queue",
            y_title=charts.axis_title("Service level", "%"), y_range=[0, 105])
    return out


@router.get("/scenarios", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def scenarios_page(request: Request, eng: Engine = Depends(engine)) -> HTMLResponse:
    """The stored scenarios, the editor (a new scenario) and the compare form."""
    with session_scope(eng) as s:
        ctx = {**_page_ctx(s), **_form_ctx("channel_shift", None), "run": None, "cmp": None}
    return _respond(request, "scenarios.html", ctx)


@router.get("/scenarios/form", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def scenario_form(request: Request, name: str = Query(""), lever: str | None = Query(None),
                  editing: str = Query(""), description: str = Query(""),
                  eng: Engine = Depends(engine)) -> HTMLResponse:
    """The editor: a stored scenario (``name`` alone), or the fields of the template ``lever``."""
    if lever is None and name:
        with session_scope(eng) as s:
            found = sc.get_scenario(s, name)
            ctx = _form_ctx(found.lever, found.params, name=found.name,
                            description=found.description, editing=True)
    else:
        chosen = lever if lever in TEMPLATES else "channel_shift"
        ctx = _form_ctx(chosen, None, name=name, description=description,
                        editing=editing == "1")
    return _respond(request, "_scenarios_form.html", ctx)


@router.post("/scenarios/save", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
async def scenario_save(request: Request, eng: Engine = Depends(engine),
                        con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """Create or edit a scenario; a 422 shows the error next to the field it names."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    token = {"csrf_token": _token(request, form)}
    lever = form.get("lever", "")
    name = form.get("name", "").strip()
    editing = form.get("editing") == "1"
    description = form.get("description", "").strip()
    keep = lever if lever in TEMPLATES else "channel_shift"
    raw = {k[6:]: v for k, v in form.items() if k.startswith("param-")}
    try:
        params = parse_params(lever, form)
        with session_scope(eng) as s:
            exists = s.scalar(select(Scenario.id).where(Scenario.name == name)) is not None
        if not (editing and exists) and not NAME_PATTERN.fullmatch(name):  # stored names stay
            raise InvalidInput("name: expected 1-100 letters, digits, '-' or '_' starting with a "
                               f"letter or digit, got {name!r}", field="name")
        if exists and not editing:
            raise InvalidInput(f"name: a scenario named {name!r} exists; edit it from the list "
                               "or choose another name", field="name")
        try:
            apply_lever(cached_model(con, _source(request)), lever, params)
        except ValueError as exc:
            raise InvalidInput(str(exc), field=_error_field(str(exc), lever)) from exc
        with session_scope(eng) as s:
            sc.save_scenario(s, name, lever, params, description)
    except AppError as exc:
        ctx = _form_ctx(keep, None, name=name, description=description, editing=editing,
                        error=exc.message, error_field=exc.field)
        typed = {f.name: raw.get(f.name, f.value) for f in ctx["form"]["fields"]}
        ctx["form"]["fields"] = [ParamField(f.name, typed[f.name], f.kind, f.placeholder, f.hint)
                                 for f in ctx["form"]["fields"]]
        if not _is_fragment(request):  # a form posted without JavaScript: the whole page
            with session_scope(eng) as s:
                ctx.update(_page_ctx(s), run=None, cmp=None)
            return _respond(request, "scenarios.html", {**ctx, **token}, 422)
        return _respond(request, "_scenarios_form.html", {**ctx, **token}, 422)
    with session_scope(eng) as s:
        ctx = {**_page_ctx(s), **_form_ctx(lever, params, name=name, description=description,
                                           editing=True,
                                           saved="updated" if editing else "created"),
               "oob": _is_fragment(request)}
    return _respond(request, "_scenarios_form.html" if _is_fragment(request)
                    else "scenarios.html", {**ctx, **token, "run": None, "cmp": None})


@router.post("/scenarios/run", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
async def scenario_run(request: Request, eng: Engine = Depends(engine),
                       con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """Run a stored scenario (model and simulator check); the list shows the new last run."""
    form = await request.form()
    name = str(form.get("name", ""))
    ctx: dict[str, Any] = {"run": None, "run_error": None, "oob": True}
    try:
        model = cached_model(con, _source(request))
        with session_scope(eng) as s:
            ctx["run"] = sc.run_scenario(s, model, name, replications=REPLICATIONS,
                                          seed=SEED)
    except AppError as exc:
        ctx["run_error"] = exc.message
    with session_scope(eng) as s:
        ctx.update(_page_ctx(s))
    return _respond(request, "_scenarios_run.html", ctx, 422 if ctx["run_error"] else 200)


@router.get("/scenarios/compare", response_class=HTMLResponse, dependencies=[Depends(cost_user)])
def scenario_compare(request: Request, a: str = Query(""), b: str = Query(""),
                     eng: Engine = Depends(engine),
                     con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """Two scenarios side by side: costs, CSAT by tier, contacts by channel, simulator check."""
    currency = request.app.state.settings.currency
    ctx: dict[str, Any] = {"cmp": None, "cmp_error": None, "oob": True}
    try:
        if not a or not b:
            raise InvalidInput("a, b: choose two scenarios to compare", field="a" if not a else "b")
        model = cached_model(con, _source(request))
        with session_scope(eng) as s:
            ctx["cmp"] = compare_context(
                sc.compare(s, model, a, b, replications=REPLICATIONS, seed=SEED), currency)
    except AppError as exc:
        ctx["cmp_error"] = exc.message
    with session_scope(eng) as s:
        ctx.update(_page_ctx(s), pick_a=a, pick_b=b)
    fragment = _is_fragment(request)
    if not fragment:
        ctx.update(_form_ctx("channel_shift", None), run=None, oob=False)
    return _respond(request, "_scenarios_compare.html" if fragment else "scenarios.html", ctx,
                    422 if ctx["cmp_error"] else 200)


__all__ = ["ParamField", "param_fields", "parse_params", "router", "scenario_rows"]
