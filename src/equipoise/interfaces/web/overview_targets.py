"""Targets of the overview's KPI tiles, each from a stated source, for the whole period and per month.

* **CSAT (4–5)**: the score-5 threshold of the default scorecard's ``csat`` indicator (90 %), the
  level at which the scorecard says the target is met.
* **Cost** and **cost per contact**: the budget. The company's monthly target cost (the budget
  lines of the top org unit) covers the org units' fixed costs plus the cost of contacts, so the
  budget for contact cost is the target minus the fixed costs; per contact, that budget divided by
  the contacts of the month. Met exactly when the Budgets page shows the company within its target.
* **Contacts** is demand, not a goal, and the scorecard has no abandonment indicator (the channels
  set answer-time targets, not abandonment ones): these two tiles say they have no target.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from equipoise.analytics.facts import Facts
from equipoise.analytics.scorecard import load_scorecard


@dataclass(frozen=True)
class Target:
    """A tile's target: whole-period value, per-month values, which direction is better, the source."""

    value: float | None
    monthly: tuple[float | None, ...]
    better: str  # "higher" or "lower"
    source: str
    #: Anchor of the definition on /definitions.
    anchor: str

    def met(self, actual: float | None) -> bool | None:
        """True when ``actual`` meets the target; None without a target or an actual."""
        if self.value is None or actual is None or (isinstance(actual, float) and math.isnan(actual)):
            return None
        return actual >= self.value if self.better == "higher" else actual <= self.value


#: What each target means (on /definitions#overview-target-<key>); ``None`` marks a tile without one.
DEFINITIONS: dict[str, str] = {
    "csat_pct": "Target of CSAT (4–5): the score-5 threshold of the default scorecard's CSAT indicator "
                "(the scorecard scores 5 when the target is met), %; met when CSAT is at or above it.",
    "cost": "Budget for contact cost: the company's monthly target cost (budget lines of the top org "
            "unit) minus the org units' fixed costs per month, summed over the months shown, in the "
            "currency; met when contact cost is at or below it (the Budgets page's company variance ≤ 0).",
    "cost_per_contact": "Budgeted cost per contact: the budget for contact cost divided by the contacts "
                        "of the same months, currency per contact; met when cost per contact is at or "
                        "below it.",
    "contacts": "No target: contacts are customer demand, not a goal.",
    "abandon_rate": "No target: the default scorecard has no abandonment indicator and the channels set "
                    "answer-time targets (seconds), not abandonment ones.",
}


def scorecard_threshold(metric: str) -> tuple[float, str] | None:
    """Score-5 threshold and direction of the default scorecard's unfiltered indicator on ``metric``."""
    for dim in load_scorecard().dimensions:
        for ind in dim.indicators:
            if ind.metric == metric and not ind.filters:
                return float(ind.bands.thresholds[0]), ind.bands.better
    return None


def contact_budget(facts: Facts, months: Sequence[str]) -> dict[str, float | None]:
    """Budget for contact cost per month (``YYYY-MM``): top units' targets minus all fixed costs."""
    units = facts.table("org_units").select("id", "parent_id", "fixed_cost_monthly").to_pandas()
    if units.empty:
        return {m: None for m in months}
    roots = {int(i) for i, p in zip(units["id"], units["parent_id"], strict=True) if pd.isna(p)}
    fixed = float(units["fixed_cost_monthly"].fillna(0.0).sum())
    b = facts.table("budget_lines").select("org_unit_id", "period", "target_cost").to_pandas()
    targets: dict[str, float] = {}
    count: dict[str, int] = {}
    for r in b.itertuples(index=False):
        if int(r.org_unit_id) in roots:
            day = pd.Timestamp(r.period).date()
            key = f"{day.year}-{day.month:02d}"
            targets[key] = targets.get(key, 0.0) + float(r.target_cost)
            count[key] = count.get(key, 0) + 1
    # a month is budgeted when every top unit has its line
    return {m: targets[m] - fixed if count.get(m) == len(roots) else None for m in months}


def _month_key(value: object) -> str:
    if isinstance(value, str):
        return value[:7]
    if isinstance(value, dt.date | pd.Timestamp):
        return f"{value.year}-{value.month:02d}"
    return str(value)[:7]


def tile_targets(facts: Facts, months: Sequence[object], monthly_contacts: Sequence[float | None],
                 totals: dict[str, float | None]) -> dict[str, Target | None]:
    """The target of every overview tile (None: the tile has no target; see :data:`DEFINITIONS`)."""
    keys = [_month_key(m) for m in months]
    out: dict[str, Target | None] = {"contacts": None, "abandon_rate": None}
    found = scorecard_threshold("csat")
    if found is not None:
        value, better = found
        out["csat_pct"] = Target(value, tuple(value for _ in keys), better,
                                 "default scorecard, CSAT indicator (score 5)", "overview-target-csat_pct")
    else:
        out["csat_pct"] = None
    budget = contact_budget(facts, keys)
    per_month = [budget[k] for k in keys]
    whole = None if not keys or any(v is None for v in per_month) else sum(v for v in per_month if v is not None)
    out["cost"] = Target(whole, tuple(per_month), "lower", "budget (company target − fixed costs)",
                         "overview-target-cost")
    per_contact = tuple(None if b is None or not n else b / float(n)
                        for b, n in zip(per_month, monthly_contacts, strict=True))
    contacts = totals.get("contacts")
    out["cost_per_contact"] = Target(None if whole is None or not contacts else whole / float(contacts),
                                     per_contact, "lower", "budget ÷ contacts",
                                     "overview-target-cost_per_contact")
    return out
