"""Properties of the optimiser, the frontier and the change ranking on random instances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from equipoise.engine.optimize import (
    InfeasibleError,
    current_policy,
    evaluate,
    rank_changes,
    recommend,
    solve,
    trace_frontier,
)
from equipoise.engine.optimize.synthetic import synthetic_problem

TOL = 1e-6

instances = st.builds(
    lambda seed, tiers, reasons, channels, sl, shift, budget: synthetic_problem(
        np.random.default_rng(seed),
        tiers=tiers,
        reasons=reasons,
        channels=channels,
        sl_options=sl,
        eligibility=0.6,
        max_shift=shift,
        budget_factor=budget,
    ),
    seed=st.integers(0, 2**32 - 1),
    tiers=st.integers(1, 3),
    reasons=st.integers(1, 4),
    channels=st.integers(2, 6),
    sl=st.integers(1, 3),
    shift=st.one_of(st.none(), st.floats(0.05, 0.6)),
    budget=st.one_of(st.none(), st.floats(0.8, 1.2)),
)


def _solve_or_skip(p, **kw):
    try:
        return solve(p, **kw)
    except InfeasibleError:
        assume(False)


@settings(max_examples=30)
@given(instances, st.sampled_from(["total", "service", "csat"]))
def test_solutions_respect_every_constraint(p, objective):
    sol = _solve_or_skip(p, objective=objective)
    share = sol.policy.share
    active = p.volume > 0
    np.testing.assert_allclose(share.sum(axis=2)[active], 1.0, atol=1e-9)
    assert np.all(share[~p.eligible & active[:, :, None]] == 0.0)
    assert np.all(share >= 0)
    ev = sol.evaluation
    if p.budget is not None:
        assert ev.service_cost <= p.budget * (1 + TOL)
    if p.max_shift is not None:
        moved = np.abs(share - p.current_share)[p.eligible & active[:, :, None]]
        assert np.all(moved <= p.max_shift + 1e-7)
    for t in p.tiers:
        if t.csat_floor is not None:
            assert ev.csat_by_tier[t.code] >= t.csat_floor - 1e-7
    assert ev.total_cost >= 0


@settings(max_examples=10)
@given(instances)
def test_objectives_are_optimal_against_each_other(p):
    total = _solve_or_skip(p, objective="total")
    service = solve(p, objective="service")
    csat = solve(p, objective="csat")
    rel = 1e-6
    assert total.evaluation.total_cost <= service.evaluation.total_cost * (1 + rel)
    assert total.evaluation.total_cost <= csat.evaluation.total_cost * (1 + rel)
    assert service.evaluation.service_cost <= total.evaluation.service_cost * (1 + rel)
    assert csat.evaluation.csat_overall >= total.evaluation.csat_overall - 1e-7


@settings(max_examples=8)
@given(instances, st.sampled_from(["csat", "budget"]))
def test_frontier_is_monotone(p, axis):
    try:
        frontier = trace_frontier(p, points=5, axis=axis, with_optimum=True)
    except InfeasibleError:
        assume(False)
    costs = np.array([pt.service_cost for pt in frontier.points])
    csats = np.array([pt.csat for pt in frontier.points])
    targets = np.array([pt.target for pt in frontier.points])
    assert np.all(np.diff(targets) >= 0)
    scale = max(1.0, costs.max())
    # a higher CSAT floor never lowers the minimum cost; more budget never lowers the best CSAT
    assert np.all(np.diff(costs) >= -1e-6 * scale)
    assert np.all(np.diff(csats) >= -1e-7)
    if axis == "csat":
        assert np.all(csats >= targets - 1e-7)
    else:
        assert np.all(costs <= targets * (1 + 1e-6) + 1e-5)
    totals = [pt.total_cost for pt in frontier.points]
    assert frontier.balance.total_cost == min(totals)
    assert frontier.optimum.evaluation.total_cost <= frontier.balance.total_cost * (1 + 1e-6)
    for pt in frontier.points:
        assert not np.any(pt.solution.policy.share[~p.eligible & (p.volume > 0)[:, :, None]])


@settings(max_examples=15)
@given(instances)
def test_change_effects_add_up(p):
    sol = _solve_or_skip(p, objective="total")
    plan = rank_changes(p, sol.policy)
    today = evaluate(p, current_policy(p))
    scale = max(1.0, today.total_cost)
    assert plan.total_delta_cost == pytest.approx(
        sol.evaluation.total_cost - today.total_cost, abs=1e-7 * scale
    )
    d_service = sum(c.delta_service_cost for c in plan.changes)
    assert d_service == pytest.approx(
        sol.evaluation.service_cost - today.service_cost, abs=1e-7 * scale
    )
    d_csat = sum(c.delta_csat_points for c in plan.changes)
    assert d_csat == pytest.approx(
        100 * (sol.evaluation.csat_overall - today.csat_overall), abs=1e-7
    )
    for t in p.tiers:
        d_tier = sum(c.delta_csat_points_by_tier.get(t.code, 0.0) for c in plan.changes)
        expected = 100 * (sol.evaluation.csat_by_tier[t.code] - today.csat_by_tier[t.code])
        assert d_tier == pytest.approx(expected, abs=1e-7)


def test_frontier_has_twenty_points_and_balance_point():
    p = synthetic_problem(np.random.default_rng(42), tiers=2, reasons=3, channels=5, max_shift=0.5)
    calls = []
    rec = recommend(p, points=20, progress=lambda i, n: calls.append((i, n)))
    f = rec.frontier
    assert len(f.points) == 20 and calls[-1] == (20, 20)
    assert f.current.total_cost == pytest.approx(evaluate(p, current_policy(p)).total_cost)
    # today's policy is feasible here (floors sit below today's CSAT, no budget), so the direct
    # optimum is never worse than today, and the balance point is the cheapest frontier point
    assert f.optimum.evaluation.total_cost <= f.current.total_cost * (1 + 1e-9)
    assert f.balance.total_cost == min(pt.total_cost for pt in f.points)
    plan = rec.plan
    assert f.recommended.evaluation.total_cost <= f.balance.total_cost
    assert plan.target.total_cost == pytest.approx(f.recommended.evaluation.total_cost)
    # greedy order: until a service-level change is applied, mix changes have fixed values, so
    # the values of the mix changes picked before it never decrease
    first_sl = next((i for i, c in enumerate(plan.changes) if c.kind == "service_level"), None)
    head = [c.delta_total_cost for c in plan.changes[:first_sl] if c.kind == "mix"]
    assert len(head) > 1
    assert all(a <= b + 1e-9 * abs(b) for a, b in zip(head, head[1:], strict=False))


def test_frontier_rejects_bad_arguments():
    p = synthetic_problem(np.random.default_rng(1), tiers=1, reasons=1, channels=2)
    with pytest.raises(ValueError, match="axis: expected one of"):
        trace_frontier(p, axis="nps")
    with pytest.raises(ValueError, match="points: expected an integer >= 2"):
        trace_frontier(p, points=1)
