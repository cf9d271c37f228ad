"""Shift plans for the demo company, made the way a planner would: forecast load, then staff to it.

The expected load per pool and hour comes from the catalog's contact rates and profiles; agents per
hour follow square-root staffing (servers = a + beta * sqrt(a)); shifts of up to eight hours are laid
greedily over the requirement. Waits in the generated data then follow from this staffing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from equipoise.demo import truth
from equipoise.demo.catalog import (
    CHANNEL_BY_CODE,
    COMPLEXITY_AHT,
    DOW_WEIGHTS,
    GROWTH_PER_MONTH,
    HIGH_TIER_MISROUTE,
    HOUR_WEIGHTS,
    MONTH_WEIGHTS,
    OFFICE,
    POOLS,
    REASON_WEIGHTS,
    REASONS,
    TIERS,
    WEEKDAYS_6,
    PoolSpec,
)
from equipoise.demo.clock import DAY, HOUR, Horizon

SHIFT_HOURS = 8
#: Staffed channels inflate first-contact volume by repeats, retries and transfers.
FOLLOW_UP_FACTOR = 1.3
#: Hours the written channels (email, social) are staffed, and the field technicians work.
STAFFED_HOURS = {"phone": WEEKDAYS_6, "chat": WEEKDAYS_6, "email": WEEKDAYS_6, "social": WEEKDAYS_6,
                 "field": OFFICE}


@dataclass(frozen=True)
class Shift:
    pool: str
    agent: int  # index into the pool's roster
    start: float  # seconds on the horizon
    end: float


def channel_mix(tier_index: int, reason_index: int) -> dict[str, float]:
    """Today's first-contact channel shares for a tier and reason (eligible channels only)."""
    tier, reason = TIERS[tier_index], REASONS[reason_index]
    mix = {c: w for c, w in tier.channel_mix.items() if c in reason.channels}
    total = sum(mix.values())
    return {c: w / total for c, w in mix.items()}


def reason_shares() -> list[float]:
    total = sum(REASON_WEIGHTS[r.code] for r in REASONS)
    return [REASON_WEIGHTS[r.code] / total for r in REASONS]


def monthly_pool_volume(tier_counts: np.ndarray) -> dict[str, float]:
    """Expected contacts per month reaching each pool, before seasonality."""
    shares = reason_shares()
    volume = {p.code: 0.0 for p in POOLS}
    for ti, tier in enumerate(TIERS):
        base = tier_counts[ti] * tier.contacts_per_month
        for ri, reason in enumerate(REASONS):
            for ch, share in channel_mix(ti, ri).items():
                v = base * shares[ri] * share
                if ch in ("ivr", "self_service"):
                    esc = CHANNEL_BY_CODE[ch].escalates_to
                    ch = esc if esc in reason.channels else "phone"
                    v *= 1.0 - reason.containment.get(ch, 0.5)
                if ch == "phone":
                    premier = 1.0 if tier.code == "top" else (1 - HIGH_TIER_MISROUTE if tier.code == "high" else 0)
                    volume["phone_premier"] += v * premier * FOLLOW_UP_FACTOR
                    volume["phone_general"] += v * (1 - premier) * FOLLOW_UP_FACTOR
                else:
                    volume[ch] += v * FOLLOW_UP_FACTOR
                if "field" in reason.channels:
                    volume["field"] += v * (1 - 0.6) * truth.FIELD_ESCALATION_PROBABILITY
    return volume


def pool_aht(pool: PoolSpec) -> float:
    """Mean handle seconds of a pool over its typical reason mix."""
    shares = reason_shares()
    mean_factor = sum(s * COMPLEXITY_AHT[r.complexity] for s, r in zip(shares, REASONS, strict=False))
    if pool.channel == "field":
        mean_factor = 1.0
    return CHANNEL_BY_CODE[pool.channel].base_aht * mean_factor * pool.aht_factor


def hourly_requirement(pool: PoolSpec, monthly_volume: float, horizon: Horizon) -> np.ndarray:
    """Agents required per hour of the horizon (array of length days * 24)."""
    arrivals_hours = CHANNEL_BY_CODE[pool.channel].hours
    staffed = STAFFED_HOURS[pool.channel]
    hours = (horizon.days + 7) * 24  # a spare week of minimum cover after the horizon
    weights = np.zeros(hours)
    for d in range(horizon.days):
        span = arrivals_hours.get(str(horizon.weekday(d)))
        if span:
            for h in range(span[0], span[1]):
                weights[d * 24 + h] = DOW_WEIGHTS[horizon.weekday(d)] * HOUR_WEIGHTS[h]
    load = np.zeros(hours)
    for m in range(horizon.months):
        a = int(horizon.month_starts[m] // HOUR)
        b = int(horizon.month_starts[m + 1] // HOUR)
        w = weights[a:b]
        if w.sum() > 0:
            month_vol = monthly_volume * MONTH_WEIGHTS[horizon.month_date(m).month - 1]
            month_vol *= (1 + GROWTH_PER_MONTH) ** m
            load[a:b] = month_vol * w / w.sum()
    aht = pool_aht(pool)
    slots = float(np.mean(pool.slots_per_agent))
    need = np.zeros(hours, dtype=int)
    deferred = pool.channel in ("email", "social", "field")
    for d in range(horizon.days + 7):
        wd = horizon.weekday(d)
        span = staffed.get(str(wd))
        if not span:
            continue
        day = slice(d * 24, d * 24 + 24)
        if deferred:
            work_hours = load[day].sum() * aht / HOUR
            open_hours = span[1] - span[0]
            agents = max(1, math.ceil(work_hours / open_hours / slots * 1.1))
            need[d * 24 + span[0]: d * 24 + span[1]] = agents
            continue
        for h in range(span[0], span[1]):
            a_load = load[d * 24 + h] * aht / HOUR
            beta = pool.staffing_beta
            if pool.code == "phone_general" and wd == 0 and h in truth.UNDERSTAFFED_MONDAY_HOURS:
                beta = 0.0
            servers = math.ceil(a_load + beta * math.sqrt(a_load)) if a_load > 0 else 1
            need[d * 24 + h] = max(1, math.ceil(servers / slots))
    return need


def lay_shifts(pool: PoolSpec, need: np.ndarray, roster_size: int | None = None) -> tuple[list[Shift], int]:
    """Greedy shifts covering the hourly requirement; returns the shifts and the roster size."""
    days = len(need) // 24
    per_day: list[list[tuple[float, float]]] = []
    for d in range(days):
        cover = np.zeros(24, dtype=int)
        day_shifts: list[tuple[float, float]] = []
        for h in range(24):
            deficit = need[d * 24 + h] - cover[h]
            if deficit <= 0:
                continue
            close = _close_hour(d, h, need)
            length = min(SHIFT_HOURS, close - h)
            cover[h:h + length] += deficit
            day_shifts.extend([(d * DAY + h * HOUR, d * DAY + (h + length) * HOUR)] * int(deficit))
        per_day.append(day_shifts)
    max_daily = max((len(s) for s in per_day), default=1)
    roster = roster_size or max(1, math.ceil(max_daily * 7 / 5))
    shifts: list[Shift] = []
    offset = 0
    for day_shifts in per_day:
        for k, (s, e) in enumerate(day_shifts):
            shifts.append(Shift(pool.code, (offset + k) % roster, s, e))
        offset = (offset + len(day_shifts)) % roster
    return shifts, roster


def _close_hour(day: int, hour: int, need: np.ndarray) -> int:
    h = hour
    while h < 24 and need[day * 24 + h] > 0:
        h += 1
    return h
