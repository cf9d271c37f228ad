"""Evaluate a scorecard for any entity (company, org unit, team, agent, channel) over any period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from equipoise.analytics.compute import compute_many
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import Period
from equipoise.analytics.registry import get_metric
from equipoise.analytics.scorecard import Indicator, Scorecard

ENTITY_KINDS = ("company", "unit", "team", "agent", "channel", "tier", "reason")
#: Entity kinds that are a slicing dimension, so every entity of the kind is scored in one pass.
GROUPABLE = ("team", "agent", "channel", "tier", "reason")


@dataclass(frozen=True)
class Entity:
    """What is scored: ``company``, or ``kind:code`` such as ``team:t1`` or ``unit:north``."""

    kind: str
    code: str | None = None

    @classmethod
    def parse(cls, text: str) -> Entity:
        """Parse ``company`` or ``kind:code``."""
        if text.strip() == "company":
            return cls("company")
        kind, sep, code = text.partition(":")
        if not sep or not code or kind not in ENTITY_KINDS[1:]:
            raise ValueError(
                f"entity: expected 'company' or one of {', '.join(ENTITY_KINDS[1:])} followed by "
                f"':code' (e.g. team:t1), got {text!r}")
        return cls(kind, code)

    def __str__(self) -> str:
        return self.kind if self.code is None else f"{self.kind}:{self.code}"


@dataclass(frozen=True)
class IndicatorScore:
    key: str
    name: str
    metric: str
    unit: str
    value: float | None
    score: int | None
    weight: float
    better: str
    bands: tuple[float, ...]
    filters: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class DimensionScore:
    key: str
    name: str
    weight: float
    score: float | None
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True)
class ScorecardResult:
    """Total 1–5 score with the drill-down: dimensions, indicators, raw KPI values."""

    scorecard: str
    entity: str
    period: str | None
    total: float | None
    dimensions: tuple[DimensionScore, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def weighted(scores: list[tuple[float, float | None]]) -> float | None:
    """Weighted mean of the available scores; weights of missing scores are spread over the rest."""
    present = [(w, s) for w, s in scores if s is not None]
    if not present:
        return None
    return sum(w * s for w, s in present) / sum(w for w, _ in present)


def org_descendants(facts: Facts, code: str) -> list[str]:
    """Codes of the org unit ``code`` and every unit below it."""
    units = facts.table("org_units").select("id", "code", "parent_id").to_pandas()
    ids = dict(zip(units["code"], units["id"], strict=True))
    if code not in ids:
        raise ValueError(f"entity: no org unit with code {code!r}")
    children: dict[int, list[int]] = {}
    for uid, parent in zip(units["id"], units["parent_id"], strict=True):
        if parent == parent and parent is not None:  # skip NaN/None roots
            children.setdefault(int(parent), []).append(int(uid))
    by_id = dict(zip(units["id"].astype(int), units["code"], strict=True))
    out, stack = [], [int(ids[code])]
    while stack:
        uid = stack.pop()
        out.append(by_id[uid])
        stack.extend(children.get(uid, []))
    return sorted(out)


def entity_filters(facts: Facts, entity: Entity) -> dict[str, tuple[str, ...]]:
    """The dimension filters that select ``entity``'s rows."""
    if entity.kind == "company":
        return {}
    assert entity.code is not None
    if entity.kind in ("unit", "team"):
        return {"team": tuple(org_descendants(facts, entity.code))}
    return {entity.kind: (entity.code,)}


def _combine(base: Mapping[str, tuple[str, ...]], ind: Indicator) -> dict[str, tuple[str, ...]] | None:
    out = dict(base)
    for dim, values in ind.filters:
        if dim in out:
            kept = tuple(v for v in out[dim] if v in values)
            if not kept:
                return None  # the indicator does not apply to this entity (e.g. phone KPI of chat)
            out[dim] = kept
        else:
            out[dim] = values
    return out


def _result(card: Scorecard, entity: str, period: Period | None,
            values: Mapping[str, float | None]) -> ScorecardResult:
    dims = []
    for d in card.dimensions:
        inds = []
        for i in d.indicators:
            m = get_metric(i.metric)
            v = values.get(i.key)
            inds.append(IndicatorScore(i.key, i.name, i.metric, m.unit, v, i.bands.score(v),
                                       i.weight, i.bands.better, i.bands.thresholds,
                                       dict(i.filters)))
        score = weighted([(x.weight, x.score) for x in inds])
        dims.append(DimensionScore(d.key, d.name, d.weight, score, tuple(inds)))
    total = weighted([(x.weight, x.score) for x in dims])
    return ScorecardResult(card.name, entity, period.label if period else None, total, tuple(dims))


def evaluate(card: Scorecard, facts: Facts, entity: Entity | str = "company",
             period: Period | None = None) -> ScorecardResult:
    """Score one entity over ``period`` (all time when None), one query per fact."""
    ent = Entity.parse(entity) if isinstance(entity, str) else entity
    base = entity_filters(facts, ent)
    groups: dict[tuple, list[Indicator]] = {}
    values: dict[str, float | None] = {}
    for d in card.dimensions:
        for i in d.indicators:
            f = _combine(base, i)
            if f is None:
                values[i.key] = None
            else:
                groups.setdefault(tuple(sorted(f.items())), []).append(i)
    tables = compute_many(facts, [(sorted({i.metric for i in inds}), dict(key))
                                  for key, inds in groups.items()], period=period)
    for inds, table in zip(groups.values(), tables, strict=True):
        for i in inds:
            values[i.key] = table.total(i.metric)
    return _result(card, str(ent), period, values)


def evaluate_all(card: Scorecard, facts: Facts, kind: str,
                 period: Period | None = None) -> list[ScorecardResult]:
    """Score every entity of a groupable kind (team, agent, channel, tier, reason) in one pass."""
    if kind not in GROUPABLE:
        raise ValueError(f"kind: expected one of {', '.join(GROUPABLE)}, got {kind!r}")
    groups: dict[tuple, list[Indicator]] = {}
    for d in card.dimensions:
        for i in d.indicators:
            groups.setdefault(i.filters, []).append(i)
    per_entity: dict[str, dict[str, float | None]] = {}
    tables = compute_many(facts, [(sorted({i.metric for i in inds}), dict(filters))
                                  for filters, inds in groups.items()], period=period, by=[kind])
    for inds, table in zip(groups.values(), tables, strict=True):
        for row in table.rows():
            if row[kind] is None:
                continue
            vals = per_entity.setdefault(str(row[kind]), {})
            for i in inds:
                vals[i.key] = row[i.metric]
    return [_result(card, f"{kind}:{code}", period, vals) for code, vals in sorted(per_entity.items())]
