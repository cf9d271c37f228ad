"""The balance point on measured data: measurements -> model inputs -> optimiser -> results.

Every input of :class:`~equipoise.engine.optimize.ProblemInputs` is built from the database:

* issues per year per (tier, reason) and today's channel mix: cases by the channel of their
  first contact, annualised over the observed window;
* per (tier, reason, channel) cell: handling cost per answered contact, per-contact resolution
  (the repeat probability), containment of automated channels, satisfied share (CSAT 4-5) of
  resolved and unresolved contacts and complaints not recovered within 48 h per issue. Sparse
  cells borrow strength from coarser groups (:func:`shrunk`);
* the churn link, fitted on customer-months (:mod:`equipoise.planning.balance_churn`), and the
  service-level options of the staffed channels (:mod:`equipoise.planning.balance_queues`);
* per tier: customers, margin, measured base churn and the published replacement cost.

Satisfaction measured on queued channels already carries today's wait; the optimiser subtracts
``wait_csat_per_minute x minutes waited`` itself, so today's wait effect is added back to the
cell CSAT (``q0 = measured + sensitivity x wait / resolution``), which makes the model's current
state reproduce the measured one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from equipoise.analytics import cells
from equipoise.engine.economics import (
    REPLACEMENT_COST_DEFAULTS,
    ChurnCostRates,
    Segment,
    churn_cost_rates,
)
from equipoise.engine.optimize import (
    ChangePlan,
    ChannelSpec,
    Evaluation,
    InfeasibleError,
    Policy,
    ProblemInputs,
    Recommendation,
    TierSpec,
    recommend,
)
from equipoise.kit.errors import InvalidInput
from equipoise.models.customers import TIERS
from equipoise.planning.balance_churn import ChurnFit, fit_churn
from equipoise.planning.balance_queues import QueueProfile, queue_profiles, service_level_options

WEEKS_PER_YEAR = 365.25 / 7.0
#: Pseudo-counts of the shrinkage towards the coarser group (a cell with this many contacts
#: weighs as much as its parent).
SHRINK_CONTACTS = 10.0
SHRINK_ANSWERS = 20.0
#: Bounds kept on per-contact resolution so that 1 / resolution stays finite.
RESOLUTION_BOUNDS = (0.05, 0.99)


@dataclass(frozen=True)
class Measurements:
    """The measured frames (executed Ibis expressions of :mod:`equipoise.analytics.cells`)."""

    contacts: pd.DataFrame
    issues: pd.DataFrame
    surveys: pd.DataFrame
    survey_contacts: pd.DataFrame
    customer_months: pd.DataFrame
    slots: pd.DataFrame
    staffing: pd.DataFrame
    tiers: pd.DataFrame
    channels: pd.DataFrame
    reasons: pd.DataFrame
    eligibility: pd.DataFrame
    weeks: float
    first: object
    last: object

    @property
    def annual_factor(self) -> float:
        """Multiply a count over the window by this to get a count per year."""
        return WEEKS_PER_YEAR / self.weeks


def measure(con: BaseBackend) -> Measurements:
    """Run the cell measurements on ``con``."""
    window = cells.data_window(con).to_pandas()
    if window.empty or not int(window["contacts"].iloc[0]):
        raise InvalidInput("the database holds no inbound contacts: nothing to measure")
    first, last = pd.Timestamp(window["first"].iloc[0]), pd.Timestamp(window["last"].iloc[0])
    weeks = max((last - first).total_seconds() / (7 * 86400.0), 1.0 / 7.0)
    return Measurements(
        contacts=cells.cell_contacts(con).to_pandas(),
        issues=cells.cell_issues(con).to_pandas(),
        surveys=cells.cell_surveys(con).to_pandas(),
        survey_contacts=cells.survey_contacts(con).to_pandas(),
        customer_months=cells.customer_months(con).to_pandas(),
        slots=cells.channel_slots(con).to_pandas(),
        staffing=cells.channel_staffing(con).to_pandas(),
        tiers=cells.tier_customers(con).to_pandas(),
        channels=cells.channels(con).to_pandas(),
        reasons=cells.reasons(con).to_pandas(),
        eligibility=cells.eligibility(con).to_pandas(),
        weeks=weeks, first=first.to_pydatetime(), last=last.to_pydatetime(),
    )


def shrunk(
    frame: pd.DataFrame, num: str, den: str, levels: Sequence[Sequence[str]],
    grid: pd.DataFrame, strength: float, default: float,
) -> np.ndarray:
    """Rates ``num / den`` on ``grid``, each level shrunk towards the one before it.

    The top rate is the overall ``sum(num) / sum(den)`` (``default`` without data); a group of a
    level gets ``(num + strength x parent) / (den + strength)``, so a group without data takes
    its parent's rate and a large group keeps its own.
    """
    total_den = float(frame[den].sum()) if len(frame) else 0.0
    rate = pd.Series(
        float(frame[num].sum()) / total_den if total_den > 0 else default, index=grid.index
    )
    for keys in levels:
        keys = list(keys)
        g = frame.groupby(keys, as_index=False)[[num, den]].sum()
        m = grid[keys].merge(g, on=keys, how="left")
        n = m[num].fillna(0.0).to_numpy()
        d = m[den].fillna(0.0).to_numpy()
        rate = pd.Series((n + strength * rate.to_numpy()) / (d + strength), index=grid.index)
    return rate.to_numpy()


@dataclass(frozen=True, eq=False)
class BalanceModel:
    """The optimiser's inputs built from measurements, with what they were built from."""

    problem: ProblemInputs
    churn: ChurnFit
    segments: Mapping[str, Segment]
    queues: Mapping[str, QueueProfile]
    wait_sensitivity: float
    reason_info: Mapping[str, tuple[str, str]]  # reason -> (category, complexity)
    measured: Mapping[str, float]
    window: tuple[object, object, float]
    notes: tuple[str, ...] = field(default=())

    def with_problem(self, problem: ProblemInputs) -> BalanceModel:
        """A copy with other optimiser inputs (scenarios)."""
        return BalanceModel(problem, self.churn, self.segments, self.queues,
                            self.wait_sensitivity, self.reason_info, self.measured, self.window,
                            self.notes)


