"""Staffing for deferred work (email, social, field): a backlog answered within a response time.

Written contacts do not queue the way calls do: nobody hangs up after 20 seconds, the promise is
"answered within T" (hours or days). The method here is a workload (fluid) model, solved by a
lazy earliest-deadline-first schedule:

1. the work arriving in interval i is ``work_seconds[i]`` agent-seconds (contacts x handle time /
   concurrency); it may be done in interval i or any later one up to i + W - 1 (W = the response
   target in intervals, at least 1), but only in *open* intervals; its deadline is the last open
   interval of that window. Work whose window holds no open interval is due in the first open
   interval after the window (it will be late: ``late_seconds`` counts it);
2. each open interval gets the fewest whole agents that finish all work due in it:
   ceil(due / (interval x max_occupancy)); agents that are there anyway use their spare
   capacity on the work with the next deadlines (earliest deadline first);
3. the intervals are one period of a repeating pattern (a week): the period's work is
   scheduled from an empty backlog until all of it is done, and what is done after the end of
   the period is laid back on its start (where the previous period's spill-over falls in
   steady state), adding agents there. No work is lost or invented. A response target longer
   than the period is held to the period.

Every piece of work is thus finished by its deadline: the staffing meets the response-time
target in the fluid sense, with as few agent-intervals as the lazy rule allows (agents come in
when work falls due, not the moment it arrives).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from equipoise.engine.queueing._validate import as_float, as_probability


@dataclass(frozen=True)
class DeferredStaffing:
    """Agents per interval for deferred work, and the workload behind them.

    * ``workload_seconds`` -- agent-seconds of work done in each interval.
    * ``agents`` -- productive agents needed per interval (0 when closed or nothing is due).
    * ``occupancy`` -- workload / (agents x interval); 0 where no agent is needed.
    * ``late_seconds`` -- work (per period) whose response window had no open interval.
    """

    workload_seconds: Any
    agents: Any
    occupancy: Any
    late_seconds: float


def deferred_agents(work_seconds: ArrayLike, open_intervals: ArrayLike, interval_seconds: float,
                    response_seconds: float, *,
                    max_occupancy: float = 1.0) -> DeferredStaffing:
    """Return the agents per interval that clear deferred work within its response time."""
    work = as_float("work_seconds", work_seconds)
    if work.ndim != 1:
        raise ValueError(f"work_seconds: expected a 1-d array, got shape {work.shape}")
    is_open = np.asarray(open_intervals, dtype=bool)
    if is_open.shape != work.shape:
        raise ValueError(f"open_intervals: expected shape {work.shape}, got {is_open.shape}")
    step = float(as_float("interval_seconds", interval_seconds, positive=True))
    response = float(as_float("response_seconds", response_seconds, positive=True))
    capacity = step * as_probability("max_occupancy", max_occupancy, open_high=False)
    size = work.size
    if (work > 0).any() and not is_open.any():
        raise ValueError("open_intervals: work arrives but no interval is open")
    # a target longer than the period is held to the period (work is done within a week)
    window = min(size, max(1, int(np.ceil(response / step - 1e-9))))
    deadline, late = _deadlines(is_open, window)
    # One week's work, scheduled from an empty backlog until all of it is done (a response
    # target or a late job may carry work past the end), then the part done after the end is
    # laid back on the start of the week, where next week's spill-over lands.
    span = 2 * size + window
    done = np.zeros(span)
    agents = np.zeros(span, dtype=np.int64)
    backlog: list[tuple[int, float]] = []  # (deadline, seconds) as a heap
    for j in range(span):
        i = j % size
        if j < size and work[i] > 0:
            heapq.heappush(backlog, (int(deadline[i]), float(work[i])))
        if not is_open[i] or not backlog or backlog[0][0] > j:
            continue
        due = sum(amount for d, amount in backlog if d <= j)
        agents[j] = int(np.ceil(due / capacity - 1e-9))
        room = agents[j] * capacity
        while backlog and room > 0:
            d, amount = heapq.heappop(backlog)
            taken = min(amount, room)
            room -= taken
            done[j] += taken
            if amount - taken > 1e-9 * max(amount, 1.0):
                heapq.heappush(backlog, (d, amount - taken))
    slot = np.arange(span) % size
    folded_done = np.bincount(slot, weights=done, minlength=size)
    folded_agents = np.bincount(slot, weights=agents, minlength=size).astype(np.int64)
    occupancy = np.divide(folded_done, folded_agents * step, out=np.zeros(size),
                          where=folded_agents > 0)
    return DeferredStaffing(workload_seconds=folded_done, agents=folded_agents,
                            occupancy=occupancy, late_seconds=float(work[late].sum()))


def _deadlines(is_open: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Per arrival interval: offset (in intervals, may pass the period) of its deadline, and
    whether its window held no open interval (then the deadline is the next open interval)."""
    size = is_open.size
    unrolled = np.tile(is_open, 2 + window // size + 1)
    open_idx = np.flatnonzero(unrolled)
    deadline = np.zeros(size, dtype=np.int64)
    late = np.zeros(size, dtype=bool)
    if not open_idx.size:
        return deadline, late
    for i in range(size):
        # last open interval in [i, i + window - 1], else the first open one after it
        k = np.searchsorted(open_idx, i + window, side="left") - 1
        if k >= 0 and open_idx[k] >= i:
            deadline[i] = open_idx[k]
        else:
            deadline[i] = open_idx[np.searchsorted(open_idx, i + window)]
            late[i] = True
    return deadline, late
