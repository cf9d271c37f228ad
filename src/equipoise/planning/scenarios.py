"""Named, stored scenarios: evaluated by the balance model and cross-checked by the simulator.

A scenario is a lever template with parameters (:mod:`equipoise.planning.levers`). Running one
applies the lever to the measured model, evaluates the result with the same cost, satisfaction
and churn coefficients as the optimiser (or, for a budget cut, solves for the least net cost
under the cut), and compares it with today's measured policy.

**Simulator check.** For every real-time queue whose load or staffing the scenario changes, a
week of the queue (hour-of-week arrivals scaled to the scenario's volume, lognormal handle times
with the measured mean and spread, exponential patience, the scenario's agents per hour) is
simulated ``replications`` times; the simulated service level, abandonment and paid cost per
week are reported next to the analytic Erlang A figures for the same staffing, with their gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.engine.optimize import (
    Evaluation,
    InfeasibleError,
    current_policy,
    evaluate,
    solve,
)
from equipoise.engine.simulation import (
    AgentPool,
    ArrivalProfile,
    CentreModel,
    ContactType,
    Exponential,
    LogNormal,
    StaffingSchedule,
    replicate,
)
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.models.scenarios import Scenario, ScenarioRun
from equipoise.planning.balance import BalanceModel
from equipoise.planning.balance_queues import TODAY, QueueProfile
from equipoise.planning.levers import DEFAULT_SCENARIOS, LeverEffect, apply_lever, template

#: A queue counts as changed when its contacts move by more than this share.
CHANGE_TOLERANCE = 0.005


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


# ---- the store ----------------------------------------------------------------------------------
def ensure_defaults(session: Session) -> int:
    """Store the default scenarios that are missing (by name); returns how many were added."""
    have = set(session.scalars(select(Scenario.name)))
    added = 0
    for name, lever, params, description in DEFAULT_SCENARIOS:
        if name not in have:
            now = _now()
            session.add(Scenario(name=name, lever=lever, params=params, description=description,
                                 created_at=now, updated_at=now))
            added += 1
    session.flush()
    return added


def list_scenarios(session: Session) -> list[Scenario]:
    """Every stored scenario (the defaults are added first when missing), by name."""
    ensure_defaults(session)
    return list(session.scalars(select(Scenario).order_by(Scenario.name)))


def get_scenario(session: Session, name: str) -> Scenario:
    """The stored scenario ``name``."""
    ensure_defaults(session)
    found = session.scalar(select(Scenario).where(Scenario.name == name))
    if found is None:
        known = ", ".join(session.scalars(select(Scenario.name).order_by(Scenario.name)))
        raise NotFound(f"scenario: no scenario named {name!r} (known: {known})", field="name")
    return found


def save_scenario(session: Session, name: str, lever: str, params: Mapping[str, Any] | None,
                  description: str = "") -> Scenario:
    """Create or update the scenario ``name`` (parameters are checked against the template)."""
    if not name or len(name) > 100:
        raise InvalidInput("name: expected 1..100 characters", field="name")
    try:
        template(lever).params(params)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="params") from exc
    found = session.scalar(select(Scenario).where(Scenario.name == name))
    now = _now()
    if found is None:
        found = Scenario(name=name, lever=lever, params=dict(params or {}),
                         description=description, created_at=now, updated_at=now)
        session.add(found)
    else:
        found.lever, found.params, found.updated_at = lever, dict(params or {}), now
        found.description = description or found.description
    session.flush()
    return found


# ---- evaluation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueCheck:
    """Analytic (Erlang A) and simulated figures of one queue under the scenario, per week."""

    channel: str
    volume_factor: float
    agent_hours_per_week: float
    analytic: Mapping[str, float]
    simulated: Mapping[str, float]
    gap: Mapping[str, float]


def _servers(qp: QueueProfile, effect: LeverEffect, option: str | None, factor: float):
    today = qp.servers_for(min(max(qp.service_level, 0.05), 0.99))
    if qp.channel in effect.staffing:
        return np.floor(today * effect.staffing[qp.channel]).astype(np.int64)
    if option and option != TODAY and "/" in option:
        return qp.servers_for(float(option.split("/")[0]) / 100.0, factor)
    return qp.servers_for(min(max(qp.service_level, 0.05), 0.99), factor)


def check_queue(qp: QueueProfile, servers: np.ndarray, factor: float, *, replications: int,
                seed: int) -> QueueCheck:
    """Simulate a week of the queue and compare with Erlang A for the same staffing."""
    rates = tuple(float(x) for x in qp.arrivals_per_hour * factor / 3600.0)
    busy = np.asarray(rates) > 0
    staff = np.where(busy, np.maximum(servers, 1), servers).astype(int)
    service = LogNormal(qp.aht_seconds, qp.aht_cv) if qp.aht_cv > 0 else \
        Exponential(qp.aht_seconds)
    kind = ContactType(qp.channel, qp.channel, ArrivalProfile(3600.0, rates), service=service,
                       patience=Exponential(qp.patience_seconds))
    pool = AgentPool(qp.channel, qp.channel, StaffingSchedule(3600.0, tuple(staff.tolist())),
                     (qp.channel,))
    model = CentreModel((kind,), (pool,), service_level_seconds={qp.channel: qp.target_seconds})
    rep = replicate(model, replications, seed)
    analytic = qp.outcome(staff, factor)
    cost = analytic.agent_hours_per_week * qp.hourly_cost

    def est(stat: str) -> float:
        return float(rep.estimate(qp.channel, stat).mean)

    sim = {"service_level": est("service_level"), "p_abandon": est("p_abandon"),
           "mean_wait_seconds": est("mean_wait_seconds"), "occupancy": est("occupancy"),
           "handled_per_week": est("handled"),
           "staff_cost_per_week": cost}
    ana = {"service_level": analytic.service_level, "p_abandon": analytic.p_abandon,
           "mean_wait_seconds": analytic.mean_wait_seconds, "occupancy": analytic.occupancy,
           "handled_per_week": float(qp.arrivals_per_hour.sum() * factor
                                     * (1.0 - analytic.p_abandon)),
           "staff_cost_per_week": cost}
    gap = {k: sim[k] - ana[k] for k in ana}
    return QueueCheck(qp.channel, factor, analytic.agent_hours_per_week, ana, sim, gap)


def _ev(ev: Evaluation) -> dict[str, Any]:
    return {"service_cost": ev.service_cost, "churn_cost": ev.churn_cost,
            "net_cost": ev.total_cost, "csat_points": 100.0 * ev.csat_overall,
            "csat_points_by_tier": {k: 100.0 * v for k, v in ev.csat_by_tier.items()},
            "contacts_by_channel": dict(ev.contacts_by_channel),
            "cost_by_channel": dict(ev.cost_by_channel)}


def evaluate_scenario(model: BalanceModel, lever: str, params: Mapping[str, Any] | None, *,
                      simulate: bool = True, replications: int = 3,
                      seed: int = 0) -> dict[str, Any]:
    """Evaluate a lever on the measured model; returns baseline, scenario, deltas and checks."""
    try:
        effect = apply_lever(model, lever, params)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="params") from exc
    base = evaluate(model.problem, current_policy(model.problem))
    p = effect.problem
    if effect.solve_budget is not None:
        try:
            sol = solve(p, objective="total", budget=effect.solve_budget)
        except InfeasibleError as exc:
            raise InvalidInput(f"scenario cannot be met: {exc}") from exc
        policy = sol.policy
    else:
        policy = effect.policy or current_policy(p)
    ev = evaluate(p, policy)
    checks = []
    if simulate:
        for code, qp in model.queues.items():
            before = base.contacts_by_channel.get(code, 0.0)
            after = ev.contacts_by_channel.get(code, 0.0)
            factor = after / before if before > 0 else 1.0
            option = policy.options[p.channel_index(code)]
            if abs(factor - 1.0) <= CHANGE_TOLERANCE and code not in effect.staffing \
                    and option == TODAY:
                continue
            servers = _servers(qp, effect, option, factor)
            checks.append(check_queue(qp, servers, factor, replications=replications,
                                      seed=seed))
    notes = []
    if all(abs(ev.cost_by_channel.get(k, 0.0) - v) < 1e-6 for k, v in base.cost_by_channel.items()) \
            and abs(ev.csat_overall - base.csat_overall) < 1e-12:
        notes.append("no modelled issue reaches what this lever changes (e.g. a channel used "
                     "only by escalations): its effect is outside the model")
    return {
        "lever": lever, "params": template(lever).params(params), "notes": notes,
        "baseline": _ev(base), "scenario": _ev(ev),
        "service_levels": {c.code: o for c, o in zip(p.channels, policy.options, strict=True)
                           if o},
        "delta": {"service_cost": ev.service_cost - base.service_cost,
                  "churn_cost": ev.churn_cost - base.churn_cost,
                  "net_cost": ev.total_cost - base.total_cost,
                  "csat_points": 100.0 * (ev.csat_overall - base.csat_overall)},
        "budget": effect.solve_budget,
        "simulation": [{"channel": c.channel, "volume_factor": c.volume_factor,
                        "agent_hours_per_week": c.agent_hours_per_week, "analytic": c.analytic,
                        "simulated": c.simulated, "gap": c.gap} for c in checks],
    }


def run_scenario(session: Session, model: BalanceModel, name: str, **kw: Any) -> dict[str, Any]:
    """Evaluate the stored scenario ``name`` and store the run."""
    sc = get_scenario(session, name)
    result = evaluate_scenario(model, sc.lever, sc.params, **kw)
    gaps = [abs(c["gap"]["service_level"]) for c in result["simulation"]]
    run = ScenarioRun(
        scenario_id=sc.id, ran_at=_now(),
        service_cost=result["scenario"]["service_cost"],
        churn_cost=result["scenario"]["churn_cost"],
        csat=result["scenario"]["csat_points"] / 100.0,
        delta_service_cost=result["delta"]["service_cost"],
        delta_churn_cost=result["delta"]["churn_cost"],
        delta_csat_points=result["delta"]["csat_points"],
        simulation_gap=max(gaps) if gaps else None,
        result=_jsonable(result),
    )
    session.add(run)
    session.flush()
    return {"name": sc.name, "description": sc.description, "run_id": run.id, **result}


def compare(session: Session, model: BalanceModel, a: str, b: str, **kw: Any) -> dict[str, Any]:
    """Run two scenarios and set their effects side by side (b - a)."""
    ra, rb = run_scenario(session, model, a, **kw), run_scenario(session, model, b, **kw)
    diff = {k: rb["delta"][k] - ra["delta"][k] for k in ra["delta"]}
    return {"a": ra, "b": rb, "b_minus_a": diff}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if np.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