def _ordered_tiers(present: set[str]) -> list[str]:
    known = [t for t in TIERS if t in present]
    return known + sorted(present - set(known))


def _wait_sensitivity(sc: pd.DataFrame, queued: set[str]) -> tuple[float, str]:
    """Satisfied share lost per minute waited: OLS slope with channel x tier x resolved effects."""
    d = sc[sc["channel"].isin(queued)]
    if len(d) < 30 or d["wait_minutes"].std() == 0:
        return 0.0, f"wait sensitivity: {len(d)} surveyed queued contacts, too few; set to 0"
    groups = d["channel"].astype(str) + "|" + d["tier"].astype(str) + "|" + d["resolved"].astype(str)
    dummies = pd.get_dummies(groups, dtype=float).to_numpy()
    X = np.column_stack([d["wait_minutes"].to_numpy(float), dummies])
    coef, *_ = np.linalg.lstsq(X, d["satisfied"].to_numpy(float), rcond=None)
    return max(0.0, -float(coef[0])), ""


def _escalation_penalty(sc: pd.DataFrame, target: str) -> float:
    """Satisfied share lost by escalated contacts on ``target`` against first contacts there."""
    d = sc[sc["channel"] == target]
    esc, first = d[d["kind"] == "escalation"], d[d["kind"] == "first"]
    if len(esc) < 10 or first.empty:
        return 0.0
    gap = 0.0
    for res, grp in esc.groupby("resolved"):
        base = first[first["resolved"] == res]["satisfied"]
        if len(base):
            gap += len(grp) / len(esc) * (base.mean() - grp["satisfied"].mean())
    return float(np.clip(gap, 0.0, 1.0))


