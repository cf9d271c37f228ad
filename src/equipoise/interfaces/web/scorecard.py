"""The scorecard page: drill down company → org unit → team → agent → indicator → raw KPI.

Each level shows the entity's total 1–5 score, its dimension scores and every indicator with
the raw KPI value and the bands that turned it into a score, and lists the entities one level
down with their scores; clicking one swaps the result with htmx (the URL follows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from ibis.backends import BaseBackend

from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import Period
from equipoise.analytics.registry import get_metric
from equipoise.analytics.scorecard import Scorecard, load_scorecard
from equipoise.analytics.scoring import Entity, ScorecardResult, evaluate, evaluate_all
from equipoise.interfaces.api.deps import analytics
from equipoise.interfaces.web import budgets as budgets_page
from equipoise.interfaces.web import charts
from equipoise.interfaces.web import costs as costs_page
from equipoise.interfaces.web.costs import data_months, is_fragment, month_choices, pick_period
from equipoise.interfaces.web.format import metric
from equipoise.interfaces.web.login import page_user
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import AppError, InvalidInput

router = APIRouter(include_in_schema=False)

#: What the scores mean (anchors ``#scorecard-def-<key>`` on the page).
DEFINITIONS: dict[str, tuple[str, str]] = {
    "total": ("Total score", "Weighted mean of the dimension scores, 1 (poor) to 5 (target met); "
              "the weights of dimensions without data are spread over the others."),
    "dimension": ("Dimension score", "Weighted mean of the dimension's indicator scores (1–5)."),
    "indicator": ("Indicator score", "The raw KPI placed in the indicator's bands: 5 when the "
                  "first threshold is met, then 4, 3, 2; anything worse scores 1."),
    "weight": ("Weight", "Share of the dimension in the total, or of the indicator in its "
               "dimension, set directly or derived by AHP from pairwise comparisons."),
    "raw": ("Raw KPI", "The registry metric measured for the entity and period (with the "
            "indicator's own filter, e.g. phone only); follow its link for the definition."),
}
_GOOD, _BAD = (47, 125, 79), (196, 69, 60)


def score_colour(score: float | None) -> str:
    """A light background for a 1–5 score: red at 1, white at 3, green at 5."""
    if score is None:
        return "transparent"
    t = max(-1.0, min(1.0, (float(score) - 3.0) / 2.0))
    base, t = (_GOOD, t) if t >= 0 else (_BAD, -t)
    r, g, b = (round(255 + (c - 255) * t * 0.45) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class Node:
    """An entity of the drill-down: its entity string, display name and kind."""

    entity: str
    name: str
    kind: str


@dataclass(frozen=True)
class Org:
    """The org tree (units by code) and the agents (by code) with their team."""

    units: dict[str, tuple[str, str, str | None]]  # code -> (name, kind, parent code)
    agents: dict[str, tuple[str, str | None]]  # code -> (name, team code)

    def node(self, entity: Entity) -> Node:
        if entity.kind == "company":
            return Node("company", "Company", "company")
        code = entity.code or ""
        if entity.kind == "agent":
            return Node(str(entity), self.agents[code][0], "agent")
        return Node(str(entity), self.units[code][0], self.units[code][1])

    def unit_node(self, code: str) -> Node:
        name, kind, _ = self.units[code]
        return Node(f"{'team' if kind == 'team' else 'unit'}:{code}", name, kind)

    @property
    def roots(self) -> list[str]:
        return [c for c, (_, _, parent) in self.units.items() if parent is None]

    def children(self, code: str | None) -> list[str]:
        return [c for c, (_, _, parent) in self.units.items() if parent == code]


def read_org(facts: Facts) -> Org:
    """The org units and agents, in code order."""
    u = facts.table("org_units").select("id", "code", "name", "kind", "parent_id").to_pandas()
    code_of = dict(zip(u["id"].astype(int), u["code"], strict=True))
    units = {r.code: (r.name, r.kind, None if r.parent_id != r.parent_id or r.parent_id is None
                      else code_of.get(int(r.parent_id)))
             for r in u.sort_values("code").itertuples(index=False)}
    a = facts.table("agents").select("code", "name", "team_id").to_pandas().sort_values("code")
    agents = {r.code: (r.name, code_of.get(int(r.team_id))) for r in a.itertuples(index=False)}
    return Org(units, agents)


def _parse(text: str, org: Org) -> Entity:
    try:
        entity = Entity.parse(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="entity") from None
    known = {"company": True, "unit": entity.code in org.units, "team": entity.code in org.units,
             "agent": entity.code in org.agents}
    if not known.get(entity.kind, False):
        raise InvalidInput(f"entity: no {entity.kind} {entity.code!r}; expected company, "
                           "unit:CODE, team:CODE or agent:CODE", field="entity")
    return entity


def crumbs(org: Org, entity: Entity) -> list[Node]:
    """The path from the company down to ``entity`` (a single top unit stands for the company)."""
    path: list[Node] = []
    code = entity.code if entity.kind != "agent" else org.agents[entity.code or ""][1]
    while code is not None and entity.kind != "company":
        path.insert(0, org.unit_node(code))
        code = org.units[code][2]
    if len(org.roots) == 1 and path and path[0].entity.endswith(":" + org.roots[0]):
        path = path[1:]
    tail = [org.node(entity)] if entity.kind == "agent" else []
    return [Node("company", "Company", "company"), *path, *tail]


def children(org: Org, entity: Entity) -> list[Node]:
    """The entities one level down: units below, or a team's agents."""
    if entity.kind == "agent":
        return []
    if entity.kind == "company":
        roots = org.roots
        codes = org.children(roots[0]) if len(roots) == 1 else roots
    else:
        codes = org.children(entity.code)
    if codes:
        return [org.unit_node(c) for c in codes]
    return [Node(f"agent:{c}", name, "agent") for c, (name, team) in org.agents.items()
            if team == entity.code]


