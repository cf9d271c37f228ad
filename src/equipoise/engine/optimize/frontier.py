"""The cost-satisfaction frontier and the balance point.

Definitions:

* **Frontier** (axis ``"csat"``): for each overall CSAT floor f on a grid from the CSAT of the
  cheapest feasible policy to the highest CSAT reachable, the policy of least *service* cost
  whose volume-weighted overall CSAT is >= f (tier floors, budget, shift and capacity limits
  still apply). Axis ``"budget"`` traces the same curve from the other side: for each budget cap
  B on a grid from the least service cost to the cost of the best-CSAT policy, the policy of
  highest overall CSAT costing <= B.
* **Balance point**: the frontier point with the lowest net cost = service cost + expected
  churn cost (equivalently the highest margin retained minus service cost, since retained
  margin = margin at risk - churn cost). Its precision is the grid spacing.
* **Optimum**: the direct minimum of service + churn cost over all feasible policies. Its net
  cost is never above the balance point's; it can sit inside the overall-CSAT frontier because
  churn cost depends on which tiers get the satisfaction (a top-tier customer lost costs more)
  and on resolution, not on the overall CSAT alone.
* **Recommended policy** (:attr:`Frontier.recommended`): the optimum when its net cost is below
  the balance point's (the usual case), otherwise the balance point. The ranked changes of
  :func:`recommend` lead from today's policy to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from equipoise.engine.optimize.changes import rank_changes
from equipoise.engine.optimize.coefficients import build_coefficients, current_policy, evaluate
from equipoise.engine.optimize.inputs import ProblemInputs
from equipoise.engine.optimize.model import solve
from equipoise.engine.optimize.results import ChangePlan, Frontier, FrontierPoint

__all__ = ["AXES", "Recommendation", "recommend", "trace_frontier"]

AXES = ("csat", "budget")
_REL = 1e-9


def trace_frontier(
    p: ProblemInputs,
    *,
    points: int = 20,
    axis: str = "csat",
    mip_gap: float = 1e-7,
    with_optimum: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Frontier:
    """Trace the frontier with ``points`` solves along ``axis`` and mark the balance point."""
    if axis not in AXES:
        raise ValueError(f"axis: expected one of {AXES}, got {axis!r}")
    if not isinstance(points, int) or points < 2:
        raise ValueError(f"points: expected an integer >= 2, got {points!r}")
    coef = build_coefficients(p)
    cheapest = solve(p, objective="service", mip_gap=mip_gap, coef=coef)
    best = solve(p, objective="csat", mip_gap=mip_gap, coef=coef)
    results: list[FrontierPoint] = []
    if axis == "csat":
        lo, hi = cheapest.evaluation.csat_overall, best.evaluation.csat_overall
        hi = max(lo, hi)
        for i, f in enumerate(np.linspace(lo, hi, points)):
            target = float(f) - _REL * max(1.0, abs(float(f)))
            sol = solve(p, objective="service", csat_target=target, mip_gap=mip_gap, coef=coef)
            results.append(FrontierPoint(float(f), sol))
            if progress is not None:
                progress(i + 1, points)
    else:
        top = best.evaluation.csat_overall
        top_target = top - _REL * max(1.0, abs(top))
        best_cheap = solve(
            p, objective="service", csat_target=top_target, mip_gap=mip_gap, coef=coef
        )
        lo, hi = cheapest.evaluation.service_cost, best_cheap.evaluation.service_cost
        hi = max(lo, hi)
        for i, b in enumerate(np.linspace(lo, hi, points)):
            cap = float(b) * (1.0 + 1e-7) + 1e-6
            sol = solve(p, objective="csat", budget=cap, mip_gap=mip_gap, coef=coef)
            results.append(FrontierPoint(float(b), sol))
            if progress is not None:
                progress(i + 1, points)
    totals = np.array([pt.total_cost for pt in results])
    optimum = solve(p, objective="total", mip_gap=mip_gap, coef=coef) if with_optimum else None
    return Frontier(
        axis=axis,
        points=tuple(results),
        balance_index=int(np.argmin(totals)),
        current=evaluate(p, current_policy(p), coef),
        optimum=optimum,
    )


@dataclass(frozen=True, eq=False)
class Recommendation:
    """The frontier (balance point, optimum) and the ranked changes to the recommended policy."""

    frontier: Frontier
    plan: ChangePlan


def recommend(
    p: ProblemInputs,
    *,
    points: int = 20,
    axis: str = "csat",
    mip_gap: float = 1e-7,
    progress: Callable[[int, int], None] | None = None,
) -> Recommendation:
    """Trace the frontier, pick the recommended policy and rank the changes from today to it."""
    frontier = trace_frontier(p, points=points, axis=axis, mip_gap=mip_gap, progress=progress)
    plan = rank_changes(p, frontier.recommended.policy)
    return Recommendation(frontier=frontier, plan=plan)
