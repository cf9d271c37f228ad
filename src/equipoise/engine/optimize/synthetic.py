"""Random but plausible optimiser instances, for tests, benchmarks and demos.

Cost ranges per contact follow DESIGN §2 (phone $8-25, chat $3-12, email $2-10, self-service
$0.10-1.00); churn costs come from :mod:`equipoise.engine.economics` with the default churn
link. Everything is drawn from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import numpy as np

from equipoise.engine.economics import Segment, churn_cost_rates, default_churn_model
from equipoise.engine.optimize.inputs import (
    ChannelSpec,
    ProblemInputs,
    ServiceLevelOption,
    TierSpec,
)

__all__ = ["CHANNEL_PROFILES", "synthetic_problem"]

#: code: (staffed, handle cost range, fcr range, escalates to)
CHANNEL_PROFILES: dict[str, tuple[bool, tuple[float, float], tuple[float, float], str | None]] = {
    "phone": (True, (8.0, 25.0), (0.65, 0.85), None),
    "chat": (True, (3.0, 12.0), (0.55, 0.80), None),
    "email": (True, (2.0, 10.0), (0.45, 0.70), None),
    "social": (True, (3.0, 10.0), (0.40, 0.65), None),
    "field": (True, (80.0, 200.0), (0.70, 0.90), None),
    "video": (True, (10.0, 25.0), (0.70, 0.90), None),
    "ivr": (False, (0.30, 1.00), (1.0, 1.0), "phone"),
    "self_service": (False, (0.10, 1.00), (1.0, 1.0), "chat"),
}
_ORDER = ("phone", "chat", "ivr", "self_service", "email", "social", "video", "field")
#: (name, staffing overhead as a share of handle cost, mean wait seconds)
_SL_OPTIONS = (("60/20", 0.10, 150.0), ("80/20", 0.22, 45.0), ("90/10", 0.38, 12.0))
_TIERS = ("top", "high", "mid", "low", "inactive")


def synthetic_problem(
    rng: np.random.Generator,
    *,
    tiers: int = 3,
    reasons: int = 4,
    channels: int = 3,
    sl_options: int = 3,
    eligibility: float = 0.7,
    csat_floor_gap: float | None = 0.02,
    budget_factor: float | None = None,
    max_shift: float | None = None,
    capacity_factor: float | None = None,
) -> ProblemInputs:
    """A random instance; floors sit ``csat_floor_gap`` below today's tier CSAT (None: no floors).

    ``budget_factor`` caps service cost at that multiple of today's; ``capacity_factor`` caps
    each staffed channel at that multiple of its current contacts.
    """
    if not 1 <= channels <= len(_ORDER):
        raise ValueError(f"channels: expected 1..{len(_ORDER)}, got {channels}")
    if not 1 <= sl_options <= len(_SL_OPTIONS):
        raise ValueError(f"sl_options: expected 1..{len(_SL_OPTIONS)}, got {sl_options}")
    if tiers < 1 or reasons < 1:
        raise ValueError("tiers, reasons: expected at least 1 of each")
    codes = list(_ORDER[:channels])
    S, R, C = tiers, reasons, channels
    tier_codes = [_TIERS[i] if i < len(_TIERS) else f"tier{i}" for i in range(S)]
    specs = []
    handle = np.zeros((S, R, C))
    fcr = np.ones((S, R, C))
    for c, code in enumerate(codes):
        staffed, (h_lo, h_hi), (f_lo, f_hi), esc = CHANNEL_PROFILES[code]
        base = rng.uniform(h_lo, h_hi, size=R)
        handle[:, :, c] = base[None, :] * rng.uniform(0.9, 1.1, size=(S, R))
        fcr[:, :, c] = rng.uniform(f_lo, f_hi, size=(S, R))
        if staffed:
            ref = float(base.mean())
            opts = tuple(
                ServiceLevelOption(name, share * ref * rng.uniform(0.8, 1.2), wait)
                for name, share, wait in _SL_OPTIONS[:sl_options]
            )
            cur = opts[min(1, sl_options - 1)].name
            specs.append(ChannelSpec(code, True, opts, current_option=cur))
        else:
            target = esc if esc in codes else "phone"
            specs.append(ChannelSpec(code, False, escalates_to=target, escalation_csat_penalty=0.1))
    staffed_mask = np.array([s.staffed for s in specs])
    csat_res = rng.uniform(0.80, 0.96, size=(S, R, C))
    csat_unres = rng.uniform(0.25, 0.55, size=(S, R, C))
    containment = np.where(staffed_mask, 1.0, rng.uniform(0.3, 0.8, size=(S, R, C)))
    eligible = rng.random((R, C)) < eligibility
    eligible[:, 0] = True  # phone always serves every reason
    elig = np.broadcast_to(eligible, (S, R, C))
    weights = rng.gamma(1.0, size=(S, R, C)) * elig
    current = weights / weights.sum(axis=2, keepdims=True)
    volume = rng.uniform(200.0, 5000.0, size=(S, R)) * (1.0 + np.arange(S))[:, None]
    tier_specs = []
    model = default_churn_model()
    for i, code in enumerate(tier_codes):
        margin = 5000.0 / (1 + i) ** 1.5
        seg = Segment(code, 1000.0 * (i + 1), margin, 0.08 + 0.03 * i, 10_000.0 / (1 + 4 * i))
        tier_specs.append(TierSpec(code, churn_cost_rates(seg, model), wait_csat_per_minute=0.01))
    problem = ProblemInputs(
        tiers=tuple(tier_specs),
        reasons=tuple(f"reason{r}" for r in range(R)),
        channels=tuple(specs),
        volume=volume,
        eligible=elig,
        current_share=current,
        handle_cost=handle,
        fcr=fcr,
        csat_resolved=csat_res,
        csat_unresolved=csat_unres,
        containment=containment,
        complaint_rate=rng.uniform(0.0, 0.02, size=(S, R, C)),
        max_shift=max_shift,
    )
    if csat_floor_gap is None and budget_factor is None and capacity_factor is None:
        return problem
    from equipoise.engine.optimize.coefficients import current_policy, evaluate

    today = evaluate(problem, current_policy(problem))
    changes: dict[str, object] = {}
    if csat_floor_gap is not None:
        changes["tiers"] = tuple(
            TierSpec(
                t.code,
                t.churn,
                t.wait_csat_per_minute,
                max(0.0, today.csat_by_tier[t.code] - csat_floor_gap),
            )
            for t in tier_specs
        )
    if budget_factor is not None:
        changes["budget"] = budget_factor * today.service_cost
    if capacity_factor is not None:
        changes["channels"] = tuple(
            ChannelSpec(
                ch.code,
                ch.staffed,
                ch.options,
                ch.current_option,
                ch.escalates_to,
                ch.escalation_csat_penalty,
                capacity_factor * today.contacts_by_channel[ch.code] if ch.staffed else None,
            )
            for ch in specs
        )
    return problem.with_changes(**changes)