def child_scores(card: Scorecard, facts: Facts, nodes: list[Node], period: Period | None
                 ) -> list[tuple[Node, ScorecardResult | None]]:
    """Each child's scorecard (agents in one pass); None for an agent without data."""
    if nodes and all(n.kind == "agent" for n in nodes):
        by_entity = {r.entity: r for r in evaluate_all(card, facts, "agent", period)}
        return [(n, by_entity.get(n.entity)) for n in nodes]
    return [(n, evaluate(card, facts, n.entity, period)) for n in nodes]


def bands_text(ind: Any, currency: str) -> str:
    """``5 ≤ 30 s · 4 ≤ 60 s · 3 ≤ 2.0 min · 2 ≤ 4.0 min · else 1``."""
    sign = "≥" if ind.better == "higher" else "≤"
    parts = [f"{p} {sign} {metric(t, ind.unit, currency)}" for p, t in zip((5, 4, 3, 2), ind.bands,
                                                                         strict=True)]
    return " · ".join([*parts, "else 1"])


def dimension_chart(result: ScorecardResult, name: str) -> dict[str, Any]:
    """Bars of the dimension scores (1–5) of one entity."""
    dims = result.dimensions
    trace = charts.bar([charts.wrap_label(d.name, 12) for d in dims], [d.score for d in dims],
                       "Score", unit="points of 5", digits=2)
    trace["marker"] = {"color": [score_colour(d.score) if d.score is not None else "#ccc"
                                 for d in dims], "line": {"color": "#7a8794", "width": 1}}
    return charts.figure(f"Dimension scores: {name}", [trace], x_title="Dimension",
                         y_title=charts.axis_title("Score", "1–5"), y_range=[0, 5], height=300)


def scorecard_view(facts: Facts, entity_text: str, period: Period | None, currency: str
                   ) -> dict[str, Any]:
    """Everything the result shows: the entity's scorecard, its path, its children's scores."""
    org = read_org(facts)
    entity = _parse(entity_text, org)
    card = load_scorecard()
    result = evaluate(card, facts, entity, period)
    node = org.node(entity)
    indicators = {i.key: {"metric": get_metric(i.metric), "bands": bands_text(i, currency)}
                  for d in result.dimensions for i in d.indicators}
    return {"result": result, "node": node, "crumbs": crumbs(org, entity),
            "has_children": bool(children(org, entity)), "indicators": indicators,
            "figure": dimension_chart(result, node.name)}


def _embed(text: str) -> str:
    """Where the scorecard is shown: '' on its own page, 'overview' on the Overview."""
    if text not in ("", "overview"):
        raise InvalidInput(f"embed: expected 'overview' or nothing, got {text!r}", field="embed")
    return text


@router.get("/scorecard", response_class=HTMLResponse, dependencies=[Depends(page_user)])
def scorecard(request: Request,
              entity: str = Query("company", description="company, unit:CODE, team:CODE, agent:CODE"),
              period: str | None = Query(None, description="A month (2026-01) or quarter"),
              embed: str = Query("", description="'overview': links for the scorecard on the Overview"),
              con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """The whole page, or (for an htmx request) the result of one entity and period."""
    facts = Facts(con)
    choices = month_choices(data_months(facts), everything="All recorded data")
    ctx: dict[str, Any] = {"choices": choices, "period": (period or "").strip(), "entity": entity,
                           "definitions": DEFINITIONS, "colour": score_colour, "error": None,
                           "embed": _embed(embed)}
    try:
        p = pick_period(period, choices)
        ctx.update(scorecard_view(facts, entity, p, request.app.state.settings.currency))
    except AppError as exc:
        ctx["error"] = exc.message
    fragment = is_fragment(request)
    ctx["oob"] = fragment
    response = render(request, "_scorecard_result.html" if fragment else "scorecard.html", ctx,
                      status_code=422 if ctx["error"] else 200)
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/scorecard/children", response_class=HTMLResponse, dependencies=[Depends(page_user)])
def scorecard_children(request: Request, entity: str = Query("company"),
                       period: str | None = Query(None), embed: str = Query(""),
                       con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    """The scores of the entities one level below ``entity`` (an htmx fragment)."""
    facts = Facts(con)
    ctx: dict[str, Any] = {"period": (period or "").strip(), "colour": score_colour, "error": None,
                           "embed": _embed(embed)}
    try:
        p = pick_period(period, month_choices(data_months(facts), everything="all"))
        org = read_org(facts)
        card = load_scorecard()
        ctx.update(dimensions=card.dimensions,
                   children=child_scores(card, facts, children(org, _parse(entity, org)), p))
    except AppError as exc:
        ctx["error"] = exc.message
    return render(request, "_scorecard_children.html", ctx,
                  status_code=422 if ctx["error"] else 200)


#: The scorecard, cost-to-serve and budgets pages together, for the app to mount at once.
pages = APIRouter(include_in_schema=False)
for _module in (costs_page, budgets_page):
    pages.include_router(_module.router)
pages.include_router(router)
