"""From today's policy to the recommended one: a ranked list of changes and their effects.

Changes are of two kinds: re-steering one (tier, reason) from its current channel mix to the
recommended mix ("mix"), and moving one staffed channel to another service-level option
("service_level"). Attribution is *greedy sequential*: starting from today's policy, every
pending change is valued on top of the changes already made, the one with the lowest net cost
effect (largest saving, service + churn) is applied next, and so on. Each change's effect is
its marginal effect at the moment it is applied, so the effects add up exactly to the
difference between the recommended and the current policy. Intermediate states may break a
constraint (a floor, the budget); only the end state is guaranteed feasible.
"""

from __future__ import annotations

import numpy as np

from equipoise.engine.optimize.coefficients import (
    Coefficients,
    build_coefficients,
    current_policy,
    evaluate,
)
from equipoise.engine.optimize.inputs import ProblemInputs
from equipoise.engine.optimize.results import Change, ChangePlan, Policy

__all__ = ["rank_changes"]


class _State:
    """Per-issue unit coefficients of each cell given the channels' current options."""

    def __init__(self, p: ProblemInputs, coef: Coefficients, options: list[str | None]) -> None:
        self.p, self.coef = p, coef
        self.options = options
        self.refresh()

    def option_params(self, c: int, name: str | None) -> tuple[float, float, float]:
        ch = self.p.channels[c]
        if not ch.staffed or name is None:
            return 0.0, 0.0, 0.0
        local = [o.name for o in ch.effective_options].index(name)
        k = self.coef.option_pair(c, local)
        return self.coef.opt_staffing[k], self.coef.opt_wait_min[k], self.coef.opt_fixed[k]

    def refresh(self) -> None:
        C = len(self.p.channels)
        params = np.array([self.option_params(c, self.options[c]) for c in range(C)]).reshape(C, 3)
        landing = self.coef.landing
        staffing = np.where(landing >= 0, params[np.maximum(landing, 0), 0], 0.0)
        wait = np.where(landing >= 0, params[np.maximum(landing, 0), 1], 0.0)
        land_wait = self.coef.land * wait  # minutes waited per issue
        self.unit_svc = self.coef.svc + self.coef.land * staffing
        self.unit_churn = self.coef.churn0 + self.coef.wait_churn[:, None, None] * land_wait
        self.unit_q = self.coef.q0 - self.coef.sens[:, None, None] * land_wait


