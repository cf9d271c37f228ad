"""Scorecards: YAML hierarchies (dimension → indicator → KPI) scored 1–5 through bands, then weighted."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from equipoise.analytics.ahp import ahp_weights
from equipoise.analytics.facts import DIMENSIONS
from equipoise.analytics.registry import get_metric

WEIGHT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Bands:
    """Thresholds for scores 5, 4, 3, 2 (best first); anything worse scores 1."""

    thresholds: tuple[float, float, float, float]
    better: str

    def __post_init__(self) -> None:
        t = self.thresholds
        if self.better not in ("higher", "lower"):
            raise ValueError(f"bands: better must be 'higher' or 'lower', got {self.better!r}")
        ordered = all(a >= b for a, b in zip(t, t[1:], strict=False)) if self.better == "higher" else all(
            a <= b for a, b in zip(t, t[1:], strict=False))
        if not ordered:
            word = "decreasing" if self.better == "higher" else "increasing"
            raise ValueError(f"bands: thresholds {list(t)} must be {word} when {self.better} is better")

    def score(self, value: float | None) -> int | None:
        """The 1–5 score of a raw KPI value (None when there is no value)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        for points, limit in zip((5, 4, 3, 2), self.thresholds, strict=True):
            if (value >= limit) if self.better == "higher" else (value <= limit):
                return points
        return 1


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    metric: str
    weight: float
    bands: Bands
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    weight: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Scorecard:
    """A validated scorecard definition; weights at each level sum to 1."""

    name: str
    description: str
    dimensions: tuple[Dimension, ...]

    @property
    def metrics(self) -> set[str]:
        return {i.metric for d in self.dimensions for i in d.indicators}


def _weights(children: Sequence[Mapping[str, Any]], matrix: object, *, where: str) -> list[float]:
    """Weights given directly on each child, or derived by AHP from the level's matrix."""
    direct = [c.get("weight") for c in children]
    if matrix is not None:
        if any(w is not None for w in direct):
            raise ValueError(f"{where}: give either weights or an AHP matrix, not both")
        if not isinstance(matrix, list) or len(matrix) != len(children):
            raise ValueError(f"{where}: the AHP matrix needs one row per child ({len(children)})")
        return list(ahp_weights(matrix, name=where).weights)
    if any(w is None for w in direct):
        raise ValueError(f"{where}: every child needs a weight (or give an AHP matrix)")
    ws = [float(w) for w in direct]
    if any(w <= 0 for w in ws):
        raise ValueError(f"{where}: weights must be positive, got {ws}")
    if not math.isclose(sum(ws), 1.0, abs_tol=WEIGHT_TOLERANCE):
        raise ValueError(f"{where}: weights must sum to 1, got {sum(ws):.4f}")
    return [w / sum(ws) for w in ws]


def _indicator(raw: Mapping[str, Any], weight: float, where: str) -> Indicator:
    for field in ("key", "metric", "bands"):
        if field not in raw:
            raise ValueError(f"{where}: missing {field!r}")
    metric = get_metric(str(raw["metric"]))
    better = str(raw.get("better", metric.better))
    if better == "neutral":
        raise ValueError(f"{where}: metric {metric.slug!r} has no better direction; set 'better'")
    bands = raw["bands"]
    if not isinstance(bands, list) or len(bands) != 4:
        raise ValueError(f"{where}: bands must list 4 thresholds (scores 5, 4, 3, 2), got {bands!r}")
    filters = []
    for dim, values in dict(raw.get("filters") or {}).items():
        if dim not in DIMENSIONS:
            raise ValueError(f"{where}: filter {dim!r} is not one of {DIMENSIONS}")
        vals = values if isinstance(values, list) else [values]
        filters.append((dim, tuple(str(v) for v in vals)))
    try:
        b = Bands(tuple(float(x) for x in bands), better)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return Indicator(str(raw["key"]), str(raw.get("name", raw["key"])), metric.slug, weight, b,
                     tuple(sorted(filters)))


def parse_scorecard(doc: Mapping[str, Any]) -> Scorecard:
    """Build a Scorecard from its YAML document, validating every level."""
    dims_raw = doc.get("dimensions")
    if not isinstance(dims_raw, list) or not dims_raw:
        raise ValueError("scorecard: 'dimensions' must be a non-empty list")
    name = str(doc.get("name", "scorecard"))
    dim_w = _weights(dims_raw, doc.get("ahp"), where=f"{name} dimensions")
    dims = []
    for d, w in zip(dims_raw, dim_w, strict=True):
        key = str(d.get("key", ""))
        if not key:
            raise ValueError(f"{name}: every dimension needs a 'key'")
        inds_raw = d.get("indicators")
        if not isinstance(inds_raw, list) or not inds_raw:
            raise ValueError(f"dimension {key!r}: 'indicators' must be a non-empty list")
        ind_w = _weights(inds_raw, d.get("ahp"), where=f"dimension {key!r}")
        inds = tuple(_indicator(i, iw, f"dimension {key!r} indicator {i.get('key', '?')!r}")
                     for i, iw in zip(inds_raw, ind_w, strict=True))
        dims.append(Dimension(key, str(d.get("name", key)), w, inds))
    return Scorecard(name, str(doc.get("description", "")), tuple(dims))


def load_scorecard(source: str | Path | None = None) -> Scorecard:
    """Load a scorecard from a YAML file, or the bundled one by name (default: ``default``)."""
    if source is None or (isinstance(source, str) and "/" not in source and not source.endswith(
            (".yaml", ".yml"))):
        ref = resources.files("equipoise.analytics") / "scorecards" / f"{source or 'default'}.yaml"
        if not ref.is_file():
            raise ValueError(f"scorecard: no bundled scorecard named {source!r}")
        text = ref.read_text(encoding="utf-8")
    else:
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"scorecard: file {str(path)!r} does not exist")
        text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise ValueError("scorecard: the YAML document must be a mapping")
    return parse_scorecard(doc)
