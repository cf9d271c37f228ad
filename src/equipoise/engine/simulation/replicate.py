"""Independent replications with seeded child streams and t confidence intervals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from equipoise.engine.simulation.centre import simulate
from equipoise.engine.simulation.inputs import CentreModel
from equipoise.engine.simulation.stats import Estimate, confidence_interval
from equipoise.engine.simulation.summary import SUMMARY_FIELDS, ChannelSummary, summarise

Seed = int | np.random.SeedSequence | np.random.Generator


@dataclass(frozen=True)
class ReplicationReport:
    """Summary of ``replications`` independent runs: a CI for every statistic of every channel."""

    level: float
    replications: int
    contacts: int
    estimates: dict[str, dict[str, Estimate]]
    runs: tuple[dict[str, ChannelSummary], ...]

    def estimate(self, channel: str, statistic: str) -> Estimate:
        """The confidence interval of ``statistic`` on ``channel``."""
        if channel not in self.estimates:
            raise ValueError(f"channel must be one of {sorted(self.estimates)}, got {channel!r}")
        if statistic not in self.estimates[channel]:
            raise ValueError(f"statistic must be one of {SUMMARY_FIELDS}, got {statistic!r}")
        return self.estimates[channel][statistic]

    def as_dict(self) -> dict[str, object]:
        """Plain values for JSON output."""
        return {
            "level": self.level,
            "replications": self.replications,
            "contacts": self.contacts,
            "channels": {
                ch: {stat: est.as_dict() for stat, est in stats.items()}
                for ch, stats in self.estimates.items()
            },
        }


def replication_streams(seed: Seed, replications: int) -> list[np.random.Generator]:
    """Independent generators, one per replication, spawned from ``seed``."""
    if int(replications) != replications or replications < 1:
        raise ValueError(f"replications must be an integer >= 1, got {replications!r}")
    if isinstance(seed, np.random.Generator):
        return seed.spawn(int(replications))
    if isinstance(seed, bool) or not isinstance(seed, int | np.random.SeedSequence):
        raise ValueError(f"seed must be an int, SeedSequence or Generator, got {seed!r}")
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.Generator(np.random.PCG64(child)) for child in root.spawn(int(replications))]


def replicate(
    model: CentreModel,
    replications: int,
    seed: Seed,
    *,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> ReplicationReport:
    """Run ``model`` ``replications`` times on independent streams and summarise with CIs."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    streams = replication_streams(seed, replications)
    runs: list[dict[str, ChannelSummary]] = []
    contacts = 0
    for i, rng in enumerate(streams):
        records = simulate(model, rng, track_servers=False)  # summaries ignore servers
        contacts += len(records)
        runs.append(summarise(model, records))
        if progress is not None:
            progress(i + 1, len(streams))
    estimates = {
        channel: {
            stat: confidence_interval([getattr(run[channel], stat) for run in runs], level)
            for stat in SUMMARY_FIELDS
        }
        for channel in model.channels
    }
    return ReplicationReport(level, len(streams), contacts, estimates, tuple(runs))
