"""Nonstationary Poisson arrivals and the per-contact random draws made up front."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from equipoise.engine.simulation.inputs import ArrivalProfile, CentreModel


def poisson_arrivals(
    profile: ArrivalProfile, rng: np.random.Generator, horizon_seconds: float | None = None
) -> NDArray[np.float64]:
    """Sorted arrival times of a piecewise-constant-rate Poisson process.

    Exact and sort-free: the total count is Poisson(cumulative intensity); sorted uniform
    points on [0, cumulative intensity) come from normalised exponential spacings and are
    mapped to times through the inverse of the piecewise-linear cumulative intensity.
    Arrivals at or after ``horizon_seconds`` are dropped.
    """
    width = profile.interval_seconds
    mass = np.asarray(profile.rates_per_second, dtype=np.float64) * width
    cumulative = np.concatenate(([0.0], np.cumsum(mass)))
    total = float(cumulative[-1])
    count = int(rng.poisson(total)) if total > 0 else 0
    if count == 0:
        return np.empty(0, dtype=np.float64)
    spacings = np.cumsum(rng.exponential(1.0, count + 1))
    points = spacings[:-1] * (total / spacings[-1])
    # points are sorted: locate the interval boundaries among them, not each point
    per_interval = np.diff(np.searchsorted(points, cumulative, side="left"))
    interval = np.repeat(np.arange(mass.size), per_interval)
    within = (points - cumulative[interval]) / np.maximum(mass[interval], np.finfo(float).tiny)
    times = (interval + np.clip(within, 0.0, 1.0)) * width
    if horizon_seconds is not None:
        times = times[: np.searchsorted(times, horizon_seconds, side="left")]
    return times


@dataclass(frozen=True)
class PrimaryContacts:
    """First contacts of all types, merged in arrival order, with their own draws.

    For an agent-served type ``duration`` is the handle time and ``patience`` the time the
    customer is willing to wait; for a self-service type ``duration`` is the automated step's
    length and ``patience`` holds a uniform(0, 1) draw deciding containment.
    """

    arrival: NDArray[np.float64]
    type_index: NDArray[np.int32]
    duration: NDArray[np.float64]
    patience: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.arrival.size)


def draw_primary_contacts(model: CentreModel, rng: np.random.Generator) -> PrimaryContacts:
    """Draw every first contact of ``model`` from one independent child stream per type."""
    streams = rng.spawn(len(model.contact_types))
    arrivals, types, durations, patiences = [], [], [], []
    for k, (ctype, stream) in enumerate(zip(model.contact_types, streams, strict=True)):
        if ctype.arrivals is None:
            continue
        times = poisson_arrivals(ctype.arrivals, stream, model.horizon_seconds)
        n = times.size
        if ctype.self_service is not None:
            duration = ctype.self_service.duration.sample(stream, n)
            patience = stream.random(n)
        else:
            duration = ctype.service.sample(stream, n)
            patience = ctype.patience.sample(stream, n)
        arrivals.append(times)
        types.append(np.full(n, k, dtype=np.int32))
        durations.append(np.asarray(duration, dtype=np.float64))
        patiences.append(np.asarray(patience, dtype=np.float64))
    if not arrivals:
        empty = np.empty(0, dtype=np.float64)
        return PrimaryContacts(empty, np.empty(0, dtype=np.int32), empty, empty.copy())
    arrival = np.concatenate(arrivals)
    order = np.argsort(arrival, kind="stable")
    return PrimaryContacts(
        arrival[order],
        np.concatenate(types)[order],
        np.concatenate(durations)[order],
        np.concatenate(patiences)[order],
    )