def _segments(m: Measurements, tiers: list[str]) -> tuple[dict[str, Segment], list[str]]:
    notes = []
    cm = m.customer_months.groupby("tier").agg(rows=("churned", "size"), churned=("churned", "sum"))
    out: dict[str, Segment] = {}
    for tier in tiers:
        rows = m.tiers[m.tiers["tier"] == tier]
        if tier not in cm.index or rows.empty:
            continue
        n = float(rows["customers"].sum())
        margin = float((rows["customers"] * rows["annual_margin"]).sum() / n) if n else 0.0
        kinds = {}
        for _, r in rows.iterrows():
            kind = r["segment"] if r["segment"] in REPLACEMENT_COST_DEFAULTS else "small_business"
            kinds[kind] = kinds.get(kind, 0.0) + float(r["customers"])
        replacement = sum(REPLACEMENT_COST_DEFAULTS[k] * v for k, v in kinds.items()) / max(n, 1.0)
        # half an event of continuity correction keeps a tier without churners above zero
        monthly = (float(cm.loc[tier, "churned"]) + 0.5) / (float(cm.loc[tier, "rows"]) + 1.0)
        annual = 1.0 - (1.0 - monthly) ** 12
        out[tier] = Segment(tier, n, margin, annual, replacement)
        if cm.loc[tier, "churned"] == 0:
            notes.append(f"tier {tier}: no churner observed; base churn from half an event")
    return out, notes


def build_model(
    con: BaseBackend,
    *,
    floors: Mapping[str, float] | None = None,
    budget: float | None = None,
    measurements: Measurements | None = None,
) -> BalanceModel:
    """Build the optimiser's inputs from the measured data (``floors`` as shares 0..1)."""
    m = measure(con) if measurements is None else measurements
    notes: list[str] = []
    af = m.annual_factor
    tiers = _ordered_tiers(set(m.issues["tier"]))
    reasons = [r for r in m.reasons["reason"] if r in set(m.issues["reason"])]
    ch = m.channels.set_index("channel")
    codes = list(ch.index)
    S, R, C = len(tiers), len(reasons), len(codes)
    grid = pd.DataFrame(
        [(t, r, c) for t in tiers for r in reasons for c in codes],
        columns=["tier", "reason", "channel"],
    )
    shape = (S, R, C)
    issues = grid.merge(m.issues, how="left", on=["tier", "reason", "channel"])
    counts = issues["issues"].fillna(0.0).to_numpy(float).reshape(shape)
    volume = counts.sum(axis=2) * af
    share = np.divide(counts, counts.sum(axis=2, keepdims=True),
                      out=np.zeros(shape), where=counts.sum(axis=2, keepdims=True) > 0)
    first_channels = set(m.issues.loc[m.issues["issues"] > 0, "channel"])
    pairs = set(map(tuple, m.eligibility[["reason", "channel"]].to_numpy()))
    elig = np.array([[(r, c) in pairs and c in first_channels for c in codes] for r in reasons])
    eligible = np.broadcast_to(elig, shape) | (counts > 0)

    cc = m.contacts.assign(
        answered_cost=m.contacts["cost_per_answered"].fillna(0.0) * m.contacts["answered"])
    fine = [("channel",), ("reason", "channel"), ("tier", "reason", "channel")]
    handle_cost = shrunk(cc, "answered_cost", "answered", fine, grid, SHRINK_CONTACTS, 0.0)
    resolution = shrunk(cc, "resolved", "answered", fine, grid, SHRINK_CONTACTS, 0.5)
    resolution = np.clip(resolution, *RESOLUTION_BOUNDS).reshape(shape)
    staffed = ch["staffed"].to_numpy(bool)
    fcr = np.where(staffed, resolution, 1.0)
    containment = np.where(staffed, 1.0, np.clip(resolution, 0.0, 1.0))
    if m.surveys.empty:
        raise InvalidInput("no survey answers: satisfaction cannot be measured")
    by_csat = [("channel",), ("tier", "channel"), ("tier", "reason", "channel")]
    q = {}
    for flag in (1, 0):
        part = m.surveys[m.surveys["resolved"] == flag]
        q[flag] = shrunk(part, "satisfied", "answers", by_csat, grid, SHRINK_ANSWERS,
                         float(m.surveys["satisfied"].sum() / m.surveys["answers"].sum())
                         ).reshape(shape)
    complaint = shrunk(m.issues, "slow_complaints", "issues",
                       [("reason",), ("reason", "channel"), ("tier", "reason", "channel")],
                       grid, SHRINK_ANSWERS, 0.0).reshape(shape)

    queues = queue_profiles(m, codes)
    sens, note = _wait_sensitivity(m.survey_contacts, set(queues))
    if note:
        notes.append(note)
    csat_res, csat_unres = q[1].copy(), q[0].copy()
    for code, qp in queues.items():
        c = codes.index(code)
        back = sens * qp.mean_wait_seconds / 60.0 / fcr[:, :, c]
        csat_res[:, :, c] = np.clip(csat_res[:, :, c] + back, 0.0, 1.0)
        csat_unres[:, :, c] = np.clip(csat_unres[:, :, c] + back, 0.0, 1.0)

    specs = []
    for c, code in enumerate(codes):
        row = ch.loc[code]
        if not staffed[c]:
            target = row["escalates_to"] if isinstance(row["escalates_to"], str) else None
            if target is not None and not bool(ch.loc[target, "staffed"]):
                target = None
            penalty = _escalation_penalty(m.survey_contacts, target) if target else 0.0
            specs.append(ChannelSpec(code, False, escalates_to=target,
                                     escalation_csat_penalty=penalty))
            continue
        options, current = service_level_options(code, queues.get(code), m)
        specs.append(ChannelSpec(code, True, options, current_option=current))

    churn = fit_churn(m.customer_months, m.survey_contacts)
    notes.extend(churn.notes)
    segments, seg_notes = _segments(m, tiers)
    notes.extend(seg_notes)
    floors = dict(floors or {})
    unknown = set(floors) - set(tiers)
    if unknown:
        raise InvalidInput(f"csat floor: unknown tiers {sorted(unknown)}; known: {tiers}",
                           field="csat_floor")
    tier_specs = []
    for t in tiers:
        rates = (churn_cost_rates(segments[t], churn.for_optimiser) if t in segments
                 else ChurnCostRates())
        tier_specs.append(TierSpec(t, rates, wait_csat_per_minute=sens,
                                   csat_floor=floors.get(t)))
    problem = ProblemInputs(
        tiers=tuple(tier_specs), reasons=tuple(reasons), channels=tuple(specs),
        volume=volume, eligible=eligible, current_share=share,
        handle_cost=handle_cost.reshape(shape), fcr=fcr, csat_resolved=csat_res,
        csat_unresolved=csat_unres, containment=containment, complaint_rate=complaint,
        budget=budget,
    )
    info = {r.reason: (r.category, r.complexity) for r in m.reasons.itertuples()}
    return BalanceModel(
        problem=problem, churn=churn, segments=segments, queues=queues,
        wait_sensitivity=sens, reason_info=info, measured=_measured_totals(m, queues),
        window=(m.first, m.last, m.weeks), notes=tuple(notes),
    )


