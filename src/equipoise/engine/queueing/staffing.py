"""The inverse problem: the fewest agents per interval that meet every target.

All queueing metrics used here are monotone in the number of agents (service level up; wait
probability, ASA, abandonment and occupancy down), so the feasible staffing levels of an
interval form a half-line [N*, inf). The solver starts every interval from a square-root
staffing estimate. For Erlang B and C it then walks the Erlang B recursion one agent at a time
(one special-function evaluation in all, then a few multiplications per step); for Erlang A it
gallops (steps 1, 2, 4, ...) up or down until it brackets N*, then bisects the bracket. All
intervals move together as numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from equipoise.engine.queueing._validate import (
    FloatArray,
    IntArray,
    as_float,
    as_probability,
    broadcast,
    scalar_or_array,
)
from equipoise.engine.queueing.erlang_a import metrics_from_arrays as erlang_a_arrays
from equipoise.engine.queueing.erlang_b import blocking
from equipoise.engine.queueing.erlang_b import metrics_from_arrays as erlang_b_arrays
from equipoise.engine.queueing.erlang_c import metrics_from_arrays as erlang_c_arrays
from equipoise.engine.queueing.results import QueueMetrics, StaffingResult
from equipoise.engine.queueing.sqrt_staffing import (
    garnett_beta,
    halfin_whitt_beta_for_service_level,
)

Model = Literal["b", "c", "a"]
_MAX_GALLOP = 48  # 2**48 agents: no real target needs more


def required_agents(model: Model, calls: ArrayLike, interval_seconds: ArrayLike,
                    aht_seconds: ArrayLike, *, target_sl: float | None = None,
                    target_seconds: ArrayLike = 20.0, target_asa_seconds: float | None = None,
                    target_abandon: float | None = None,
                    patience_seconds: ArrayLike | None = None,
                    max_occupancy: float | None = None, shrinkage: float = 0.0) -> StaffingResult:
    """Return the minimum agents per interval meeting every target and the occupancy cap.

    Targets (at least one): ``target_sl`` share answered within ``target_seconds``;
    ``target_asa_seconds`` mean wait; ``target_abandon`` abandonment (model 'a') or blocking
    (model 'b'); ``max_occupancy``. ``scheduled_agents`` = ceil(agents / (1 - shrinkage)).
    Intervals with no calls need 0 agents.
    """
    spec = _Spec.build(model, target_sl, target_asa_seconds, target_abandon, patience_seconds,
                       max_occupancy, shrinkage)
    calls_a = as_float("calls", calls)
    interval = as_float("interval_seconds", interval_seconds, positive=True)
    aht = as_float("aht_seconds", aht_seconds, positive=True)
    target = as_float("target_seconds", target_seconds)
    patience = (np.asarray(np.inf) if patience_seconds is None else
                as_float("patience_seconds", patience_seconds, positive=True, allow_inf=True))
    shape, arrs = broadcast(calls=calls_a, interval_seconds=interval, aht_seconds=aht,
                            target_seconds=target, patience_seconds=patience)
    flat = {k: v.ravel() for k, v in arrs.items()}
    load = flat["calls"] / flat["interval_seconds"] * flat["aht_seconds"]

    def evaluate(idx: IntArray, n: IntArray) -> QueueMetrics:
        return _evaluate(spec.model, load[idx], flat["aht_seconds"][idx],
                         flat["patience_seconds"][idx], n, flat["target_seconds"][idx])

    everyone = bool(load.size) and bool((load > 0).all())  # usual: no gathering, scattering
    if not everyone or spec.model == "a":
        agents = np.zeros(load.shape, dtype=np.int64)
        blocking_at = np.zeros(load.shape)
    busy = np.arange(load.size) if everyone else np.flatnonzero(load > 0)

    def pick(values: np.ndarray) -> np.ndarray:
        return values if everyone else values[busy]

    if busy.size:
        lower, guess = _start(spec, pick(load), pick(flat["aht_seconds"]),
                              pick(flat["patience_seconds"]), pick(flat["target_seconds"]))
        if spec.model == "a":
            def feasible(sub: IntArray, n: IntArray) -> np.ndarray:
                return spec.met(evaluate(busy[sub], n))

            agents[busy] = _minimal_feasible(feasible, lower, guess)
        elif everyone:
            agents, blocking_at = _step_erlang_b(spec, load, flat["aht_seconds"],
                                                 flat["target_seconds"], lower, guess)
        else:
            agents[busy], blocking_at[busy] = _step_erlang_b(
                spec, load[busy], flat["aht_seconds"][busy], flat["target_seconds"][busy],
                lower, guess)
    if spec.model == "a":
        metrics = evaluate(np.arange(load.size), agents)
    else:
        metrics = _with_blocking(spec.model, load, flat["aht_seconds"], agents,
                                 flat["target_seconds"], blocking_at)
    scheduled = np.ceil(agents / (1.0 - spec.shrinkage) - 1e-9).astype(np.int64)
    metrics = QueueMetrics(**{
        name: value if name == "model" else scalar_or_array(np.asarray(value).reshape(shape))
        for name, value in vars(metrics).items()})
    return StaffingResult(model=spec.model, agents=scalar_or_array(agents.reshape(shape)),
                          scheduled_agents=scalar_or_array(scheduled.reshape(shape)),
                          shrinkage=spec.shrinkage, metrics=metrics)


class _Spec:
    """Validated model choice and targets."""

    def __init__(self, model: str, target_sl: float | None, target_asa: float | None,
                 target_abandon: float | None, max_occupancy: float | None,
                 shrinkage: float) -> None:
        self.model = model
        self.target_sl = target_sl
        self.target_asa = target_asa
        self.target_abandon = target_abandon
        self.max_occupancy = max_occupancy
        self.shrinkage = shrinkage

    @classmethod
    def build(cls, model: str, target_sl: float | None, target_asa: float | None,
              target_abandon: float | None, patience: ArrayLike | None,
              max_occupancy: float | None, shrinkage: float) -> _Spec:
        if model not in ("b", "c", "a"):
            raise ValueError(f"model: expected 'b', 'c' or 'a', got {model!r}")
        if model == "a" and patience is None:
            raise ValueError("patience_seconds: required for model 'a' (Erlang A)")
        if model != "a" and patience is not None:
            raise ValueError(f"patience_seconds: only used by model 'a', not {model!r}")
        if model == "c" and target_abandon is not None:
            raise ValueError("target_abandon: model 'c' has no abandonment; use model 'a' or 'b'")
        if model == "b" and target_asa is not None:
            raise ValueError("target_asa_seconds: model 'b' has no queue; use model 'c' or 'a'")
        if all(t is None for t in (target_sl, target_asa, target_abandon, max_occupancy)):
            raise ValueError("targets: give at least one of target_sl, target_asa_seconds, "
                             "target_abandon or max_occupancy")
        if target_sl is not None:
            target_sl = as_probability("target_sl", target_sl)
        if target_asa is not None:
            target_asa = float(as_float("target_asa_seconds", target_asa, positive=True))
        if target_abandon is not None:
            target_abandon = as_probability("target_abandon", target_abandon)
        if max_occupancy is not None:
            max_occupancy = as_probability("max_occupancy", max_occupancy, open_high=False)
        shrinkage = as_probability("shrinkage", shrinkage, open_low=False)
        return cls(model, target_sl, target_asa, target_abandon, max_occupancy, shrinkage)

    def met(self, m: QueueMetrics) -> np.ndarray:
        """Which intervals meet every target."""
        ok = np.ones(np.shape(m.agents), dtype=bool)
        if self.target_sl is not None:
            ok &= np.asarray(m.service_level) >= self.target_sl
        if self.target_asa is not None:
            ok &= np.asarray(m.asa_seconds) <= self.target_asa
        if self.target_abandon is not None:
            ok &= np.asarray(m.p_abandon) <= self.target_abandon
        if self.max_occupancy is not None:
            ok &= np.asarray(m.occupancy) <= self.max_occupancy
        return ok


    def met_from_blocking(self, load: FloatArray, aht: FloatArray, n: IntArray,
                          target: FloatArray, b: FloatArray) -> np.ndarray:
        """``met`` for models 'b' and 'c' straight from Erlang B values (same formulas as the
        metrics functions, without building them); requires n > load for model 'c'."""
        n_f = n.astype(np.float64)
        ok = np.ones(n.shape, dtype=bool)
        if self.model == "b":
            if self.target_sl is not None:
                ok &= 1.0 - b >= self.target_sl
            if self.target_abandon is not None:
                ok &= b <= self.target_abandon
            if self.max_occupancy is not None:
                ok &= load * (1.0 - b) / n_f <= self.max_occupancy
            return ok
        gap = n_f - load
        c = np.clip(n_f * b / (n_f - load * (1.0 - b)), 0.0, 1.0)
        if self.target_sl is not None:
            ok &= np.clip(1.0 - c * np.exp(-gap * target / aht), 0.0, 1.0) >= self.target_sl
        if self.target_asa is not None:
            ok &= c * aht / gap <= self.target_asa
        if self.max_occupancy is not None:
            ok &= load / n_f <= self.max_occupancy
        return ok


def _evaluate(model: str, load: FloatArray, aht: FloatArray, patience: FloatArray,
              n: IntArray, target: FloatArray) -> QueueMetrics:
    if model == "c":
        return erlang_c_arrays(load, aht, n, target)
    if model == "b":
        return erlang_b_arrays(load, n)
    return erlang_a_arrays(load, aht, patience, n, target)


def _with_blocking(model: str, load: FloatArray, aht: FloatArray, n: IntArray,
                   target: FloatArray, b: FloatArray) -> QueueMetrics:
    if model == "c":
        return erlang_c_arrays(load, aht, n, target, b)
    return erlang_b_arrays(load, n, b)


def _step_erlang_b(spec: _Spec, load: FloatArray, aht: FloatArray, target: FloatArray,
                   lower: IntArray, guess: IntArray) -> tuple[IntArray, FloatArray]:
    """Minimum agents for models 'b' and 'c' by walking the Erlang B recursion.

    B is evaluated once at the guess; each step then costs a few multiplications:
    B(n+1) = A B(n) / (n + 1 + A B(n)) going up and B(n-1) = n B(n) / (A (1 - B(n))) going
    down (the downward form amplifies rounding by 1/(1-B) per step, so B is recomputed from
    scratch every few downward steps). Square-root staffing almost always lands on the answer
    or one below it, so guess - 1, guess and guess + 1 are tested at once on whole arrays and
    only the intervals that none of them settles walk further.
    """
    everything = np.arange(guess.size)

    def met(idx: IntArray, n_sub: IntArray, b_sub: FloatArray) -> np.ndarray:
        if idx is everything:
            return spec.met_from_blocking(load, aht, n_sub, target, b_sub)
        return spec.met_from_blocking(load[idx], aht[idx], n_sub, target[idx], b_sub)

    b = blocking(guess, load)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        b_below = np.clip(guess * b / (load * (1.0 - b)), 0.0, 1.0)
        carried = load * b
        b_above = carried / (guess + 1 + carried)
        below_ok = (guess > lower) & met(everything, guess - 1, b_below)
        here_ok = met(everything, guess, b)
    n = np.where(here_ok, guess, guess + 1)
    b = np.where(here_ok, b, b_above)
    down = np.flatnonzero(below_ok)
    if down.size:
        n[down], b[down] = guess[down] - 1, b_below[down]
        _walk_down(met, load, lower, n, b, down)
    up = np.flatnonzero(~here_ok)
    if up.size:  # already one step up: walk on where that is not enough
        _walk_up(met, load, n, b, up[~met(up, n[up], b[up])])
    return n, b


def _walk_down(met: Callable[[IntArray, IntArray, FloatArray], np.ndarray], load: FloatArray,
               lower: IntArray, n: IntArray, b: FloatArray, idx: IntArray) -> None:
    """Step the feasible intervals ``idx`` down (in place) while one agent fewer still meets."""
    idx, steps = idx[n[idx] > lower[idx]], 0
    while idx.size:
        if steps and steps % 8 == 0:
            b[idx] = blocking(n[idx], load[idx])
        n_sub, b_sub = n[idx], b[idx]
        before = np.clip(n_sub * b_sub / (load[idx] * (1.0 - b_sub)), 0.0, 1.0)
        down = met(idx, n_sub - 1, before)
        moved = idx[down]
        n[moved] -= 1
        b[moved] = before[down]
        idx, steps = moved[n[moved] > lower[moved]], steps + 1


def _walk_up(met: Callable[[IntArray, IntArray, FloatArray], np.ndarray], load: FloatArray,
             n: IntArray, b: FloatArray, idx: IntArray) -> None:
    """Step the infeasible intervals ``idx`` up (in place) until they meet every target."""
    steps = 0
    while idx.size:
        if steps > 2**_MAX_GALLOP:
            raise ValueError("targets: cannot be met with any number of agents")
        carried = load[idx] * b[idx]
        n[idx] += 1
        b[idx] = carried / (n[idx] + carried)
        idx, steps = idx[~met(idx, n[idx], b[idx])], steps + 1


def _start(spec: _Spec, load: FloatArray, aht: FloatArray, patience: FloatArray,
           target: FloatArray) -> tuple[IntArray, IntArray]:
    """Lowest admissible staffing and a square-root staffing first guess."""
    root = np.sqrt(load)
    if spec.model == "c":
        lower = np.floor(load).astype(np.int64) + 1  # stability needs N > A
        beta = np.zeros_like(load)
        if spec.target_sl is not None:
            beta = halfin_whitt_beta_for_service_level(spec.target_sl, load, target / aht)
    elif spec.model == "a":
        lower = np.ones(load.shape, dtype=np.int64)
        beta = np.zeros_like(load)
        if spec.target_sl is not None:
            ratio = np.where(np.isinf(patience), 1e-12, aht / patience)
            beta = np.asarray(garnett_beta(np.full(load.shape, 1.0 - spec.target_sl), ratio))
    else:
        lower = np.ones(load.shape, dtype=np.int64)
        beta = np.zeros_like(load)
    guess = np.ceil(load + beta * root)
    if spec.max_occupancy is not None and spec.model == "c":
        guess = np.maximum(guess, np.ceil(load / spec.max_occupancy))
    return lower, np.maximum(guess.astype(np.int64), lower)


def _minimal_feasible(feasible: Callable[[IntArray, IntArray], np.ndarray], lower: IntArray,
                      guess: IntArray) -> IntArray:
    """Smallest n >= lower with feasible(n), for a feasibility that is monotone in n."""
    lo = lower - 1  # known infeasible (virtually, below the admissible range)
    hi = np.full(lower.shape, -1, dtype=np.int64)  # known feasible; -1 = not yet
    everything = np.arange(lower.size)
    ok = feasible(everything, guess)
    hi[ok], lo[~ok] = guess[ok], guess[~ok]

    # Gallop up from infeasible guesses until a feasible level is found.
    idx, step = np.flatnonzero(~ok), 1
    while idx.size:
        if step > 2**_MAX_GALLOP:
            raise ValueError("targets: cannot be met with any number of agents")
        cand = lo[idx] + step
        ok = feasible(idx, cand)
        hi[idx[ok]], lo[idx[~ok]] = cand[ok], cand[~ok]
        idx, step = idx[~ok], step * 2

    # Gallop down from feasible guesses until an infeasible level is found.
    idx, step = np.flatnonzero(hi - lo > 1), 1
    while idx.size:
        cand = hi[idx] - step
        inside = cand > lo[idx]
        idx, cand = idx[inside], cand[inside]
        if not idx.size:
            break
        ok = feasible(idx, cand)
        hi[idx[ok]], lo[idx[~ok]] = cand[ok], cand[~ok]
        idx, step = idx[ok], step * 2

    # Bisect what is left of each bracket.
    idx = np.flatnonzero(hi - lo > 1)
    while idx.size:
        mid = (lo[idx] + hi[idx]) // 2
        ok = feasible(idx, mid)
        hi[idx[ok]], lo[idx[~ok]] = mid[ok], mid[~ok]
        idx = idx[hi[idx] - lo[idx] > 1]
    return hi
