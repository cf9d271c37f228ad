"""The balance point: steer contacts across channels and pick service levels for least cost."""

from equipoise.engine.optimize.changes import rank_changes
from equipoise.engine.optimize.coefficients import build_coefficients, current_policy, evaluate
from equipoise.engine.optimize.frontier import AXES, Recommendation, recommend, trace_frontier
from equipoise.engine.optimize.inputs import (
    ChannelSpec,
    ProblemInputs,
    ServiceLevelOption,
    TierSpec,
    option_from_staffing,
)
from equipoise.engine.optimize.model import FAMILIES, build_milp, solve
from equipoise.engine.optimize.results import (
    Change,
    ChangePlan,
    Evaluation,
    Frontier,
    FrontierPoint,
    InfeasibleError,
    Policy,
    ProblemSize,
    Solution,
)

__all__ = [
    "AXES",
    "Recommendation",
    "rank_changes",
    "recommend",
    "trace_frontier",
    "FAMILIES",
    "Change",
    "ChangePlan",
    "ChannelSpec",
    "Evaluation",
    "Frontier",
    "FrontierPoint",
    "InfeasibleError",
    "Policy",
    "ProblemInputs",
    "ProblemSize",
    "ServiceLevelOption",
    "Solution",
    "TierSpec",
    "build_coefficients",
    "build_milp",
    "current_policy",
    "evaluate",
    "option_from_staffing",
    "solve",
]
