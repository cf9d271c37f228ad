"""Benchmark the balance-point MILP: 10 tiers x 50 reasons x 8 channels with service levels.

Times (median of repeats) the full MILP, a 50-point cost-satisfaction frontier and the change
ranking, and, side by side on the LP relaxation of the same model, HiGHS dual simplex against
HiGHS interior point (``scipy.optimize.linprog`` methods "highs-ds" and "highs-ipm") and
``scipy.optimize.milp`` with no integers. Prints problem size and peak memory.

    .venv/bin/python bench/optimize.py [--points 50] [--repeats 5] [--seed 2024]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import numpy as np
import scipy
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from equipoise.engine.optimize import build_milp, rank_changes, solve, trace_frontier
from equipoise.engine.optimize.synthetic import synthetic_problem


def timed(fn, repeats: int):
    """Run ``fn`` ``repeats`` times; return (median seconds, all seconds, last result)."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def linprog_form(data):
    """Split two-sided rows into A_ub x <= b_ub and A_eq x = b_eq for linprog."""
    A = data.A.tocsr()
    eq = np.isfinite(data.row_lb) & (data.row_lb == data.row_ub)
    up = ~eq & np.isfinite(data.row_ub)
    lo = ~eq & np.isfinite(data.row_lb)
    A_ub = sparse.vstack([A[up], -A[lo]]).tocsr()
    b_ub = np.concatenate([data.row_ub[up], -data.row_lb[lo]])
    return A_ub, b_ub, A[eq], data.row_lb[eq]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiers", type=int, default=10)
    ap.add_argument("--reasons", type=int, default=50)
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    p = synthetic_problem(
        rng,
        tiers=args.tiers,
        reasons=args.reasons,
        channels=args.channels,
        sl_options=3,
        max_shift=0.3,
        budget_factor=1.0,
    )
    data = build_milp(p)
    size = data.size
    print(f"scipy {scipy.__version__} (HiGHS inside scipy.optimize)")
    print(
        f"instance: {args.tiers} tiers x {args.reasons} reasons x {args.channels} channels, "
        f"3 service-level options per staffed channel, shift limit 0.3, budget = today"
    )
    print(
        f"MILP size: {size.variables} variables, {size.constraints} constraints, "
        f"{size.integers} integers, {size.nonzeros} non-zeros"
    )

    med, times, sol = timed(lambda: solve(p), args.repeats)
    print(
        f"\nMILP (service + churn):   median {med:.3f} s  "
        f"(runs {', '.join(f'{t:.2f}' for t in times)})  "
        f"target < 2 s: {'PASS' if med < 2 else 'FAIL'}"
    )
    ev = sol.evaluation
    print(
        f"  optimum: service {ev.service_cost:,.0f}  churn {ev.churn_cost:,.0f}  "
        f"CSAT {100 * ev.csat_overall:.2f}%  options {sol.policy.options}"
    )

    # LP relaxation, side by side
    A_ub, b_ub, A_eq, b_eq = linprog_form(data)
    bounds = np.column_stack([data.lb, data.ub])
    lp_runs = {}
    for method in ("highs-ds", "highs-ipm"):
        lp_runs[method] = timed(
            lambda m=method: linprog(
                data.c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method=m
            ),
            args.repeats,
        )
    lp_runs["milp (no integers)"] = timed(
        lambda: milp(
            data.c,
            integrality=np.zeros_like(data.integrality),
            bounds=Bounds(data.lb, data.ub),
            constraints=[LinearConstraint(data.A, data.row_lb, data.row_ub)],
        ),
        args.repeats,
    )
    print("\nLP relaxation (same model, binaries relaxed):")
    base = lp_runs["highs-ds"][0]
    for name, (m, _, res) in lp_runs.items():
        print(
            f"  {name:<20} median {m:.3f} s  objective {res.fun:,.2f}  "
            f"ratio to highs-ds {m / base:.2f}"
        )
    gap = (sol.objective_value - lp_runs["highs-ds"][2].fun) / abs(sol.objective_value)
    print(f"  integrality gap of the relaxation: {100 * gap:.3f}%")
    print(f"  MILP / LP (highs-ds) time ratio: {med / base:.1f}")

    t0 = time.perf_counter()
    frontier = trace_frontier(p, points=args.points, axis="csat")
    f_sec = time.perf_counter() - t0
    bal = frontier.balance
    print(
        f"\nfrontier: {args.points} points + 3 anchor solves in {f_sec:.2f} s "
        f"({f_sec / (args.points + 3):.3f} s per solve)  "
        f"target < 30 s: {'PASS' if f_sec < 30 else 'FAIL'}"
    )
    print(
        f"  balance point #{frontier.balance_index}: service {bal.service_cost:,.0f}  "
        f"churn {bal.churn_cost:,.0f}  CSAT {100 * bal.csat:.2f}%  (today: service "
        f"{frontier.current.service_cost:,.0f}, churn {frontier.current.churn_cost:,.0f}, "
        f"CSAT {100 * frontier.current.csat_overall:.2f}%)"
    )

    opt = frontier.optimum.evaluation
    print(
        f"  direct optimum: service {opt.service_cost:,.0f}  churn {opt.churn_cost:,.0f}  "
        f"CSAT {100 * opt.csat_overall:.2f}%  net {opt.total_cost:,.0f} vs balance "
        f"{bal.total_cost:,.0f} -> recommended: "
        f"{'optimum' if frontier.recommended is frontier.optimum else 'balance point'}"
    )
    med_c, _, plan = timed(lambda: rank_changes(p, frontier.recommended.policy), 3)
    print(f"\nchange ranking: {len(plan.changes)} changes, median {med_c:.3f} s; top 3:")
    for c in plan.changes[:3]:
        what = (
            f"{c.channel} {c.option_from} -> {c.option_to}"
            if c.kind == "service_level"
            else f"{c.tier}/{c.reason} mostly to {c.channel}"
        )
        print(
            f"  {what}: {c.delta_total_cost:,.0f} per year, {c.delta_csat_points:+.3f} CSAT points"
        )

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # tracemalloc slows Python code down, so it runs on one extra solve, outside the timings
    tracemalloc.start()
    solve(p)
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\npeak memory: process RSS {rss:.0f} MiB (getrusage, includes HiGHS); "
        f"Python allocations during one solve {py_peak / 2**20:.1f} MiB (tracemalloc)"
    )


if __name__ == "__main__":
    main()
