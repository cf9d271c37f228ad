"""Lever templates: what-ifs applied to the measured optimiser inputs, with editable defaults.

Each template turns parameters (its defaults overridden by the scenario's own) into a
:class:`LeverEffect`: changed optimiser inputs, the policy to evaluate and, for queues whose
staffing changes, the staffing factor the simulator check uses. Cost levers carry the typical
published effects of DESIGN §2 as defaults, and every one has a satisfaction effect
(``csat_change``, a change of the satisfied share, e.g. -0.02 = two CSAT points) that the
evaluation carries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from equipoise.engine.optimize import ChannelSpec, Policy, ProblemInputs, ServiceLevelOption
from equipoise.planning.balance import BalanceModel


@dataclass(frozen=True, eq=False)
class LeverEffect:
    """A lever applied: the changed inputs, the policy to evaluate, staffing factors."""

    problem: ProblemInputs
    #: The policy to evaluate; None = today's policy of ``problem`` (its current mix/options).
    policy: Policy | None = None
    #: Solve for the least net cost under this service-cost cap instead (budget cuts).
    solve_budget: float | None = None
    #: Queue channel -> agents relative to today (staffing levers), for the simulator check.
    staffing: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LeverTemplate:
    """A named lever with its default parameters and what it does."""

    kind: str
    description: str
    defaults: Mapping[str, object]
    apply: Callable[[BalanceModel, dict[str, object]], LeverEffect]

    def params(self, given: Mapping[str, object] | None) -> dict[str, object]:
        """Defaults overridden by ``given``; unknown names are refused."""
        given = dict(given or {})
        unknown = set(given) - set(self.defaults)
        if unknown:
            raise ValueError(f"params of lever {self.kind!r}: unknown {sorted(unknown)}; "
                             f"expected some of {sorted(self.defaults)}")
        return {**self.defaults, **given}


def _codes(value: object, known: tuple[str, ...], what: str) -> list[int]:
    """Indices of the codes in ``value`` (None or "all" = every one)."""
    if value is None or value == "all":
        return list(range(len(known)))
    items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    bad = [v for v in items if v not in known]
    if bad:
        raise ValueError(f"{what}: unknown {bad}; known: {list(known)}")
    return [known.index(v) for v in items]


def _share(name: str, value: object, low: float = 0.0, high: float = 1.0) -> float:
    v = float(value)  # type: ignore[arg-type]
    if not (math.isfinite(v) and low <= v <= high):
        raise ValueError(f"{name}: expected a number in [{low}, {high}], got {value!r}")
    return v


def _channels(p: ProblemInputs) -> tuple[str, ...]:
    return tuple(c.code for c in p.channels)


def _shift(model: BalanceModel, prm: dict[str, object]) -> LeverEffect:
    p = model.problem
    codes = _channels(p)
    src = _codes(prm["from_channel"], codes, "from_channel")[0]
    dst = _codes(prm["to_channel"], codes, "to_channel")[0]
    share = _share("share", prm["share"])
    opt_out = _share("opt_out", prm["opt_out"])
    reasons = _codes(prm["reasons"], p.reasons, "reasons")
    if prm.get("complexity"):
        reasons = [r for r in reasons
                   if model.reason_info.get(p.reasons[r], ("", ""))[1] == prm["complexity"]]
    tiers = _codes(prm["tiers"], tuple(t.code for t in p.tiers), "tiers")
    cur = np.array(p.current_share)
    elig = np.array(p.eligible)
    cont = np.array(p.containment)
    csat_res = np.array(p.csat_resolved)
    for s in tiers:
        for r in reasons:
            moved = share * cur[s, r, src]
            if moved <= 0:
                continue
            if not p.channels[dst].staffed:
                k = cont[s, r, dst] if prm["containment"] is None else \
                    _share("containment", prm["containment"])
                k_new = k * (1.0 - opt_out)
                old = cur[s, r, dst]
                cont[s, r, dst] = (old * cont[s, r, dst] + moved * k_new) / (old + moved)
            csat_res[s, r, dst] = np.clip(csat_res[s, r, dst] + float(prm["csat_change"]), 0, 1)
            cur[s, r, src] -= moved
            cur[s, r, dst] += moved
            elig[s, r, dst] = True
    return LeverEffect(p.with_changes(current_share=cur, eligible=elig, containment=cont,
                                      csat_resolved=csat_res))


def _with_options(spec: ChannelSpec, options: tuple[ServiceLevelOption, ...],
                  current: str | None) -> ChannelSpec:
    return replace(spec, options=options, current_option=current)


def _staffing(model: BalanceModel, prm: dict[str, object]) -> LeverEffect:
    p = model.problem
    code = str(prm["channel"])
    qp = model.queues.get(code)
    if qp is None:
        raise ValueError(f"channel: {code!r} is not a real-time queue; "
                         f"staffing levers apply to {sorted(model.queues)}")
    change = _share("change", prm["change"], -0.9, 2.0)
    today_sl = min(max(qp.service_level, 0.05), 0.99)
    servers = qp.servers_for(today_sl)
    new = np.floor(servers * (1.0 + change)).astype(np.int64)
    before, after = qp.outcome(servers), qp.outcome(new)
    # Erlang's change of wait added to the measured wait keeps today's level as the anchor.
    extra_wait = after.mean_wait_seconds - before.mean_wait_seconds
    c = p.channel_index(code)
    spec = p.channels[c]
    today = spec.effective_options[spec.current_index]
    hours = qp.paid_hours_per_week * after.agent_hours_per_week / before.agent_hours_per_week
    labour_share = today.staffing_cost_per_contact
    paid_today = qp.paid_hours_per_week * qp.hourly_cost
    name = f"staffing {change:+.0%}"
    # Option cost: today's idle cost per contact plus the change in paid hours per contact.
    opt = ServiceLevelOption(
        name,
        max(0.0, labour_share + (hours * qp.hourly_cost - paid_today)
            / max(qp.arrivals_per_hour.sum() * (1 - qp.abandon_rate), 1e-9)),
        max(0.0, qp.mean_wait_seconds + extra_wait),
    )
    channels = list(p.channels)
    channels[c] = _with_options(spec, (*spec.effective_options, opt), name)
    return LeverEffect(p.with_changes(channels=tuple(channels)), staffing={code: 1.0 + change})


def _fcr(model: BalanceModel, prm: dict[str, object]) -> LeverEffect:
    p = model.problem
    staffed = [i for i, c in enumerate(p.channels) if c.staffed]
    chans = staffed if prm["channels"] is None else _codes(prm["channels"], _channels(p),
                                                           "channels")
    points = _share("points", prm["points"], -0.5, 0.5)
    fcr = np.array(p.fcr)
    cost = np.array(p.handle_cost)
    for c in chans:
        if p.channels[c].staffed:
            fcr[:, :, c] = np.clip(fcr[:, :, c] + points, 0.05, 0.99)
            cost[:, :, c] += float(prm["cost_per_contact"])
    return LeverEffect(p.with_changes(fcr=fcr, handle_cost=cost))


def _cost(model: BalanceModel, prm: dict[str, object]) -> LeverEffect:
    """Scale handling and staffing cost on channels, with a satisfaction and resolution effect."""
    p = model.problem
    default = [i for i, c in enumerate(p.channels) if c.staffed]
    chans = default if prm["channels"] is None else _codes(prm["channels"], _channels(p),
                                                           "channels")
    reduction = _share("cost_reduction", prm["cost_reduction"]) * \
        _share("share", prm.get("share", 1.0))
    cost, fcr = np.array(p.handle_cost), np.array(p.fcr)
    q1, q0 = np.array(p.csat_resolved), np.array(p.csat_unresolved)
    channels = list(p.channels)
    dq = float(prm["csat_change"]) * float(prm.get("share", 1.0))
    df = float(prm.get("fcr_change", 0.0)) * float(prm.get("share", 1.0))
    for c in chans:
        cost[:, :, c] *= 1.0 - reduction
        q1[:, :, c] = np.clip(q1[:, :, c] + dq, 0.0, 1.0)
        q0[:, :, c] = np.clip(q0[:, :, c] + dq, 0.0, 1.0)
        if p.channels[c].staffed:
            fcr[:, :, c] = np.clip(fcr[:, :, c] + df, 0.05, 0.99)
            spec = p.channels[c]
            opts = tuple(replace(o, staffing_cost_per_contact=o.staffing_cost_per_contact
                                 * (1.0 - reduction)) for o in spec.effective_options)
            channels[c] = _with_options(spec, opts, spec.current_option)
    return LeverEffect(p.with_changes(handle_cost=cost, fcr=fcr, csat_resolved=q1,
                                      csat_unresolved=q0, channels=tuple(channels)))


def _volume(model: BalanceModel, prm: dict[str, object]) -> LeverEffect:
    """Fewer issues for reasons (of a category, or all): training, preventive maintenance."""
    p = model.problem
    cut = _share("volume_reduction", prm["volume_reduction"])
    vol = np.array(p.volume)
    q1 = np.array(p.csat_resolved)
    for r, reason in enumerate(p.reasons):
        if prm["category"] in (None, "all", model.reason_info.get(reason, ("", ""))[0]):
            vol[:, r] *= 1.0 - cut
            q1[:, r, :] = np.clip(q1[:, r, :] + float(prm["csat_change"]), 0.0, 1.0)
    return LeverEffect(p.with_changes(volume=vol, csat_resolved=q1))


def _launch(model: BalanceModel, prm: dict[str, object]) -> LeverEffect:
    """Offer a channel for more reasons (adding it when new) and move a share of a channel to it."""
    p = model.problem
    code = str(prm["channel"])
    if code not in _channels(p):
        S, R, C = p.shape
        grow = {
            "handle_cost": float(prm["cost_per_contact"]), "fcr": float(prm["fcr"]),
            "csat_resolved": float(prm["csat_resolved"]),
            "csat_unresolved": float(prm["csat_unresolved"]),
            "containment": 1.0, "complaint_rate": 0.0, "current_share": 0.0,
        }
        arrays = {k: np.concatenate([np.array(getattr(p, k)), np.full((S, R, 1), v)], axis=2)
                  for k, v in grow.items()}
        arrays["eligible"] = np.concatenate([np.array(p.eligible), np.zeros((S, R, 1), bool)], 2)
        p = p.with_changes(channels=(*p.channels, ChannelSpec(code, True)), **arrays)
    model = model.with_problem(p)
    elig = np.array(p.eligible)
    dst = p.channel_index(code)
    for r in _codes(prm["reasons"], p.reasons, "reasons"):
        elig[:, r, dst] = True
    shifted = _shift(model.with_problem(p.with_changes(eligible=elig)), {
        "from_channel": prm["from_channel"], "to_channel": code, "share": prm["share"],
        "opt_out": 0.0, "reasons": prm["reasons"], "tiers": None, "containment": None,
        "csat_change": 0.0, "complexity": None,
    })
    return shifted


def _budget(model: BalanceModel, prm: dict[str, object]) -> LeverEffect:
    from equipoise.engine.optimize import current_policy, evaluate

    cut = _share("cut", prm["cut"])
    today = evaluate(model.problem, current_policy(model.problem))
    return LeverEffect(model.problem, solve_budget=today.service_cost * (1.0 - cut))


_SHIFT = {"from_channel": "phone", "to_channel": "ivr", "share": 0.4, "opt_out": 0.2,
          "containment": None, "reasons": None, "tiers": None, "csat_change": 0.0,
          "complexity": None}
_COST = {"channels": None, "cost_reduction": 0.2, "csat_change": 0.0, "fcr_change": 0.0,
         "share": 1.0}

TEMPLATES: dict[str, LeverTemplate] = {t.kind: t for t in (
    LeverTemplate("channel_shift", "Move a share of issues from one channel to another; an "
                  "automated target contains them at its measured rate less the opt-outs.",
                  _SHIFT, _shift),
    LeverTemplate("staffing_change", "Change the agents of a real-time queue by a share "
                  "(Erlang A gives the new wait).", {"channel": "phone", "change": -0.10},
                  _staffing),
    LeverTemplate("fcr_improvement", "Raise per-contact resolution on staffed channels.",
                  {"points": 0.10, "channels": None, "cost_per_contact": 0.0}, _fcr),
    LeverTemplate("outsourcing", "Outsource or offshore a share of a channel: cheaper per "
                  "contact (-15-30%), lower satisfaction and resolution.",
                  {**_COST, "channels": "phone", "cost_reduction": 0.25, "csat_change": -0.05,
                   "fcr_change": -0.03}, _cost),
    LeverTemplate("launch_channel", "Offer a channel for every reason (adding it when new, "
                  "with the given economics) and move a share of another channel to it.",
                  {"channel": "chat", "from_channel": "phone", "share": 0.25, "reasons": None,
                   "cost_per_contact": 6.0, "fcr": 0.7, "csat_resolved": 0.85,
                   "csat_unresolved": 0.4}, _launch),
    LeverTemplate("budget_cut", "Cut the service budget by a share and find the least net-cost "
                  "policy that fits.", {"cut": 0.15}, _budget),
    LeverTemplate("self_service", "Self-service takes a share of simple issues (-50% of simple "
                  "calls).", {**_SHIFT, "to_channel": "self_service", "share": 0.5,
                              "complexity": "simple"}, _shift),
    LeverTemplate("remote_support", "Remote support cuts field cost (-20-50%).",
                  {**_COST, "channels": "field", "cost_reduction": 0.35, "csat_change": -0.01},
                  _cost),
    LeverTemplate("preventive_maintenance", "Preventive maintenance: fewer repair issues "
                  "(-25% repair cost).", {"volume_reduction": 0.25, "category": "technical",
                                          "csat_change": 0.0}, _volume),
    LeverTemplate("spare_parts", "Spare-parts management cuts field cost (-10-20%).",
                  {**_COST, "channels": "field", "cost_reduction": 0.15}, _cost),
    LeverTemplate("customer_training", "Customer training: fewer contacts (-20-30%).",
                  {"volume_reduction": 0.25, "category": None, "csat_change": 0.0}, _volume),
    LeverTemplate("continuous_improvement", "Continuous improvement: -5-10% handling cost a "
                  "year.", {**_COST, "cost_reduction": 0.075}, _cost),
    LeverTemplate("automation", "Automation and technology: -15-25% handling cost, a small "
                  "satisfaction cost.", {**_COST, "cost_reduction": 0.2, "csat_change": -0.02},
                  _cost),
)}

#: The named scenarios every database starts with: (name, lever, params, description).
DEFAULT_SCENARIOS: tuple[tuple[str, str, dict[str, object], str], ...] = (
    ("billing-to-ivr", "channel_shift", {"reasons": ["billing_question"], "share": 0.4},
     "40% of billing-question calls to the IVR, with its containment and 20% opt-out"),
    ("staffing-cut", "staffing_change", {"channel": "phone", "change": -0.10},
     "10% fewer phone agents"),
    ("fcr-plus-10", "fcr_improvement", {"points": 0.10}, "FCR +10 points on staffed channels"),
    ("offshore-phone", "outsourcing", {"channels": "phone"},
     "Offshore the phone queue: -25% cost per contact, -5 CSAT points, -3 FCR points"),
    ("launch-live-chat", "launch_channel", {"channel": "chat", "share": 0.25},
     "Live chat for every reason, taking 25% of phone issues"),
    ("budget-cut-15", "budget_cut", {"cut": 0.15}, "A 15% service budget cut"),
)


def template(kind: str) -> LeverTemplate:
    """The lever template ``kind``."""
    if kind not in TEMPLATES:
        raise ValueError(f"lever: unknown {kind!r}; known: {sorted(TEMPLATES)}")
    return TEMPLATES[kind]


def apply_lever(model: BalanceModel, kind: str, params: Mapping[str, object] | None) -> LeverEffect:
    """Apply lever ``kind`` with ``params`` (over its defaults) to the measured model."""
    t = template(kind)
    return t.apply(model, t.params(params))


__all__ = ["DEFAULT_SCENARIOS", "TEMPLATES", "LeverEffect", "LeverTemplate", "apply_lever",
           "template"]
