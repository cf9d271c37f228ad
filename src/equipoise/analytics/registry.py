"""The metric registry: every KPI declared once with its meaning and one Ibis expression."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from equipoise.analytics.facts import FACTS

UNITS = ("count", "seconds", "hours", "percent", "currency", "score", "points")
BETTER = ("higher", "lower", "neutral")

Reduction = Callable[[ir.Table], ir.Scalar]
Column = Callable[[ir.Table], ir.Column]


@dataclass(frozen=True)
class Quantile:
    """An exact (linearly interpolated) quantile ``q`` of ``value`` over rows where ``where`` holds."""

    value: Column
    where: Column
    q: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.q <= 1.0:
            raise ValueError(f"q: expected a quantile between 0 and 1, got {self.q}")


@dataclass(frozen=True)
class Derived:
    """A metric computed from other metrics of the same slice (e.g. a ratio across two facts)."""

    inputs: tuple[str, ...]
    formula: Callable[..., float | None]


@dataclass(frozen=True)
class Metric:
    """One KPI: identity, meaning, and exactly one way to compute it."""

    slug: str
    name: str
    unit: str
    better: str
    definition: str
    fact: str | None = None
    reduce: Reduction | None = None
    quantile: Quantile | None = None
    derived: Derived | None = None
    #: Extra (costlier) fact columns the expression reads, e.g. ``fcr`` or ``case_cost`` on cases.
    needs: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit of {self.slug}: expected one of {UNITS}, got {self.unit!r}")
        if self.better not in BETTER:
            raise ValueError(
                f"better of {self.slug}: expected one of {BETTER}, got {self.better!r}"
            )
        kinds = [x is not None for x in (self.reduce, self.quantile, self.derived)]
        if sum(kinds) != 1:
            raise ValueError(f"metric {self.slug}: give exactly one of reduce, quantile, derived")
        if self.derived is None and self.fact not in FACTS:
            raise ValueError(f"fact of {self.slug}: expected one of {FACTS}, got {self.fact!r}")

    @property
    def kind(self) -> str:
        if self.reduce is not None:
            return "reduce"
        return "quantile" if self.quantile is not None else "derived"

    def describe(self) -> dict[str, object]:
        """The declaration as plain data (for listings and the API)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "unit": self.unit,
            "better": self.better,
            "definition": self.definition,
            "fact": self.fact,
            "kind": self.kind,
        }


_REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    """Add ``metric`` to the registry; a slug can be declared only once."""
    if metric.slug in _REGISTRY:
        raise ValueError(f"metric {metric.slug!r} is already registered")
    if metric.derived is not None:
        missing = [s for s in metric.derived.inputs if s not in _REGISTRY]
        if missing:
            raise ValueError(f"metric {metric.slug!r} depends on unknown metrics {missing}")
    _REGISTRY[metric.slug] = metric
    return metric


def get_metric(slug: str) -> Metric:
    """The registered metric ``slug``; a ValueError lists the known slugs otherwise."""
    _ensure_loaded()
    try:
        return _REGISTRY[slug]
    except KeyError:
        raise ValueError(
            f"metric: unknown slug {slug!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None


def all_metrics() -> Mapping[str, Metric]:
    """Every registered metric by slug, in declaration order."""
    _ensure_loaded()
    return dict(_REGISTRY)


def _ensure_loaded() -> None:
    from equipoise.analytics import kpis  # noqa: F401  (registers the declarations on import)


# ---- expression helpers shared by the declarations --------------------------------------------
def ratio(num: ir.NumericScalar, den: ir.NumericScalar, scale: float = 1.0) -> ir.FloatingScalar:
    """``num / den * scale`` in floating point; null (not an error) when ``den`` is zero."""
    out = num.cast("float64") / den.cast("float64").nullif(0.0)
    return out * scale if scale != 1.0 else out


def share(flag: ir.IntegerColumn, among: ir.BooleanColumn | None = None) -> ir.FloatingScalar:
    """Percent of rows (optionally among rows where ``among`` holds) whose 0/1 ``flag`` is 1."""
    if among is None:
        return ratio(flag.sum(), flag.count(), 100.0)
    f = ibis.ifelse(among, flag, None)
    return ratio(f.sum(), f.count(), 100.0)


def mean_where(value: ir.NumericColumn, where: ir.BooleanColumn) -> ir.FloatingScalar:
    """Mean of ``value`` over rows where ``where`` holds (nulls ignored)."""
    return ibis.ifelse(where, value.cast("float64"), None).mean()


def sum_where(value: ir.NumericColumn, where: ir.BooleanColumn) -> ir.NumericScalar:
    """Sum of ``value`` over rows where ``where`` holds (0 when none)."""
    return ibis.ifelse(where, value, 0).sum()