def rank_changes(
    p: ProblemInputs, target: Policy, current: Policy | None = None, *, tol: float = 1e-9
) -> ChangePlan:
    """Rank the changes from ``current`` (default: today) to ``target`` by marginal value."""
    current = current_policy(p) if current is None else current
    S, R, C = p.shape
    for name, pol in (("target", target), ("current", current)):
        if pol.share.shape != (S, R, C) or len(pol.options) != C:
            raise ValueError(f"{name}: expected a policy of shape {(S, R, C)} with {C} options")
    coef = build_coefficients(p)
    share = np.array(current.share, dtype=float)
    state = _State(p, coef, list(current.options))
    vol = p.volume
    vol_s = vol.sum(axis=1)
    total_vol = float(vol_s.sum())
    diff = np.abs(target.share - share).max(axis=2)
    mix_cells = np.argwhere((diff > tol) & (vol > 0))  # (n, 2) tier, reason
    ms, mr = mix_cells[:, 0], mix_cells[:, 1]
    delta = target.share[ms, mr] - share[ms, mr]  # (n, C), fixed: each cell moves once
    pending = np.ones(len(mix_cells), dtype=bool)
    pending_sl = {
        c for c in range(C) if p.channels[c].staffed and target.options[c] != current.options[c]
    }
    tiers = [t.code for t in p.tiers]
    changes: list[Change] = []

    def mix_values() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # mix effects depend only on the options in force, not on other mix changes
        v = vol[ms, mr]
        return (
            v * np.einsum("nc,nc->n", delta, state.unit_svc[ms, mr]),
            v * np.einsum("nc,nc->n", delta, state.unit_churn[ms, mr]),
            v * np.einsum("nc,nc->n", delta, state.unit_q[ms, mr]),
        )

    m_svc, m_churn, m_q = mix_values()
    while pending.any() or pending_sl:
        best_mix, best_mix_value = -1, np.inf
        if pending.any():
            values = np.where(pending, m_svc + m_churn, np.inf)
            best_mix = int(np.argmin(values))
            best_mix_value = float(values[best_mix])
        best_sl: tuple[float, int, Change] | None = None
        if pending_sl:
            landed = _landed_by_tier(p, coef, share)
            for c in sorted(pending_sl):
                change = _sl_change(p, coef, state, target, c, landed[:, c], vol_s, tiers)
                if best_sl is None or change.delta_total_cost < best_sl[0]:
                    best_sl = (change.delta_total_cost, c, change)
        if best_sl is not None and best_sl[0] < best_mix_value:
            _, c, change = best_sl
            changes.append(change)
            state.options[c] = target.options[c]
            state.refresh()
            pending_sl.discard(c)
            m_svc, m_churn, m_q = mix_values()
            continue
        n = best_mix
        s, r = int(ms[n]), int(mr[n])
        d = delta[n]
        moved = tuple(
            (p.channels[c].code, float(share[s, r, c]), float(target.share[s, r, c]))
            for c in range(C)
            if abs(d[c]) > tol
        )
        changes.append(
            Change(
                kind="mix",
                tier=tiers[s],
                reason=p.reasons[r],
                channel=p.channels[int(np.argmax(d))].code,
                shifts=moved,
                delta_service_cost=float(m_svc[n]),
                delta_churn_cost=float(m_churn[n]),
                delta_csat_points=float(100.0 * m_q[n] / total_vol),
                delta_csat_points_by_tier={tiers[s]: float(100.0 * m_q[n] / vol_s[s])},
            )
        )
        share[s, r] = target.share[s, r]
        pending[n] = False
    return ChangePlan(
        changes=tuple(changes),
        current=evaluate(p, current, coef),
        target=evaluate(p, target, coef),
    )


def _sl_change(
    p: ProblemInputs,
    coef: Coefficients,
    state: _State,
    target: Policy,
    c: int,
    load_s: np.ndarray,
    vol_s: np.ndarray,
    tiers: list[str],
) -> Change:
    """The effect of moving channel c to its target option, given the loads in force."""
    st0, w0, f0 = state.option_params(c, state.options[c])
    st1, w1, f1 = state.option_params(c, target.options[c])
    dsvc = float((st1 - st0) * load_s.sum() + (f1 - f0))
    dchurn = float((w1 - w0) * (coef.wait_churn @ load_s))
    dq_s = -coef.sens * load_s * (w1 - w0)
    safe = np.where(vol_s > 0, vol_s, 1.0)
    by_tier = np.where(vol_s > 0, 100.0 * dq_s / safe, 0.0)
    return Change(
        kind="service_level",
        tier=None,
        reason=None,
        channel=p.channels[c].code,
        option_from=state.options[c],
        option_to=target.options[c],
        delta_service_cost=dsvc,
        delta_churn_cost=dchurn,
        delta_csat_points=100.0 * float(dq_s.sum()) / float(vol_s.sum()),
        delta_csat_points_by_tier={t: float(v) for t, v in zip(tiers, by_tier, strict=True) if v},
    )


def _landed_by_tier(p: ProblemInputs, coef: Coefficients, share: np.ndarray) -> np.ndarray:
    """Contacts per year landing on each staffed channel, per tier: shape (tiers, channels)."""
    S, _, C = p.shape
    landed = (p.volume[:, :, None] * share * coef.land).sum(axis=1)
    out = np.zeros((S, C))
    for c in range(C):
        if coef.landing[c] >= 0:
            out[:, coef.landing[c]] += landed[:, c]
    return out
