"""Immutable results of the optimiser: policies, evaluations, solutions, frontiers, changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Change",
    "ChangePlan",
    "Evaluation",
    "Frontier",
    "FrontierPoint",
    "InfeasibleError",
    "Policy",
    "ProblemSize",
    "Solution",
]


@dataclass(frozen=True, eq=False)
class Policy:
    """Share of each (tier, reason) steered to each channel, and each channel's SL option."""

    #: Shape (tiers, reasons, channels); each (tier, reason) sums to 1.
    share: np.ndarray
    #: Chosen option name per channel, None for automated channels.
    options: tuple[str | None, ...]

    def __post_init__(self) -> None:
        share = np.array(self.share, dtype=float)
        if share.ndim != 3:
            raise ValueError(
                f"share: expected a (tiers, reasons, channels) array, got {share.shape}"
            )
        share.setflags(write=False)
        object.__setattr__(self, "share", share)
        object.__setattr__(self, "options", tuple(self.options))


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A policy measured on the cost and satisfaction axes (per year; CSAT as a share)."""

    service_cost: float
    churn_cost: float
    csat_overall: float
    cost_by_channel: Mapping[str, float]
    #: Contacts per year handled on each channel (including repeats and escalations).
    contacts_by_channel: Mapping[str, float]
    csat_by_tier: Mapping[str, float]
    churn_cost_by_tier: Mapping[str, float]
    #: Service cost per tier, excluding the fixed cost of service-level options.
    service_cost_by_tier: Mapping[str, float]
    fixed_cost: float = 0.0

    @property
    def total_cost(self) -> float:
        """Net cost: service cost + expected churn cost."""
        return self.service_cost + self.churn_cost


@dataclass(frozen=True)
class ProblemSize:
    """Size of the MILP handed to HiGHS."""

    variables: int
    constraints: int
    integers: int
    nonzeros: int


@dataclass(frozen=True, eq=False)
class Solution:
    """An optimal policy with its evaluation."""

    policy: Policy
    evaluation: Evaluation
    #: "total" (service + churn), "service" or "csat".
    objective: str
    objective_value: float
    size: ProblemSize
    solve_seconds: float
    #: HiGHS status message ("Optimization terminated successfully..." etc.).
    status: str = ""
    mip_gap: float = 0.0


class InfeasibleError(ValueError):
    """No policy satisfies the constraints; ``families`` names the constraint families to blame.

    A family is listed when relaxing it alone makes the problem feasible; when no single family
    suffices, all active families are listed and ``jointly`` is True.
    """

    def __init__(self, families: tuple[str, ...], jointly: bool = False, detail: str = "") -> None:
        self.families = families
        self.jointly = jointly
        how = "together" if jointly else "relaxing any one of them restores feasibility"
        msg = f"infeasible: constraint families {', '.join(families) or '(none)'} ({how})"
        super().__init__(msg + (f"; {detail}" if detail else ""))


@dataclass(frozen=True, eq=False)
class FrontierPoint:
    """One point of the cost-satisfaction frontier."""

    #: The swept value: the overall CSAT floor (axis "csat") or the budget cap (axis "budget").
    target: float
    solution: Solution

    @property
    def service_cost(self) -> float:
        """Service cost per year."""
        return self.solution.evaluation.service_cost

    @property
    def churn_cost(self) -> float:
        """Expected churn cost per year."""
        return self.solution.evaluation.churn_cost

    @property
    def total_cost(self) -> float:
        """Service + churn cost per year."""
        return self.solution.evaluation.total_cost

    @property
    def csat(self) -> float:
        """Volume-weighted mean CSAT (share)."""
        return self.solution.evaluation.csat_overall


@dataclass(frozen=True, eq=False)
class Frontier:
    """The cost-satisfaction frontier, the balance point on it and today's position."""

    axis: str
    points: tuple[FrontierPoint, ...]
    #: Index of the balance point: the frontier point with the lowest service + churn cost.
    balance_index: int
    current: Evaluation
    #: The direct minimum of service + churn cost (a check: never above the balance point).
    optimum: Solution | None = None

    @property
    def balance(self) -> FrontierPoint:
        """The balance point: the frontier point with the lowest service + churn cost."""
        return self.points[self.balance_index]

    @property
    def recommended(self) -> Solution:
        """The policy to recommend: the direct optimum when its net cost beats the balance point.

        Net cost depends on *which* tiers get the satisfaction, not only on the overall CSAT, so
        the net-best policy can sit just inside the overall-CSAT frontier.
        """
        if (
            self.optimum is not None
            and self.optimum.evaluation.total_cost < self.balance.total_cost
        ):
            return self.optimum
        return self.balance.solution


@dataclass(frozen=True)
class Change:
    """One step from the current policy to the recommended one, with its marginal effect."""

    #: "mix" (re-steer one (tier, reason)) or "service_level" (change one channel's option).
    kind: str
    tier: str | None
    reason: str | None
    channel: str | None
    #: For "mix": (channel, share before, share after) for every channel whose share moves.
    shifts: tuple[tuple[str, float, float], ...] = ()
    option_from: str | None = None
    option_to: str | None = None
    #: Marginal effects per year when applied after all earlier changes (negative = saving).
    delta_service_cost: float = 0.0
    delta_churn_cost: float = 0.0
    #: Change of the overall volume-weighted CSAT, in points (percentage points).
    delta_csat_points: float = 0.0
    #: Change of CSAT per tier, in points.
    delta_csat_points_by_tier: Mapping[str, float] = field(default_factory=dict)

    @property
    def delta_total_cost(self) -> float:
        """Service + churn effect per year (negative = the change saves money)."""
        return self.delta_service_cost + self.delta_churn_cost


@dataclass(frozen=True, eq=False)
class ChangePlan:
    """Changes ranked by marginal value; their effects add up to target - current exactly."""

    changes: tuple[Change, ...]
    current: Evaluation
    target: Evaluation

    @property
    def total_delta_cost(self) -> float:
        """Sum of the changes' net effects (= target total - current total)."""
        return sum(c.delta_total_cost for c in self.changes)
