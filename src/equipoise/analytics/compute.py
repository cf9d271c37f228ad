"""Evaluate registry metrics over a period, sliced by grain and dimensions, on any backend."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from equipoise.analytics.eager import split
from equipoise.analytics.facts import DIMENSIONS, REFS, Facts
from equipoise.analytics.periods import GRAINS, Period, key_label, period_key
from equipoise.analytics.registry import Metric, all_metrics, get_metric
from equipoise.analytics.rewrite import any_of, columns_read, restrict

#: Slicing keys: the dimensions, ``customer`` (customer id) and one period grain.
SLICES = (*DIMENSIONS, "customer", *GRAINS)
_COLUMN = {"customer": "customer_id"}
#: Dimensions with unique codes, grouped by their key column (``channel`` by ``channel_id``).
_KEYED = {dim: key for key, (dim, _) in REFS.items()}
#: Validated filters: (slicing key, accepted values) pairs sorted by key.
Filters = tuple[tuple[str, tuple[object, ...]], ...]


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


def _validate_filters(filters: Mapping[str, Sequence[object]] | None) -> Filters:
    out = []
    for key, values in dict(filters or {}).items():
        if key not in DIMENSIONS and key != "customer":
            raise ValueError(
                f"filters: expected keys among {DIMENSIONS + ('customer',)}, got {key!r}"
            )
        out.append((key, tuple(values)))
    return tuple(sorted(out, key=lambda kv: kv[0]))


def _condition(t: ir.Table, filters: Filters) -> ir.BooleanValue | None:
    """The rows of ``t`` that ``filters`` keep (None: all of them)."""
    cond = None
    for key, values in filters:
        col = _COLUMN.get(key, key)
        c = t[col].isin(list(values)) if col in t.columns else ibis.literal(False)
        cond = c if cond is None else cond & c
    return cond


def _slice(t: ir.Table, period: Period | None, by: tuple[str, ...]) -> tuple[ir.Table, list[str]]:
    """``t`` within ``period`` with one grouping column per slicing key of ``by``.

    A dimension with unique codes is grouped by its integer key column (``_g_<key>``), which
    :func:`_labelled` turns back into codes after aggregating: the same groups (foreign keys
    make every key name one lookup row), hashed faster, and the fact needs no lookup join for it.
    """
    if period is not None:
        t = t.filter((t.ts >= period.start) & (t.ts < period.end))
    extra, cols = {}, []
    for key in by:
        col = key
        if key in GRAINS:
            extra[key] = period_key(t.ts, key)
        elif _KEYED.get(key) in t.columns:
            col = f"_g_{key}"
            extra[col] = t[_KEYED[key]]
        elif _COLUMN.get(key, key) in t.columns:
            extra[key] = t[_COLUMN.get(key, key)]
        else:
            extra[key] = ibis.null("string")
        cols.append(col)
    return (t.mutate(**extra) if extra else t), cols


def _labelled(facts: Facts, expr: ir.Table, cols: list[str]) -> ir.Table:
    """``expr`` grouped by ``cols`` with each ``_g_<key>`` reference replaced by the key's code."""
    for col in cols:
        if col.startswith("_g_"):
            key = col[3:]
            codes = facts.codes(key)
            codes = codes.select(_code_ref=codes.ref, **{key: codes.code})
            expr = expr.left_join(codes, expr[col] == codes._code_ref).drop(col, "_code_ref")
    return expr


def _group(facts: Facts, t: ir.Table, cols: list[str], aggs: Mapping[str, ir.Scalar]) -> ir.Table:
    if not cols:
        return t.aggregate(**aggs)
    return _labelled(facts, t.group_by(cols).aggregate(**aggs), cols)


def _wanted(facts: Facts, fact: str, needs: frozenset[str], exprs: Callable[[ir.Table], list],
            by: tuple[str, ...], filters: Iterable[Filters]) -> frozenset[str] | None:
    """The columns of ``fact`` a query reads: its expressions, slicing keys, filters and ``ts``."""
    full = facts.fact(fact, needs)
    read = columns_read(exprs(full), full)
    if read is None:
        return None
    keys = {_KEYED.get(k) or _COLUMN.get(k, k) for k in by if k not in GRAINS}
    keys |= {_COLUMN.get(k, k) for f in filters for k, _ in f}
    return read | keys | {"ts"}


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
    return compute_many(facts, [(metrics, filters)], period=period, by=by)[0]


