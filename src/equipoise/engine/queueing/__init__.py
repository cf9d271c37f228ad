"""Queueing and staffing: Erlang B, C and A, square-root staffing and the minimum-agents solver.

Pure numpy/scipy; every function takes scalars or arrays (one value per interval) and
broadcasts them together. Loads are in Erlangs (arrival rate x mean handle time).
"""

from equipoise.engine.queueing.deferred import DeferredStaffing, deferred_agents
from equipoise.engine.queueing.erlang_a import erlang_a_metrics
from equipoise.engine.queueing.erlang_b import (
    erlang_b,
    erlang_b_load_for_blocking,
    erlang_b_metrics,
)
from equipoise.engine.queueing.erlang_c import erlang_c, erlang_c_metrics
from equipoise.engine.queueing.results import QueueMetrics, StaffingResult
from equipoise.engine.queueing.sqrt_staffing import (
    garnett_beta,
    garnett_p_abandon,
    garnett_p_wait,
    halfin_whitt_beta,
    halfin_whitt_p_wait,
    normal_hazard,
    square_root_staffing,
)
from equipoise.engine.queueing.staffing import Model, required_agents

__all__ = [
    "DeferredStaffing",
    "Model",
    "QueueMetrics",
    "StaffingResult",
    "deferred_agents",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_b_load_for_blocking",
    "erlang_b_metrics",
    "erlang_c",
    "erlang_c_metrics",
    "garnett_beta",
    "garnett_p_abandon",
    "garnett_p_wait",
    "halfin_whitt_beta",
    "halfin_whitt_p_wait",
    "normal_hazard",
    "required_agents",
    "square_root_staffing",
]
