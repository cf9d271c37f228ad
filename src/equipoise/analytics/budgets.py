"""Target-cost budgets: targets per org unit per month, actual cost rolled up the same tree, variance."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

import pandas as pd

from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import Period


@dataclass(frozen=True)
class BudgetNode:
    """One org unit in one month: its target, its actual cost (own + everything below) and variance."""

    month: str
    unit: str
    name: str
    kind: str
    parent: str | None
    depth: int
    target: float | None
    contact_cost: float
    fixed_cost: float
    actual: float
    variance: float | None
    variance_pct: float | None


@dataclass(frozen=True)
class BudgetWarning:
    """Children's targets that do not add up to their parent's target."""

    month: str
    unit: str
    target: float
    children_total: float
    difference: float
    message: str


@dataclass(frozen=True)
class BudgetReport:
    period: str
    nodes: tuple[BudgetNode, ...]
    warnings: tuple[BudgetWarning, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _whole_months(period: Period) -> list[dt.date]:
    months = period.months
    if period.start != dt.datetime.combine(months[0], dt.time()) or period.end.day != 1 or (
            period.end.time() != dt.time()):
        raise ValueError(f"period: budgets are monthly; {period.label!r} does not cover whole months")
    return months


def _month_label(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def budget_report(facts: Facts, period: Period, *,
                  include_channel_fixed: bool = False) -> BudgetReport:
    """Targets, actuals and variances for every org unit and month of ``period`` (whole months).

    A unit's actual cost is its own fixed cost plus the cost of contacts its team handled plus the
    actual cost of every unit below it; contacts without a team (and, on request, the channels'
    fixed costs) are carried by the root. A unit's target should equal its own fixed cost plus its
    children's targets; every unit where it does not gets a warning.
    """
    months = _whole_months(period)
    units = facts.table("org_units").select("id", "code", "name", "kind", "parent_id",
                                            "fixed_cost_monthly").to_pandas()
    if units.empty:
        return BudgetReport(period.label, (), ())
    ids = [int(i) for i in units["id"]]
    parent = {int(i): (None if pd.isna(p) else int(p)) for i, p in zip(units["id"], units["parent_id"],
                                                                       strict=True)}
    info = {int(r.id): r for r in units.itertuples(index=False)}
    children: dict[int | None, list[int]] = {}
    for uid in sorted(ids, key=lambda u: info[u].code):
        children.setdefault(parent[uid], []).append(uid)
    roots = children.get(None, [])

    c = facts.table("contacts")
    c = c.filter((c.arrived_at >= period.start) & (c.arrived_at < period.end))
    cost = c.group_by(team_id=c.team_id, y=c.arrived_at.year(), m=c.arrived_at.month()).aggregate(
        cost=c.cost.sum().cast("float64")).to_pandas()
    own: dict[tuple[int | None, str], float] = {}
    for r in cost.itertuples(index=False):
        team = None if pd.isna(r.team_id) or int(r.team_id) not in info else int(r.team_id)
        key = (team, f"{int(r.y)}-{int(r.m):02d}")
        own[key] = own.get(key, 0.0) + float(r.cost)
    channel_fixed = 0.0
    if include_channel_fixed:
        ch = facts.table("channels").fixed_cost_monthly.sum().cast("float64").to_pandas()
        channel_fixed = float(ch or 0.0)
    b = facts.table("budget_lines")
    b = b.filter((b.period >= period.start.date()) & (b.period < period.end.date()))
    lines = b.select("org_unit_id", "period", "target_cost").to_pandas()
    targets = {(int(r.org_unit_id), _month_label(pd.Timestamp(r.period).date())): float(r.target_cost)
               for r in lines.itertuples(index=False)}

    nodes: list[BudgetNode] = []
    warnings: list[BudgetWarning] = []
    for month in months:
        label = _month_label(month)
        actual: dict[int, float] = {}

        def roll(uid: int, _label: str = label, _actual: dict[int, float] = actual) -> float:
            own_cost = own.get((uid, _label), 0.0)
            total = own_cost + float(info[uid].fixed_cost_monthly)
            for kid in children.get(uid, []):
                total += roll(kid)
            _actual[uid] = total
            return total

        for i, root in enumerate(roots):
            roll(root)
            if i == 0:  # unassigned contacts and channel fixed costs belong to the (first) root
                actual[root] += own.get((None, label), 0.0) + channel_fixed

        def emit(uid: int, depth: int, _label: str = label,
                 _actual: dict[int, float] = actual) -> None:
            extra = own.get((None, _label), 0.0) if uid == (roots[0] if roots else None) else 0.0
            target = targets.get((uid, _label))
            variance = None if target is None else _actual[uid] - target
            pct = None if target in (None, 0.0) or variance is None else 100.0 * variance / target
            fixed = float(info[uid].fixed_cost_monthly) + (
                channel_fixed if roots and uid == roots[0] else 0.0)
            nodes.append(BudgetNode(
                _label, info[uid].code, info[uid].name, info[uid].kind,
                None if parent[uid] is None else info[parent[uid]].code, depth, target,
                own.get((uid, _label), 0.0) + extra, fixed, _actual[uid], variance, pct))
            kids = children.get(uid, [])
            kid_targets = [targets.get((k, _label)) for k in kids]
            if target is not None and kids and any(t is not None for t in kid_targets):
                own_fixed = float(info[uid].fixed_cost_monthly)
                total = sum(t or 0.0 for t in kid_targets) + own_fixed
                if not math.isclose(total, target, rel_tol=1e-6, abs_tol=0.01):
                    missing = [info[k].code for k, t in zip(kids, kid_targets, strict=True) if t is None]
                    note = f" ({', '.join(missing)} without a target)" if missing else ""
                    warnings.append(BudgetWarning(
                        _label, info[uid].code, target, total, total - target,
                        f"{_label} {info[uid].code}: children's targets plus the unit's own fixed "
                        f"cost ({own_fixed:,.2f}) add up to {total:,.2f}, not the unit's target "
                        f"{target:,.2f} (difference {total - target:+,.2f}){note}"))
            for kid in kids:
                emit(kid, depth + 1)

        for root in roots:
            emit(root, 0)
    return BudgetReport(period.label, tuple(nodes), tuple(warnings))