def compute_many(
    facts: Facts,
    requests: Sequence[tuple[Iterable[str] | None, Mapping[str, Sequence[object]] | None]],
    *,
    period: Period | None = None,
    by: Sequence[str] = (),
) -> list[MetricTable]:
    """One table per ``(metrics, filters)`` request, equal to :func:`compute` of each.

    Every fact is scanned once for all requests: each request's filters become conditions on
    its aggregates instead of a separate filtered query.
    """
    by_t = _validate_by(by)
    reqs = []
    for metrics, filters in requests:
        wanted = list(metrics) if metrics is not None else list(all_metrics())
        reqs.append((wanted, expand(wanted), _validate_filters(filters)))
    per_fact: dict[str, list[tuple[Filters, Metric]]] = {}
    for _, plan, filt in reqs:
        for m in plan:
            if m.reduce is not None and (filt, m) not in per_fact.get(m.fact or "", []):
                per_fact.setdefault(m.fact or "", []).append((filt, m))
    parts: dict[tuple[str, Filters], pd.DataFrame] = {}
    for fact, items in per_fact.items():
        parts.update(_aggregate(facts, fact, items, period, by_t))
    out = []
    for wanted, plan, filt in reqs:
        frames = [parts[(f, filt)] for f in dict.fromkeys(m.fact for m in plan if m.reduce)]
        for m in plan:
            if m.quantile is not None:
                frames.append(_quantile_frame(facts, m, period, by_t, filt))
        out.append(_finish(frames, plan, wanted, by_t))
    return out


def _aggregate(facts: Facts, fact: str, items: list[tuple[Filters, Metric]],
               period: Period | None, by: tuple[str, ...]) -> dict[tuple[str, Filters], pd.DataFrame]:
    """One aggregation of ``fact`` for every (filters, metric), split back per filter set."""
    needs = frozenset().union(*(m.needs for _, m in items))
    groups = list(dict.fromkeys(f for f, _ in items))

    def exprs(t: ir.Table) -> list[ir.Value]:
        return [m.reduce(t) for _, m in items]

    expr = None
    if "tier" in by and fact != "shifts":
        # Tier only slices: aggregate per customer before joining the large customers lookup.
        read = _wanted(facts, fact, needs, exprs, tuple(k for k in by if k != "tier"), groups)
        if read is not None and "tier" not in read:
            # The per-customer phase groups by the customer: the lean view must carry it.
            view = facts.fact(fact, needs, read | {"customer_id"})
            expr = _build(facts, view, items, groups, period, by, True)
    if expr is None:
        t = facts.fact(fact, needs, _wanted(facts, fact, needs, exprs, by, groups))
        expr = _build(facts, t, items, groups, period, by, False)
    assert expr is not None
    keys = list(by)
    df = _fetch(expr, keys, facts)
    out = {}
    for gi, filt in enumerate(groups):
        cols = {f"{m.slug}__{gi}": m.slug for f, m in items if f == filt}
        part = df if f"_n__{gi}" not in df else df[df[f"_n__{gi}"] > 0]
        out[(fact, filt)] = part[[*keys, *cols]].rename(columns=cols).reset_index(drop=True)
    return out


def _build(facts: Facts, t: ir.Table, items: list[tuple[Filters, Metric]], groups: list[Filters],
           period: Period | None, by: tuple[str, ...], eager: bool) -> ir.Table | None:
    """The aggregation query (None when ``eager`` and a reduction does not split per customer).

    Aliases are ``<slug>__<group>``, plus ``_n__<group>`` (rows the group's filters keep) when
    sliced, so that slices without such rows can be left out as a filtered query would.
    """
    if all(groups):  # every request filters: scan only rows that some request keeps
        t = t.filter(any_of([_condition(t, f) for f in groups]))
    rest = tuple(k for k in by if k != "tier") if eager else by
    t, cols = _slice(t, period, rest)
    aggs: dict[str, ir.Scalar] = {}
    for filt, m in items:
        gi = groups.index(filt)
        cond = _condition(t, filt)
        e = m.reduce(t)
        aggs[f"{m.slug}__{gi}"] = (e if cond is None else restrict(e, cond)).cast("float64")
        if by and cond is not None and f"_n__{gi}" not in aggs:
            aggs[f"_n__{gi}"] = restrict(t.count(), cond)
    if not eager:
        return _group(facts, t, cols, aggs)
    parts = split(aggs, t.customer_id)
    if parts is None:
        return None
    per_customer = t.group_by([*cols, t.customer_id.name("_customer")]).aggregate(**parts.partials)
    tiers = facts.tiers()
    q = per_customer.left_join(tiers, per_customer._customer == tiers.customer_id)
    final = [cols[rest.index(k)] if k != "tier" else "tier" for k in by]
    return _labelled(facts, q.group_by(final).aggregate(**parts.finals(q)), final)


def _quantile_frame(facts: Facts, m: Metric, period: Period | None, by: tuple[str, ...],
                    filt: Filters) -> pd.DataFrame:
    spec = m.quantile
    assert spec is not None
    wanted = _wanted(facts, m.fact or "", m.needs, lambda t: [spec.value(t), spec.where(t)], by,
                     [filt])
    t = facts.fact(m.fact or "", m.needs, wanted)
    cond = _condition(t, filt)
    if cond is not None:
        t = t.filter(cond)
    t, cols = _slice(t, period, by)
    return _fetch(_labelled(facts, _quantile(t, cols, m), cols), list(by), facts)


def _finish(frames: list[pd.DataFrame], plan: list[Metric], wanted: list[str],
            by_t: tuple[str, ...]) -> MetricTable:
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