def _measured_totals(m: Measurements, queues: Mapping[str, QueueProfile]) -> dict[str, float]:
    """Today's figures straight from the data (per year): contact cost, idle staffing, CSAT."""
    af = m.annual_factor
    contact_cost = float(m.contacts["cost"].sum()) * af
    handling = float((m.contacts["cost_per_answered"].fillna(0.0) * m.contacts["answered"]).sum())
    paid = float(m.staffing["paid_cost"].sum()) if len(m.staffing) else 0.0
    joined = m.contacts.merge(m.channels, on="channel")
    labour_in_contacts = handling - float((joined["answered"] * joined["tech_cost"]).sum())
    idle = max(0.0, paid - labour_in_contacts) * af
    answers = float(m.surveys["answers"].sum())
    return {
        "contact_cost_per_year": contact_cost,
        "idle_staff_cost_per_year": idle,
        "service_cost_per_year": contact_cost + idle,
        "csat_top2": float(m.surveys["satisfied"].sum()) / answers if answers else float("nan"),
        "survey_answers": answers,
        "issues_per_year": float(m.issues["issues"].sum()) * af,
    }


def recommend_policy(model: BalanceModel, *, points: int = 20, progress=None) -> Recommendation:
    """Frontier (``points`` solves), balance point, recommended policy and ranked changes."""
    if points < 20:
        raise InvalidInput(f"points: expected at least 20 frontier points, got {points}",
                           field="points")
    try:
        return recommend(model.problem, points=points, progress=progress)
    except InfeasibleError as exc:
        raise InvalidInput(str(exc)) from exc


