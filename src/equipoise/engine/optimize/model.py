"""The balance-point MILP, solved with HiGHS through ``scipy.optimize.milp``.

Variables (per year):

* ``x[s, r, c]`` in [0, 1]: share of the issues of tier s and reason r steered to channel c,
  one variable per eligible cell with volume;
* ``L[s, k]`` >= 0: contacts of tier s landing on the staffed channel of option k while it runs
  at option k (per-option copies of the landing load);
* ``y[k]`` binary: staffed channel of option k runs at option k (one option per channel).

Constraints (families, as named in :class:`InfeasibleError`):

* shares of each (tier, reason) sum to 1 (structural);
* load balance: ``sum_k L[s, k] over options of e = landing load of tier s on e`` (structural);
* link: ``sum_s L[s, k] <= M_e y[k]`` and ``sum_k y[k] = 1`` per channel (structural, big-M with
  M_e the largest load that can land on e);
* ``capacity``: contacts on a channel <= its capacity;
* ``csat_floor``: volume-weighted mean CSAT of each tier >= its floor;
* ``csat_target``: overall volume-weighted CSAT >= target (frontier sweeps);
* ``budget``: service cost <= cap;
* ``max_shift``: ``|x - x_now| <= delta`` on eligible cells (as variable bounds).

Service cost = sum x V svc + sum L staffing + sum y fixed; churn cost = sum x V churn0 +
sum L wait_churn wait. Objectives: "total" (service + churn), "service", "csat" (maximise the
overall CSAT).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from equipoise.engine.optimize.coefficients import Coefficients, build_coefficients, evaluate
from equipoise.engine.optimize.inputs import ProblemInputs
from equipoise.engine.optimize.results import InfeasibleError, Policy, ProblemSize, Solution

__all__ = ["FAMILIES", "MilpData", "build_milp", "solve"]

FAMILIES = ("csat_floor", "csat_target", "budget", "max_shift", "capacity")
OBJECTIVES = ("total", "service", "csat")


@dataclass(frozen=True, eq=False)
class MilpData:
    """The assembled MILP: objective, sparse rows, bounds, integrality and the index maps."""

    c: np.ndarray
    A: sparse.csr_array
    row_lb: np.ndarray
    row_ub: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    cells: np.ndarray  # (nx, 3) tier, reason, channel of each x variable
    n_x: int
    n_l: int
    families: tuple[str, ...]  # active constraint families

    @property
    def size(self) -> ProblemSize:
        """Counts of variables, rows, integers and non-zeros."""
        return ProblemSize(self.c.size, self.A.shape[0], int(self.integrality.sum()), self.A.nnz)


class _Rows:
    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lb: list[float] = []
        self.ub: list[float] = []

    def add(self, cols, vals, lb: float, ub: float) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        self.r.append(np.full(cols.size, len(self.lb), dtype=np.int64))
        self.c.append(cols)
        self.v.append(np.asarray(vals, dtype=float))
        self.lb.append(lb)
        self.ub.append(ub)

    def add_block(self, rows, cols, vals, lb, ub) -> None:
        """Add many rows at once; ``rows`` are 0-based within the block."""
        base = len(self.lb)
        self.r.append(np.asarray(rows, dtype=np.int64) + base)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.asarray(vals, dtype=float))
        self.lb.extend(np.asarray(lb, dtype=float).tolist())
        self.ub.extend(np.asarray(ub, dtype=float).tolist())

    def matrix(self, n: int) -> sparse.csr_array:
        if not self.lb:
            return sparse.csr_array((0, n))
        rows, cols, vals = (np.concatenate(a) for a in (self.r, self.c, self.v))
        return sparse.csr_array((vals, (rows, cols)), shape=(len(self.lb), n))


def build_milp(
    p: ProblemInputs,
    coef: Coefficients | None = None,
    *,
    objective: str = "total",
    csat_target: float | None = None,
    budget: float | None = None,
    relax: frozenset[str] = frozenset(),
    per_tier_link: bool = True,
) -> MilpData:
    """Assemble the MILP for ``p`` (``budget`` tightens the problem's own cap)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective: expected one of {OBJECTIVES}, got {objective!r}")
    coef = build_coefficients(p) if coef is None else coef
    S, R, C = p.shape
    K = coef.opt_channel.size
    vol = p.volume
    cells = np.argwhere(p.eligible & (vol[:, :, None] > 0))
    s_i, r_i, c_i = cells.T
    n_x, n_l = len(cells), S * K
    n = n_x + n_l + K
    L_idx = n_x + np.arange(n_l).reshape(S, K)
    y_idx = n_x + n_l + np.arange(K)
    v_i = vol[s_i, r_i]
    svc_x = v_i * coef.svc[s_i, r_i, c_i]
    churn_x = v_i * coef.churn0[s_i, r_i, c_i]
    q_x = v_i * coef.q0[s_i, r_i, c_i]
    land_x = v_i * coef.land[s_i, r_i, c_i]
    landing_x = coef.landing[c_i]
    wait_sk = np.broadcast_to(coef.opt_wait_min, (S, K))
    rows, families = _Rows(), []

    # shares of each active (tier, reason) sum to 1
    group = s_i * R + r_i
    uniq, grp = np.unique(group, return_inverse=True)
    rows.add_block(grp, np.arange(n_x), np.ones(n_x), np.ones(uniq.size), np.ones(uniq.size))
    # load balance per (tier, staffed channel)
    staffed = [c for c, ch in enumerate(p.channels) if ch.staffed]
    for e in staffed:
        ks = np.flatnonzero(coef.opt_channel == e)
        for s in range(S):
            m = (landing_x == e) & (s_i == s)
            cols = np.concatenate([L_idx[s, ks], np.flatnonzero(m)])
            vals = np.concatenate([np.ones(ks.size), -land_x[m]])
            rows.add(cols, vals, 0.0, 0.0)
    # link landing load to the chosen option (big-M), one option per channel
    shift_bounds = None
    if p.max_shift is not None and "max_shift" not in relax:
        shift_bounds = np.minimum(1.0, p.current_share + p.max_shift)
    lb = np.zeros(n)
    ub = np.concatenate([np.ones(n_x), np.full(n_l, np.inf), np.ones(K)])
    integrality = np.zeros(n, dtype=np.uint8)
    cap_active = "capacity" not in relax
    for e in staffed:
        ks = np.flatnonzero(coef.opt_channel == e)
        if ks.size == 1:
            lb[y_idx[ks]] = 1.0
            continue
        big_m = _max_landing(p, coef, e, shift_bounds)
        capacity = p.channels[e].capacity
        if cap_active and capacity is not None:
            big_m = np.minimum(big_m, capacity)
        integrality[y_idx[ks]] = 1
        for k in ks:
            if per_tier_link:
                # L[s, k] <= M[s, e] y[k]: tighter than one aggregated row per option
                nz = np.flatnonzero(big_m > 0)
                rows.add_block(
                    np.concatenate([np.arange(nz.size), np.arange(nz.size)]),
                    np.concatenate([L_idx[nz, k], np.full(nz.size, y_idx[k])]),
                    np.concatenate([np.ones(nz.size), -big_m[nz]]),
                    np.full(nz.size, -np.inf),
                    np.zeros(nz.size),
                )
            else:
                cols = np.append(L_idx[:, k], y_idx[k])
                rows.add(cols, np.append(np.ones(S), -big_m.sum()), -np.inf, 0.0)
        rows.add(y_idx[ks], np.ones(ks.size), 1.0, 1.0)
    # capacity
    if cap_active:
        for c, ch in enumerate(p.channels):
            if ch.capacity is None:
                continue
            families.append("capacity")
            if ch.staffed:
                cols = L_idx[:, coef.opt_channel == c].ravel()
                rows.add(cols, np.ones(cols.size), -np.inf, ch.capacity)
            else:
                m = np.flatnonzero(c_i == c)
                rows.add(m, v_i[m], -np.inf, ch.capacity)
    # CSAT floors per tier and the overall target
    csat_L = -coef.sens[:, None] * wait_sk  # CSAT numerator per landed contact
    vol_s = vol.sum(axis=1)
    if "csat_floor" not in relax:
        for s, t in enumerate(p.tiers):
            if t.csat_floor is None or vol_s[s] <= 0:
                continue
            families.append("csat_floor")
            m = np.flatnonzero(s_i == s)
            cols = np.concatenate([m, L_idx[s]])
            rows.add(cols, np.concatenate([q_x[m], csat_L[s]]), t.csat_floor * vol_s[s], np.inf)
    if csat_target is not None and "csat_target" not in relax:
        families.append("csat_target")
        cols = np.concatenate([np.arange(n_x), L_idx.ravel()])
        rows.add(cols, np.concatenate([q_x, csat_L.ravel()]), csat_target * vol_s.sum(), np.inf)
    # budget
    svc_L = np.broadcast_to(coef.opt_staffing, (S, K)).ravel()
    svc_vec = np.concatenate([svc_x, svc_L, coef.opt_fixed])
    caps = [b for b in (p.budget, budget) if b is not None]
    if caps and "budget" not in relax:
        families.append("budget")
        rows.add(np.arange(n), svc_vec, -np.inf, min(caps))
    # shift limit as bounds on x
    if p.max_shift is not None and "max_shift" not in relax:
        families.append("max_shift")
        now = p.current_share[s_i, r_i, c_i]
        lb[:n_x] = np.maximum(0.0, now - p.max_shift)
        ub[:n_x] = np.minimum(1.0, now + p.max_shift)
    # objective
    if objective == "csat":
        c_vec = -np.concatenate([q_x, csat_L.ravel(), np.zeros(K)]) / vol_s.sum()
    elif objective == "service":
        c_vec = svc_vec.copy()
    else:
        churn_L = (coef.wait_churn[:, None] * wait_sk).ravel()
        c_vec = svc_vec + np.concatenate([churn_x, churn_L, np.zeros(K)])
    return MilpData(
        c=c_vec,
        A=rows.matrix(n),
        row_lb=np.array(rows.lb),
        row_ub=np.array(rows.ub),
        lb=lb,
        ub=ub,
        integrality=integrality,
        cells=cells,
        n_x=n_x,
        n_l=n_l,
        families=tuple(dict.fromkeys(families)),
    )


def _max_landing(
    p: ProblemInputs, coef: Coefficients, e: int, shift_bounds: np.ndarray | None
) -> np.ndarray:
    """Largest landing load per tier that channel e can receive (the big-M of each tier).

    Per (tier, reason) the load is at most the largest per-issue landing load of a feeding
    channel, and at most the sum over feeding channels of their share cap x landing load.
    """
    feeds = (coef.landing == e)[None, None, :] & p.eligible
    land = np.where(feeds, coef.land, 0.0)
    per_issue = land.max(axis=2)
    if shift_bounds is not None:
        per_issue = np.minimum(per_issue, (land * shift_bounds).sum(axis=2))
    return (p.volume * per_issue).sum(axis=1) * (1.0 + 1e-9) + 1e-9


#: HiGHS options passed through scipy verbatim. The root sub-MIP heuristics (RENS, RINS) cost
#: more than the whole branch-and-bound on these models (a handful of binaries, a near-integral
#: relaxation), so they are switched off; this changes speed, never the optimum.
_HIGHS_EXTRA = {"mip_heuristic_run_rens": False, "mip_heuristic_run_rins": False}


def _run(data: MilpData, mip_gap: float, time_limit: float | None):
    options: dict[str, float | bool] = {"mip_rel_gap": mip_gap, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = time_limit
    if data.integrality.any():
        options.update(_HIGHS_EXTRA)
    cons = [LinearConstraint(data.A, data.row_lb, data.row_ub)] if data.A.shape[0] else []
    with warnings.catch_warnings():
        # scipy warns that options it does not know are "passed to HiGHS verbatim": intended.
        warnings.filterwarnings("ignore", message="Unrecognized options", category=RuntimeWarning)
        return milp(
            data.c,
            integrality=data.integrality,
            bounds=Bounds(data.lb, data.ub),
            constraints=cons,
            options=options,
        )


def solve(
    p: ProblemInputs,
    *,
    objective: str = "total",
    csat_target: float | None = None,
    budget: float | None = None,
    mip_gap: float = 1e-7,
    time_limit: float | None = None,
    coef: Coefficients | None = None,
) -> Solution:
    """Solve the balance-point MILP; raise :class:`InfeasibleError` naming the culprit families."""
    coef = build_coefficients(p) if coef is None else coef
    data = build_milp(p, coef, objective=objective, csat_target=csat_target, budget=budget)
    t0 = time.perf_counter()
    res = _run(data, mip_gap, time_limit)
    seconds = time.perf_counter() - t0
    if res.status == 2:
        raise _diagnose(p, coef, data, csat_target, budget, mip_gap, time_limit)
    if res.x is None:
        raise RuntimeError(f"HiGHS returned no solution (status {res.status}): {res.message}")
    policy = _extract(p, coef, data, res.x)
    return Solution(
        policy=policy,
        evaluation=evaluate(p, policy, coef),
        objective=objective,
        objective_value=float(res.fun),
        size=data.size,
        solve_seconds=seconds,
        status=str(res.message),
        mip_gap=float(getattr(res, "mip_gap", 0.0) or 0.0),
    )


def _extract(p: ProblemInputs, coef: Coefficients, data: MilpData, x: np.ndarray) -> Policy:
    S, R, C = p.shape
    share = np.array(p.current_share, dtype=float)  # cells without volume keep today's mix
    s_i, r_i, c_i = data.cells.T
    active = np.zeros((S, R), dtype=bool)
    active[s_i, r_i] = True
    share[active] = 0.0
    share[s_i, r_i, c_i] = np.clip(x[: data.n_x], 0.0, 1.0)
    sums = share.sum(axis=2, keepdims=True)
    share = np.where(active[:, :, None], share / np.where(sums > 0, sums, 1.0), share)
    y = x[data.n_x + data.n_l :]
    options: list[str | None] = []
    for c, ch in enumerate(p.channels):
        if not ch.staffed:
            options.append(None)
            continue
        ks = np.flatnonzero(coef.opt_channel == c)
        best = ks[int(np.argmax(y[ks]))]
        options.append(ch.effective_options[int(coef.opt_local[best])].name)
    return Policy(share=share, options=tuple(options))


def _diagnose(p, coef, data, csat_target, budget, mip_gap, time_limit) -> InfeasibleError:
    culprits = []
    for fam in data.families:
        relaxed = build_milp(
            p,
            coef,
            objective="service",
            csat_target=csat_target,
            budget=budget,
            relax=frozenset({fam}),
        )
        if _run(relaxed, max(mip_gap, 1e-4), time_limit).status != 2:
            culprits.append(fam)
    if culprits:
        return InfeasibleError(tuple(culprits))
    if not data.families:
        return InfeasibleError((), detail="the structural constraints alone cannot be met")
    return InfeasibleError(data.families, jointly=True)
