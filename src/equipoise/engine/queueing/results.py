"""Immutable results of the queueing models and of the staffing solver."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance of one or many intervals (every field broadcasts together).

    * ``agents`` -- agents on the phones (servers).
    * ``load_erlangs`` -- offered load A = arrival rate x mean handle time.
    * ``service_level`` -- share of *all* arrivals answered within ``target_seconds``.
    * ``p_wait`` -- probability an arrival finds every agent busy.
    * ``asa_seconds`` -- mean time in queue over all arrivals (for Erlang A this includes the
      time callers spend before abandoning; it equals ``p_abandon x patience``).
    * ``p_abandon`` -- share of arrivals lost: abandoned (Erlang A) or blocked (Erlang B).
    * ``occupancy`` -- carried load per agent: A (1 - p_abandon) / agents (1 when unstable).
    * ``target_seconds`` -- the answer-time threshold used for ``service_level``.
    """

    model: str
    agents: Any
    load_erlangs: Any
    service_level: Any
    p_wait: Any
    asa_seconds: Any
    p_abandon: Any
    occupancy: Any
    target_seconds: Any

    def to_dict(self) -> dict[str, Any]:
        """Return plain Python numbers / lists (for JSON output)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def take(self, index: Any) -> QueueMetrics:
        """Return the metrics of the intervals selected by ``index``."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = value if f.name == "model" else np.asarray(value)[index]
        return QueueMetrics(**values)


@dataclass(frozen=True)
class StaffingResult:
    """Minimum agents meeting every target, with the metrics they achieve.

    ``agents`` are agents on the phones; ``scheduled_agents`` = ceil(agents / (1 - shrinkage)).
    """

    model: str
    agents: Any
    scheduled_agents: Any
    shrinkage: float
    metrics: QueueMetrics

    def to_dict(self) -> dict[str, Any]:
        """Return plain Python numbers / lists (for JSON output)."""
        out = {"model": self.model, "agents": _plain(self.agents),
               "scheduled_agents": _plain(self.scheduled_agents), "shrinkage": self.shrinkage}
        metrics = self.metrics.to_dict()
        metrics.pop("agents")
        metrics.pop("model")
        out.update(metrics)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return value
    arr = np.asarray(value)
    if arr.ndim == 0:
        item = arr.item()
        if isinstance(item, float) and not np.isfinite(item):
            return None  # JSON has no infinity: an unstable queue has no finite ASA
        return item
    return [_plain(v) for v in arr]
