"""Validated, immutable inputs of a contact-centre simulation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from equipoise.engine.simulation.distributions import (
    Distribution,
    Exponential,
    check_distribution,
)

#: Mean handle time used when a contact type does not say (seconds).
DEFAULT_HANDLE_SECONDS = 180.0
#: Mean patience used when a contact type does not say (seconds).
DEFAULT_PATIENCE_SECONDS = 300.0
#: Mean delay before an unresolved contact comes back when a type does not say (seconds).
DEFAULT_REPEAT_DELAY_SECONDS = 3600.0
#: Answer-time target of the service level when a model does not say (seconds).
DEFAULT_SERVICE_LEVEL_SECONDS = 20.0


def _finite_positive(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def _probability(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return value


@dataclass(frozen=True)
class ArrivalProfile:
    """Piecewise-constant Poisson arrival rate: ``rates_per_second[i]`` on interval ``i``."""

    interval_seconds: float
    rates_per_second: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "interval_seconds", _finite_positive("interval_seconds", self.interval_seconds)
        )
        rates = tuple(float(r) for r in self.rates_per_second)
        if not rates:
            raise ValueError("rates_per_second must hold at least one interval")
        for i, rate in enumerate(rates):
            if not math.isfinite(rate) or rate < 0:
                raise ValueError(f"rates_per_second[{i}] must be a finite rate >= 0, got {rate!r}")
        object.__setattr__(self, "rates_per_second", rates)

    @classmethod
    def constant(
        cls, rate_per_second: float, interval_seconds: float, intervals: int
    ) -> ArrivalProfile:
        """A stationary profile: the same rate on ``intervals`` intervals."""
        if int(intervals) < 1:
            raise ValueError(f"intervals must be an integer >= 1, got {intervals!r}")
        return cls(interval_seconds, (float(rate_per_second),) * int(intervals))

    @property
    def horizon_seconds(self) -> float:
        """End of the last interval."""
        return self.interval_seconds * len(self.rates_per_second)

    @property
    def expected_arrivals(self) -> float:
        """Expected number of arrivals over the whole profile."""
        return self.interval_seconds * sum(self.rates_per_second)


@dataclass(frozen=True)
class StaffingSchedule:
    """Agents logged in per interval (the shift schedule); the last value holds afterwards."""

    interval_seconds: float
    agents: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "interval_seconds", _finite_positive("interval_seconds", self.interval_seconds)
        )
        if not self.agents:
            raise ValueError("agents must hold at least one interval")
        agents = []
        for i, n in enumerate(self.agents):
            if int(n) != n or n < 0:
                raise ValueError(f"agents[{i}] must be an integer >= 0, got {n!r}")
            agents.append(int(n))
        object.__setattr__(self, "agents", tuple(agents))

    @classmethod
    def constant(cls, agents: int, interval_seconds: float = 1800.0) -> StaffingSchedule:
        """The same number of agents at all times."""
        return cls(interval_seconds, (agents,))

    def changes(self) -> list[tuple[float, int]]:
        """(time, new agent count) for every interval boundary where the count changes."""
        out = []
        for i in range(1, len(self.agents)):
            if self.agents[i] != self.agents[i - 1]:
                out.append((i * self.interval_seconds, self.agents[i]))
        return out

    def agent_seconds(self, start: float, end: float) -> float:
        """Integral of the agent count over [start, end)."""
        if end <= start:
            return 0.0
        n = len(self.agents)
        bounds = np.arange(n + 1, dtype=np.float64) * self.interval_seconds
        bounds[-1] = math.inf
        lo = np.clip(bounds[:-1], start, end)
        hi = np.clip(bounds[1:], start, end)
        return float(np.sum((hi - lo) * np.asarray(self.agents, dtype=np.float64)))


@dataclass(frozen=True)
class SelfService:
    """An automated step: contained with probability ``containment_rate``, else escalated."""

    containment_rate: float
    escalate_to: str
    duration: Distribution = field(default_factory=lambda: Exponential(60.0))

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "containment_rate", _probability("containment_rate", self.containment_rate)
        )
        if not self.escalate_to:
            raise ValueError("escalate_to must name an agent-served contact type")
        check_distribution("duration", self.duration)


@dataclass(frozen=True)
class ContactType:
    """A stream of contacts: channel, reason, customer tier, priority, times and resolution.

    ``arrivals`` may be None for a type fed only by escalations or repeats. ``priority`` None
    takes the model's priority for the tier. ``fcr`` is the probability that a handled contact
    is resolved; an unresolved one comes back as a ``repeat_as`` contact (default: the same type)
    after ``repeat_delay``. A type with ``self_service`` is automated and never queues for an agent.
    """

    name: str
    channel: str
    arrivals: ArrivalProfile | None
    service: Distribution = field(default_factory=lambda: Exponential(DEFAULT_HANDLE_SECONDS))
    patience: Distribution = field(
        default_factory=lambda: Exponential(DEFAULT_PATIENCE_SECONDS)
    )
    reason: str = ""
    tier: str = ""
    priority: int | None = None
    fcr: float = 1.0
    repeat_delay: Distribution = field(
        default_factory=lambda: Exponential(DEFAULT_REPEAT_DELAY_SECONDS)
    )
    repeat_as: str | None = None
    self_service: SelfService | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name of a contact type must be a non-empty string")
        if not self.channel:
            raise ValueError(f"channel of contact type {self.name!r} must be a non-empty string")
        if self.arrivals is not None and not isinstance(self.arrivals, ArrivalProfile):
            raise ValueError(f"arrivals of {self.name!r} must be an ArrivalProfile or None")
        check_distribution(f"service of {self.name!r}", self.service)
        check_distribution(f"patience of {self.name!r}", self.patience, allow_infinite=True)
        check_distribution(f"repeat_delay of {self.name!r}", self.repeat_delay)
        object.__setattr__(self, "fcr", _probability(f"fcr of {self.name!r}", self.fcr))
        if self.priority is not None and int(self.priority) != self.priority:
            raise ValueError(f"priority of {self.name!r} must be an integer, got {self.priority!r}")


@dataclass(frozen=True)
class AgentPool:
    """Agents of one channel who serve the contact types listed in ``skills``.

    ``concurrency`` is how many contacts one agent handles at once (chat: 2-3); each agent is
    modelled as that many independent service slots.
    """

    name: str
    channel: str
    staffing: StaffingSchedule
    skills: tuple[str, ...]
    concurrency: int = 1

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name of an agent pool must be a non-empty string")
        if not isinstance(self.staffing, StaffingSchedule):
            raise ValueError(f"staffing of pool {self.name!r} must be a StaffingSchedule")
        skills = tuple(self.skills)
        if not skills or len(set(skills)) != len(skills):
            raise ValueError(f"skills of pool {self.name!r} must be distinct contact type names")
        object.__setattr__(self, "skills", skills)
        if int(self.concurrency) != self.concurrency or self.concurrency < 1:
            raise ValueError(
                f"concurrency of pool {self.name!r} must be an integer >= 1, "
                f"got {self.concurrency!r}"
            )
        object.__setattr__(self, "concurrency", int(self.concurrency))


@dataclass(frozen=True)
class CentreModel:
    """The whole centre: contact types, agent pools, horizon, warm-up and service-level targets.

    New first contacts arrive in [0, horizon_seconds); contacts already in the centre at the
    horizon are served to completion (staffing keeps its last value). Statistics count contacts
    arriving in [warmup_seconds, horizon_seconds).
    """

    contact_types: tuple[ContactType, ...]
    pools: tuple[AgentPool, ...]
    horizon_seconds: float | None = None
    warmup_seconds: float = 0.0
    service_level_seconds: float | Mapping[str, float] = DEFAULT_SERVICE_LEVEL_SECONDS
    tier_priorities: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        types = tuple(self.contact_types)
        pools = tuple(self.pools)
        object.__setattr__(self, "contact_types", types)
        object.__setattr__(self, "pools", pools)
        if not types:
            raise ValueError("contact_types must hold at least one ContactType")
        names = [t.name for t in types]
        if len(set(names)) != len(names):
            raise ValueError(f"contact type names must be unique, got {names}")
        pool_names = [p.name for p in pools]
        if len(set(pool_names)) != len(pool_names):
            raise ValueError(f"pool names must be unique, got {pool_names}")
        by_name = {t.name: t for t in types}
        for t in types:
            if t.self_service is not None:
                target = by_name.get(t.self_service.escalate_to)
                if target is None or target.self_service is not None:
                    raise ValueError(
                        f"self_service.escalate_to of {t.name!r} must name an agent-served "
                        f"contact type, got {t.self_service.escalate_to!r}"
                    )
            if t.repeat_as is not None and t.repeat_as not in by_name:
                raise ValueError(f"repeat_as of {t.name!r} names no contact type: {t.repeat_as!r}")
        served = set()
        for p in pools:
            for s in p.skills:
                if s not in by_name or by_name[s].self_service is not None:
                    raise ValueError(
                        f"skills of pool {p.name!r} must name agent-served contact types, got {s!r}"
                    )
                served.add(s)
        for t in types:
            if t.self_service is None and t.name not in served:
                raise ValueError(f"contact type {t.name!r} is served by no pool (add it to skills)")
        horizon = self.horizon_seconds
        if horizon is None:
            horizons = [t.arrivals.horizon_seconds for t in types if t.arrivals is not None]
            if not horizons:
                raise ValueError("horizon_seconds is required when no contact type has arrivals")
            horizon = max(horizons)
        object.__setattr__(self, "horizon_seconds", _finite_positive("horizon_seconds", horizon))
        warmup = float(self.warmup_seconds)
        if not 0 <= warmup < self.horizon:
            raise ValueError(
                f"warmup_seconds must be in [0, horizon_seconds={self.horizon_seconds}), "
                f"got {warmup}"
            )
        object.__setattr__(self, "warmup_seconds", warmup)
        targets = self.service_level_seconds
        values = targets.values() if isinstance(targets, Mapping) else [targets]
        for v in values:
            if not math.isfinite(float(v)) or float(v) < 0:
                raise ValueError(f"service_level_seconds must be finite and >= 0, got {v!r}")
        object.__setattr__(self, "tier_priorities", dict(self.tier_priorities))

    @property
    def horizon(self) -> float:
        """The resolved ``horizon_seconds`` (given, or the end of the longest arrival profile)."""
        return float(self.horizon_seconds or 0.0)

    @property
    def channels(self) -> tuple[str, ...]:
        """Channel names in first-seen order (contact types, then pools)."""
        seen: dict[str, None] = {}
        for t in self.contact_types:
            seen.setdefault(t.channel, None)
        for p in self.pools:
            seen.setdefault(p.channel, None)
        return tuple(seen)

    def type_index(self, name: str) -> int:
        """Position of the contact type called ``name``."""
        for i, t in enumerate(self.contact_types):
            if t.name == name:
                return i
        raise ValueError(f"no contact type called {name!r}")

    def priority_of(self, contact_type: ContactType) -> int:
        """Effective priority: the type's own, else its tier's, else 0 (higher is served first)."""
        if contact_type.priority is not None:
            return int(contact_type.priority)
        return int(self.tier_priorities.get(contact_type.tier, 0))

    def target_seconds(self, channel: str) -> float:
        """The service-level answer-time target of ``channel``."""
        targets = self.service_level_seconds
        if isinstance(targets, Mapping):
            return float(targets.get(channel, DEFAULT_SERVICE_LEVEL_SECONDS))
        return float(targets)


def single_pool_model(
    arrival_rate_per_s: float | Sequence[float],
    service: Distribution,
    patience: Distribution,
    agents: int | Sequence[int],
    *,
    interval_seconds: float,
    intervals: int | None = None,
    warmup_seconds: float = 0.0,
    service_level_seconds: float = DEFAULT_SERVICE_LEVEL_SECONDS,
    channel: str = "phone",
) -> CentreModel:
    """An M/G/N+G centre: one contact type, one pool (constant or per-interval rates/agents)."""
    if isinstance(arrival_rate_per_s, Sequence):
        rates = tuple(float(r) for r in arrival_rate_per_s)
    else:
        if intervals is None:
            raise ValueError("intervals is required with a constant arrival rate")
        rates = (float(arrival_rate_per_s),) * int(intervals)
    staff = tuple(agents) if isinstance(agents, Sequence) else (agents,)
    calls = ContactType(
        name="calls",
        channel=channel,
        arrivals=ArrivalProfile(interval_seconds, rates),
        service=service,
        patience=patience,
    )
    pool = AgentPool("agents", channel, StaffingSchedule(interval_seconds, staff), ("calls",))
    return CentreModel(
        (calls,),
        (pool,),
        warmup_seconds=warmup_seconds,
        service_level_seconds=service_level_seconds,
    )
