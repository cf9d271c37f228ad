"""Evaluate registry metrics over a period, sliced by grain and dimensions, on any backend."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from equipoise.analytics.facts import DIMENSIONS, Facts
from equipoise.analytics.periods import GRAINS, Period, key_label, period_key
from equipoise.analytics.registry import Metric, all_metrics, get_metric

#: Slicing keys: the dimensions, ``customer`` (customer id) and one period grain.
SLICES = (*DIMENSIONS, "customer", *GRAINS)
_COLUMN = {"customer": "customer_id"}


@dataclass(frozen=True)
class MetricTable:
    """Metric values, one row per slice: the ``by`` key columns then one column per metric."""

    by: tuple[str, ...]
    metrics: tuple[str, ...]
    frame: pd.DataFrame

    def rows(self) -> list[dict[str, object]]:
        """Rows as dicts, with missing values as None."""
        out = []
        for rec in self.frame.to_dict(orient="records"):
            out.append({k: _clean(v) for k, v in rec.items()})
        return out

    def total(self, slug: str) -> float | None:
        """The single value of ``slug`` when the table has no slicing keys."""
        if self.by:
            raise ValueError(f"total: table is sliced by {self.by}; select a row instead")
        return _clean(self.frame[slug].iloc[0]) if len(self.frame) else None


def _clean(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def _validate_by(by: Sequence[str]) -> tuple[str, ...]:
    out = tuple(by)
    for key in out:
        if key not in SLICES:
            raise ValueError(f"by: expected keys among {', '.join(SLICES)}, got {key!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"by: repeated key in {out}")
    if sum(k in GRAINS for k in out) > 1:
        raise ValueError(f"by: at most one period grain, got {out}")
    return out


def expand(slugs: Iterable[str]) -> list[Metric]:
    """The metrics to compute for ``slugs``, with the inputs of derived metrics first."""
    seen: dict[str, Metric] = {}

    def add(slug: str) -> None:
        m = get_metric(slug)
        if m.derived is not None:
            for dep in m.derived.inputs:
                add(dep)
        seen.setdefault(slug, m)

    for s in slugs:
        add(s)
    return list(seen.values())


def _prepare(
    facts: Facts,
    fact: str,
    period: Period | None,
    by: tuple[str, ...],
    filters: Mapping[str, Sequence[object]],
    needs: frozenset[str] = frozenset(),
) -> tuple[ir.Table, list[str]]:
    t = facts.fact(fact, needs)
    if period is not None:
        t = t.filter((t.ts >= period.start) & (t.ts < period.end))
    for key, values in filters.items():
        col = _COLUMN.get(key, key)
        if key not in DIMENSIONS and key != "customer":
            raise ValueError(
                f"filters: expected keys among {DIMENSIONS + ('customer',)}, got {key!r}"
            )
        if col not in t.columns:
            t = t.filter(ibis.literal(False))
        else:
            t = t.filter(t[col].isin(list(values)))
    keys: list[str] = []
    extra = {}
    for key in by:
        if key in GRAINS:
            extra[key] = period_key(t.ts, key)
        elif _COLUMN.get(key, key) in t.columns:
            extra[key] = t[_COLUMN.get(key, key)]
        else:
            extra[key] = ibis.null("string")
        keys.append(key)
    return t.mutate(**extra) if extra else t, keys


def _quantile(t: ir.Table, keys: list[str], metric: Metric) -> ir.Table:
    """Exact linear-interpolation quantile with window functions, identical on every backend."""
    spec = metric.quantile
    assert spec is not None
    sub = t.filter(spec.where(t)).select(*keys, v=spec.value(t).cast("float64"))
    sub = sub.filter(sub.v.notnull())
    grouped = ibis.window(group_by=keys or None, order_by=sub.v)
    sub = sub.mutate(
        rn=ibis.row_number().over(grouped), n=sub.v.count().over(ibis.window(group_by=keys or None))
    )
    # position (n - 1) * q split into an integer part and a fraction, exactly.
    num, den = spec.q.as_integer_ratio()
    scaled = (sub.n - 1) * num
    lo = (scaled.cast("float64") / den).floor().cast("int64")
    frac = (scaled - lo * den).cast("float64") / den
    sub = sub.mutate(lo=lo, frac=frac)
    sub = sub.mutate(hi=ibis.ifelse(sub.frac > 0, sub.lo + 1, sub.lo))
    aggs = {
        "v_lo": ibis.ifelse(sub.rn == sub.lo, sub.v, None).max(),
        "v_hi": ibis.ifelse(sub.rn == sub.hi, sub.v, None).max(),
        "f": sub.frac.max(),
    }
    agg = sub.group_by(keys).aggregate(**aggs) if keys else sub.aggregate(**aggs)
    return agg.select(*keys, **{metric.slug: agg.v_lo + agg.f * (agg.v_hi - agg.v_lo)})


def compute(
    facts: Facts,
    metrics: Iterable[str] | None = None,
    *,
    period: Period | None = None,
    by: Sequence[str] = (),
    filters: Mapping[str, Sequence[object]] | None = None,
) -> MetricTable:
    """Compute ``metrics`` (default: all) for ``period``, one row per slice of ``by``."""
    by_t = _validate_by(by)
    wanted = list(metrics) if metrics is not None else list(all_metrics())
    plan = expand(wanted)
    filt = dict(filters or {})
    frames: list[pd.DataFrame] = []
    by_fact: dict[str, list[Metric]] = {}
    for m in plan:
        if m.reduce is not None:
            by_fact.setdefault(m.fact or "", []).append(m)
    for fact, ms in by_fact.items():
        needs = frozenset().union(*(m.needs for m in ms))
        t, keys = _prepare(facts, fact, period, by_t, filt, needs)
        aggs = {m.slug: m.reduce(t).cast("float64") for m in ms}
        expr = t.group_by(keys).aggregate(**aggs) if keys else t.aggregate(**aggs)
        frames.append(_fetch(expr, keys, facts))
    for m in plan:
        if m.quantile is not None:
            t, keys = _prepare(facts, m.fact or "", period, by_t, filt, m.needs)
            frames.append(_fetch(_quantile(t, keys, m), keys, facts))
    frame = _merge(frames, list(by_t))
    for m in plan:
        if m.derived is not None:
            cols = [
                frame[d] if d in frame else pd.Series([None] * len(frame)) for d in m.derived.inputs
            ]
            frame[m.slug] = (
                [_derive(m, vals) for vals in zip(*cols, strict=True)]
                if len(frame)
                else pd.Series(dtype="float64")
            )
    for slug in wanted:
        if slug not in frame:
            frame[slug] = pd.Series([math.nan] * len(frame), dtype="float64")
    frame = _label(frame, by_t)
    return MetricTable(by_t, tuple(wanted), frame[[*by_t, *wanted]].reset_index(drop=True))


def _derive(m: Metric, vals: tuple[object, ...]) -> float:
    clean = [_clean(v) for v in vals]
    if any(v is None for v in clean):
        return math.nan
    out = m.derived.formula(*clean)  # type: ignore[union-attr]
    return math.nan if out is None else float(out)


def _fetch(expr: ir.Table, keys: list[str], facts: Facts) -> pd.DataFrame:
    df = expr.to_pandas()
    for k in keys:
        if k in GRAINS or k == "customer":
            df[k] = df[k].astype("Int64")
        else:
            df[k] = df[k].astype("object").where(df[k].notna(), None)
    return df


def _merge(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=keys)
    out = frames[0]
    for f in frames[1:]:
        out = out.merge(f, on=keys, how="outer") if keys else pd.concat([out, f], axis=1)
    return out


def _label(frame: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    if not by or frame.empty:
        return frame
    frame = frame.sort_values(list(by), na_position="last", kind="stable")
    for k in by:
        if k in GRAINS:
            frame[k] = [key_label(v, k) if not pd.isna(v) else None for v in frame[k]]
        elif k == "customer":
            frame[k] = [None if pd.isna(v) else int(v) for v in frame[k]]
    return frame