def _evaluation(ev: Evaluation) -> dict[str, object]:
    return {
        "service_cost": ev.service_cost, "churn_cost": ev.churn_cost, "net_cost": ev.total_cost,
        "csat_points": 100.0 * ev.csat_overall,
        "csat_points_by_tier": {k: 100.0 * v for k, v in ev.csat_by_tier.items()},
        "cost_by_channel": dict(ev.cost_by_channel),
        "contacts_by_channel": dict(ev.contacts_by_channel),
    }


def _policy(model: BalanceModel, policy: Policy) -> dict[str, object]:
    p = model.problem
    mix = {}
    for s, t in enumerate(p.tiers):
        for r, reason in enumerate(p.reasons):
            if p.volume[s, r] <= 0:
                continue
            mix[f"{t.code}/{reason}"] = {
                p.channels[c].code: round(float(policy.share[s, r, c]), 6)
                for c in range(len(p.channels)) if policy.share[s, r, c] > 1e-9
            }
    options = {ch.code: o for ch, o in zip(p.channels, policy.options, strict=True) if o}
    return {"service_levels": options, "mix": mix}


def change_rows(plan: ChangePlan) -> list[dict[str, object]]:
    """The ranked changes: effect per year in money (negative = saving) and in CSAT points."""
    rows = []
    for rank, c in enumerate(plan.changes, start=1):
        rows.append({
            "rank": rank, "kind": c.kind, "tier": c.tier, "reason": c.reason,
            "channel": c.channel,
            "shifts": [{"channel": ch, "from": a, "to": b} for ch, a, b in c.shifts],
            "option_from": c.option_from, "option_to": c.option_to,
            "delta_service_cost": c.delta_service_cost, "delta_churn_cost": c.delta_churn_cost,
            "delta_net_cost": c.delta_total_cost, "delta_csat_points": c.delta_csat_points,
        })
    return rows


def frontier_rows(rec: Recommendation) -> list[dict[str, object]]:
    """One row per frontier point, plus the current state and the recommended policy."""
    f = rec.frontier
    rows = []
    for i, pt in enumerate(f.points):
        rows.append({"point": "frontier", "index": i, "balance": i == f.balance_index,
                     "service_cost": pt.service_cost, "churn_cost": pt.churn_cost,
                     "net_cost": pt.total_cost, "csat_points": 100.0 * pt.csat})
    for label, ev in (("current", f.current), ("recommended", f.recommended.evaluation)):
        rows.append({"point": label, "index": None, "balance": False,
                     "service_cost": ev.service_cost, "churn_cost": ev.churn_cost,
                     "net_cost": ev.total_cost, "csat_points": 100.0 * ev.csat_overall})
    return rows


def report(model: BalanceModel, rec: Recommendation) -> dict[str, object]:
    """Everything ``optimize`` shows: current state, frontier, balance point, policy, changes."""
    f = rec.frontier
    rec_ev = f.recommended.evaluation
    return {
        "window": {"first": str(model.window[0]), "last": str(model.window[1]),
                   "weeks": model.window[2]},
        "measured": dict(model.measured),
        "current": _evaluation(f.current),
        "balance_point": {"index": f.balance_index, **_evaluation(f.balance.solution.evaluation)},
        "recommended": {**_evaluation(rec_ev),
                        "net_value_vs_current": f.current.total_cost - rec_ev.total_cost,
                        "policy": _policy(model, f.recommended.policy)},
        "frontier": frontier_rows(rec),
        "changes": change_rows(rec.plan),
        "churn_model": model.churn.summary(),
        "wait_csat_per_minute": model.wait_sensitivity,
        "queues": {code: {"aht_seconds": q.aht_seconds, "patience_seconds": q.patience_seconds,
                          "hourly_cost": q.hourly_cost, "service_level": q.service_level,
                          "mean_wait_seconds": q.mean_wait_seconds,
                          "abandon_rate": q.abandon_rate,
                          "scheduling_factor": q.scheduling_factor}
                   for code, q in model.queues.items()},
        "notes": list(model.notes),
    }
