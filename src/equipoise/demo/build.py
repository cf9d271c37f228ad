"""Build the demo company into a database: one call, deterministic for a seed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from equipoise.demo.catalog import POOLS, TIERS
from equipoise.demo.clock import Horizon
from equipoise.demo.pools import AgentProfile, PoolQueue
from equipoise.demo.population import make_customers
from equipoise.demo.staffing import hourly_requirement, lay_shifts, monthly_pool_volume
from equipoise.demo.world import World, WorldLog

DEFAULT_START = dt.date(2025, 11, 1)

#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoSpec:
    customers: int = 20_000
    months: int = 12
    seed: int = 7
    start: dt.date = DEFAULT_START

    def __post_init__(self) -> None:
        if self.customers < 10:
            raise ValueError(f"customers must be at least 10, got {self.customers}")
        if self.start.day != 1:
            raise ValueError(f"start must be the first day of a month, got {self.start}")
        if not 1 <= self.months <= 60:
            raise ValueError(f"months must be between 1 and 60, got {self.months}")


@dataclass
class DemoData:
    spec: DemoSpec
    horizon: Horizon
    customers: object
    agents: list[AgentProfile]
    shifts: list[tuple[int, str, float, float]]  # (agent id, channel code, start, end)
    log: WorldLog


def simulate(spec: DemoSpec, progress: Progress | None = None) -> DemoData:
    """Generate the whole company in memory (no database)."""
    rng = np.random.default_rng(spec.seed)
    horizon = Horizon(spec.start, spec.months)
    customers = make_customers(spec.customers, rng)
    tier_counts = np.bincount(customers.tier, minlength=len(TIERS))
    volume = monthly_pool_volume(tier_counts)
    agents: list[AgentProfile] = []
    queues: dict[str, PoolQueue] = {}
    shift_rows: list[tuple[int, str, float, float]] = []
    for pool in POOLS:
        need = hourly_requirement(pool, volume[pool.code], horizon)
        shifts, roster = lay_shifts(pool, need)
        ids = []
        for _ in range(roster):
            agents.append(AgentProfile(
                pool=pool.code, team=pool.team,
                hourly_cost=round(pool.hourly_cost * float(rng.lognormal(0.0, 0.08)), 2),
                fcr_skill=float(rng.normal(0.0, 0.04)), speed=float(rng.lognormal(0.0, 0.10)),
                sourcing=pool.sourcing))
            ids.append(len(agents))
        queues[pool.code] = PoolQueue(pool, shifts, ids)
        shift_rows.extend((ids[s.agent], pool.channel, s.start, s.end) for s in shifts
                          if s.start < horizon.end)
    world = World(customers, horizon, rng, queues, agents)
    log = world.run(on_month=(lambda m: progress("simulate", m, spec.months)) if progress else None)
    return DemoData(spec, horizon, customers, agents, shift_rows, log)
