"""Per-issue cost, satisfaction and churn coefficients, and the evaluation of a policy.

An *issue* is a first contact of a (tier, reason). Steered to channel c it costs, per issue:

* staffed c:  handle / fcr (unresolved contacts repeat on c until resolved: 1 / fcr contacts),
  plus the staffing cost of the option per contact, x 1 / fcr; CSAT
  ``fcr * csat_resolved + (1 - fcr) * csat_unresolved - wait_csat_per_minute * waited minutes``;
* automated a escalating to e: the automated handle (tech) cost, plus, for the share
  ``1 - containment`` that escalates, the cost of e (handle / fcr_e + staffing); CSAT
  ``k * csat_resolved[a] + (1 - k) * (CSAT on e - escalation penalty)``;
* automated a without an escalation target: the automated cost; the uncontained share ends
  unresolved with ``csat_unresolved[a]``.

Everything that depends on the service-level option is proportional to the contacts that land
on a staffed channel (the *landing load*): staffing cost, minutes waited, the CSAT lost to
waiting and the churn cost of waiting. That is what keeps the MILP linear.

Expected churn cost per issue = per_dissatisfied x (1 - CSAT) + per_unresolved x unresolved
contacts + per_complaint x complaints + per_wait_minute x minutes waited (rates from
:func:`equipoise.engine.economics.churn_cost_rates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from equipoise.engine.optimize.inputs import ProblemInputs
from equipoise.engine.optimize.results import Evaluation, Policy

__all__ = ["Coefficients", "build_coefficients", "current_policy", "evaluate"]


@dataclass(frozen=True, eq=False)
class Coefficients:
    """Per-issue coefficients of every (tier, reason, channel) cell and the option tables."""

    svc_own: np.ndarray  # service cost per issue attributed to the cell's own channel
    svc_land: np.ndarray  # handling cost per issue on the landing (escalation) channel
    q0: np.ndarray  # CSAT per issue before waiting
    churn0: np.ndarray  # churn cost per issue before waiting
    land: np.ndarray  # contacts per issue landing on a staffed channel's queue
    landing: np.ndarray  # (C,) landing channel of each channel, -1 if none
    opt_channel: np.ndarray  # (K,) channel of each (staffed channel, option) pair
    opt_local: np.ndarray  # (K,) option index within its channel
    opt_staffing: np.ndarray  # (K,) staffing cost per landed contact
    opt_wait_min: np.ndarray  # (K,) mean wait per landed contact, minutes
    opt_fixed: np.ndarray  # (K,) fixed cost per year
    sens: np.ndarray  # (S,) CSAT share lost per minute waited
    wait_churn: np.ndarray  # (S,) churn cost per minute waited (direct + via CSAT)

    @property
    def svc(self) -> np.ndarray:
        """Service cost per issue before the option-dependent staffing."""
        return self.svc_own + self.svc_land

    def option_pair(self, channel: int, local: int) -> int:
        """Global index of option ``local`` of staffed channel ``channel``."""
        hit = np.flatnonzero((self.opt_channel == channel) & (self.opt_local == local))
        return int(hit[0])


def build_coefficients(p: ProblemInputs) -> Coefficients:
    """Precompute the per-issue coefficients of ``p``."""
    S, R, C = p.shape
    # ProblemInputs fills both with arrays in __post_init__ (containment 1, no complaints)
    assert p.containment is not None and p.complaint_rate is not None
    svc_own = np.zeros((S, R, C))
    svc_land = np.zeros((S, R, C))
    q0 = np.zeros((S, R, C))
    unres = np.zeros((S, R, C))
    compl = np.zeros((S, R, C))
    land = np.zeros((S, R, C))
    landing = np.full(C, -1, dtype=int)
    staffed_q = p.fcr * p.csat_resolved + (1.0 - p.fcr) * p.csat_unresolved
    for c, ch in enumerate(p.channels):
        if ch.staffed:
            f = p.fcr[:, :, c]
            landing[c] = c
            svc_own[:, :, c] = p.handle_cost[:, :, c] / f
            land[:, :, c] = 1.0 / f
            q0[:, :, c] = staffed_q[:, :, c]
            unres[:, :, c] = (1.0 - f) / f
            compl[:, :, c] = p.complaint_rate[:, :, c]
            continue
        k = p.containment[:, :, c]
        svc_own[:, :, c] = p.handle_cost[:, :, c]
        compl[:, :, c] = p.complaint_rate[:, :, c]
        if ch.escalates_to is None:
            q0[:, :, c] = k * p.csat_resolved[:, :, c] + (1.0 - k) * p.csat_unresolved[:, :, c]
            unres[:, :, c] = 1.0 - k
            continue
        e = p.channel_index(ch.escalates_to)
        fe = p.fcr[:, :, e]
        landing[c] = e
        svc_land[:, :, c] = (1.0 - k) * p.handle_cost[:, :, e] / fe
        land[:, :, c] = (1.0 - k) / fe
        escalated_q = np.clip(staffed_q[:, :, e] - ch.escalation_csat_penalty, 0.0, 1.0)
        q0[:, :, c] = k * p.csat_resolved[:, :, c] + (1.0 - k) * escalated_q
        unres[:, :, c] = (1.0 - k) / fe
        compl[:, :, c] += (1.0 - k) * p.complaint_rate[:, :, e]
    per_dis = np.array([t.churn.per_dissatisfied for t in p.tiers])[:, None, None]
    per_unres = np.array([t.churn.per_unresolved for t in p.tiers])[:, None, None]
    per_compl = np.array([t.churn.per_complaint for t in p.tiers])[:, None, None]
    churn0 = per_dis * (1.0 - q0) + per_unres * unres + per_compl * compl
    opt_rows = [
        (c, j, o.staffing_cost_per_contact, o.mean_wait_seconds / 60.0, o.fixed_cost)
        for c, ch in enumerate(p.channels)
        if ch.staffed
        for j, o in enumerate(ch.effective_options)
    ]
    table = np.array(opt_rows, dtype=float).reshape(-1, 5)
    sens = np.array([t.wait_csat_per_minute for t in p.tiers])
    per_wait = np.array([t.churn.per_wait_minute for t in p.tiers])
    return Coefficients(
        svc_own=svc_own,
        svc_land=svc_land,
        q0=q0,
        churn0=churn0,
        land=land,
        landing=landing,
        opt_channel=table[:, 0].astype(int),
        opt_local=table[:, 1].astype(int),
        opt_staffing=table[:, 2],
        opt_wait_min=table[:, 3],
        opt_fixed=table[:, 4],
        sens=sens,
        wait_churn=per_wait + per_dis[:, 0, 0] * sens,
    )


def current_policy(p: ProblemInputs) -> Policy:
    """Today's policy: the measured mix and each channel's current option."""
    options = tuple(
        ch.effective_options[ch.current_index].name if ch.staffed else None for ch in p.channels
    )
    return Policy(share=p.current_share, options=options)


def _option_vectors(p: ProblemInputs, coef: Coefficients, policy: Policy):
    C = len(p.channels)
    staffing, wait, fixed = np.zeros(C), np.zeros(C), np.zeros(C)
    for c, ch in enumerate(p.channels):
        if not ch.staffed:
            continue
        names = [o.name for o in ch.effective_options]
        name = policy.options[c]
        if name not in names:
            raise ValueError(f"policy.options[{ch.code}]: expected one of {names}, got {name!r}")
        k = coef.option_pair(c, names.index(name))
        staffing[c], wait[c], fixed[c] = (
            coef.opt_staffing[k],
            coef.opt_wait_min[k],
            coef.opt_fixed[k],
        )
    return staffing, wait, fixed


def evaluate(p: ProblemInputs, policy: Policy, coef: Coefficients | None = None) -> Evaluation:
    """Cost, satisfaction and churn of ``policy`` on ``p`` (no optimisation)."""
    coef = build_coefficients(p) if coef is None else coef
    S, R, C = p.shape
    if policy.share.shape != (S, R, C) or len(policy.options) != C:
        raise ValueError(f"policy: expected shares of shape {(S, R, C)} and {C} options")
    staffing, wait, fixed = _option_vectors(p, coef, policy)
    issues = p.volume[:, :, None] * policy.share
    landed = issues * coef.land
    load_sc = np.zeros((S, C))  # contacts landing on each staffed channel, per tier
    svc_by_channel = (issues * coef.svc_own).sum(axis=(0, 1)) + fixed
    for c in range(C):
        e = coef.landing[c]
        if e >= 0:
            load_sc[:, e] += landed[:, :, c].sum(axis=1)
            svc_by_channel[e] += float((issues[:, :, c] * coef.svc_land[:, :, c]).sum())
    svc_by_channel += staffing * load_sc.sum(axis=0)
    wait_minutes_s = load_sc @ wait
    vol_s = p.volume.sum(axis=1)
    csat_num = (issues * coef.q0).sum(axis=(1, 2)) - coef.sens * wait_minutes_s
    churn_s = (issues * coef.churn0).sum(axis=(1, 2)) + coef.wait_churn * wait_minutes_s
    with np.errstate(invalid="ignore", divide="ignore"):
        csat_s = np.where(vol_s > 0, csat_num / np.where(vol_s > 0, vol_s, 1.0), np.nan)
    svc_s = (issues * coef.svc).sum(axis=(1, 2)) + load_sc @ staffing
    contacts = np.array(
        [
            load_sc[:, c].sum() if ch.staffed else issues[:, :, c].sum()
            for c, ch in enumerate(p.channels)
        ]
    )
    codes = [ch.code for ch in p.channels]
    tiers = [t.code for t in p.tiers]
    total_vol = float(vol_s.sum())
    return Evaluation(
        service_cost=float(svc_by_channel.sum()),
        churn_cost=float(churn_s.sum()),
        csat_overall=float(csat_num.sum() / total_vol) if total_vol > 0 else float("nan"),
        cost_by_channel=dict(zip(codes, map(float, svc_by_channel), strict=True)),
        contacts_by_channel=dict(zip(codes, map(float, contacts), strict=True)),
        csat_by_tier=dict(zip(tiers, map(float, csat_s), strict=True)),
        churn_cost_by_tier=dict(zip(tiers, map(float, churn_s), strict=True)),
        service_cost_by_tier=dict(zip(tiers, map(float, svc_s), strict=True)),
        fixed_cost=float(fixed.sum()),
    )
