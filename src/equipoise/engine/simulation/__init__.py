"""Discrete-event simulation of a multi-channel contact centre (pure: numpy only).

Build a :class:`CentreModel` from :class:`ContactType` and :class:`AgentPool` inputs, run it
with :func:`simulate` (per-contact records) or :func:`replicate` (confidence intervals).
"""

from equipoise.engine.simulation.arrivals import poisson_arrivals
from equipoise.engine.simulation.centre import is_single_fcfs, simulate
from equipoise.engine.simulation.distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Infinite,
    LogNormal,
)
from equipoise.engine.simulation.inputs import (
    AgentPool,
    ArrivalProfile,
    CentreModel,
    ContactType,
    SelfService,
    StaffingSchedule,
    single_pool_model,
)
from equipoise.engine.simulation.kernel_fcfs import FcfsResult, fcfs_kernel
from equipoise.engine.simulation.records import RECORD_DTYPE, ContactRecords
from equipoise.engine.simulation.replicate import (
    ReplicationReport,
    replicate,
    replication_streams,
)
from equipoise.engine.simulation.stats import Estimate, confidence_interval, t_quantile
from equipoise.engine.simulation.summary import SUMMARY_FIELDS, ChannelSummary, summarise

__all__ = [
    "RECORD_DTYPE", "SUMMARY_FIELDS", "AgentPool", "ArrivalProfile", "CentreModel",
    "ChannelSummary", "ContactRecords", "ContactType", "Deterministic", "Distribution",
    "Empirical", "Estimate", "Exponential", "FcfsResult", "Infinite", "LogNormal",
    "ReplicationReport", "SelfService", "StaffingSchedule", "confidence_interval", "fcfs_kernel",
    "is_single_fcfs", "poisson_arrivals", "replicate", "replication_streams", "simulate",
    "single_pool_model", "summarise", "t_quantile",
]
