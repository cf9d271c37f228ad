"""The balance point over HTTP: optimise, frontier and scenarios (same services as the CLI)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Query
from ibis.backends import BaseBackend
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from equipoise.db.engine import session_scope
from equipoise.interfaces.api.auth import require_roles
from equipoise.interfaces.api.deps import analytics, engine
from equipoise.kit.errors import InvalidInput
from equipoise.planning import scenarios as sc
from equipoise.planning.balance import build_model, recommend_policy, report
from equipoise.planning.cache import cached_model
from equipoise.planning.levers import TEMPLATES

#: Balance and scenarios are figures in money (service and churn cost): managers and admins only.
router = APIRouter(tags=["balance"], dependencies=[Depends(require_roles("manager", "admin"))])


class ScenarioWrite(BaseModel):
    """A scenario: a lever template and the parameters overriding its defaults."""

    lever: str
    params: dict[str, Any] = Field(default_factory=dict)
    description: str = ""


def _floors(text: str | None) -> dict[str, float]:
    floors = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        tier, _, value = part.partition("=")
        try:
            points = float(value)
        except ValueError:
            points = math.nan
        if not tier.strip() or not 0.0 <= points <= 100.0:
            raise InvalidInput(f"csat_floor: expected tier=points (0..100), got {part!r}",
                               field="csat_floor")
        floors[tier.strip()] = points / 100.0
    return floors


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _report(con: BaseBackend, csat_floor: str | None, budget: float | None,
            points: int) -> dict[str, Any]:
    model = cached_model(con, floors=_floors(csat_floor), budget=budget)
    return report(model, recommend_policy(model, points=points))


@router.get("/balance/optimize")
def get_optimize(
    csat_floor: str | None = Query(None, description="Floors in CSAT points: top=90,high=85"),
    budget: float | None = Query(None, ge=0), points: int = Query(20, ge=20, le=200),
    con: BaseBackend = Depends(analytics),
) -> dict:
    """Recommended policy, current state, balance point, frontier and ranked changes."""
    return _clean(_report(con, csat_floor, budget, points))


@router.get("/balance/frontier")
def get_frontier(
    csat_floor: str | None = Query(None), budget: float | None = Query(None, ge=0),
    points: int = Query(20, ge=20, le=200), con: BaseBackend = Depends(analytics),
) -> dict:
    """The cost-satisfaction frontier with the balance point and the current state."""
    result = _report(con, csat_floor, budget, points)
    return _clean({k: result[k] for k in ("frontier", "current", "balance_point", "measured")})


@router.get("/scenarios")
def get_scenarios(eng: Engine = Depends(engine)) -> dict:
    """Stored scenarios and the lever templates with their defaults."""
    with session_scope(eng) as s:
        rows = [{"name": x.name, "lever": x.lever, "params": x.params,
                 "description": x.description} for x in sc.list_scenarios(s)]
    return {"scenarios": rows,
            "templates": {k: {"description": t.description, "defaults": dict(t.defaults)}
                          for k, t in TEMPLATES.items()}}


@router.put("/scenarios/{name}")
def put_scenario(name: str, body: ScenarioWrite, eng: Engine = Depends(engine)) -> dict:
    """Create or edit a scenario."""
    with session_scope(eng) as s:
        saved = sc.save_scenario(s, name, body.lever, body.params, body.description)
        return {"name": saved.name, "lever": saved.lever, "params": saved.params,
                "description": saved.description}


@router.post("/scenarios/{name}/run")
def run_scenario(name: str, replications: int = Query(3, ge=2, le=20),
                 seed: int = Query(0, ge=0, le=2**32 - 1),
                 simulate: bool = True, eng: Engine = Depends(engine),
                 con: BaseBackend = Depends(analytics)) -> dict:
    """Evaluate a stored scenario and cross-check it with the simulator; the run is stored."""
    model = build_model(con)
    with session_scope(eng) as s:
        return _clean(sc.run_scenario(s, model, name, replications=replications, seed=seed,
                                      simulate=simulate))


@router.get("/scenarios/compare")
def compare_scenarios(a: str, b: str, replications: int = Query(3, ge=2, le=20),
                      seed: int = Query(0, ge=0, le=2**32 - 1),
                      simulate: bool = True, eng: Engine = Depends(engine),
                      con: BaseBackend = Depends(analytics)) -> dict:
    """Run two scenarios and set their effects side by side (b - a)."""
    model = build_model(con)
    with session_scope(eng) as s:
        return _clean(sc.compare(s, model, a, b, replications=replications, seed=seed,
                                 simulate=simulate))
