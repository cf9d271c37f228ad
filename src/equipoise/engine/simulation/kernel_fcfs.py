"""Fast exact kernel for one FCFS pool with abandonment (M/G/N+G with a shift schedule).

Under FCFS a customer's answer time depends only on earlier customers, so arrivals are taken
in time order and each goes to the server that frees up first (a heap of free times). A
customer whose wait would exceed their patience abandons at arrival + patience and never
occupies a server. Staffing changes follow the same convention as the event-driven centre:
new agents join free at the change time; leaving agents go idle-first (longest idle first),
then busy agents that finish soonest, each finishing the call in hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heapify, heappop, heappush, heapreplace

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class FcfsResult:
    """Answer time (NaN if never answered) and server slot (-1) per customer."""

    start: NDArray[np.float64]
    server: NDArray[np.int32]


def fcfs_kernel(
    arrival: NDArray[np.float64],
    service: NDArray[np.float64],
    patience: NDArray[np.float64],
    servers: int,
    changes: Sequence[tuple[float, int]] = (),
) -> FcfsResult:
    """Serve sorted arrivals FCFS on ``servers`` slots changing to ``n`` at each (time, n)."""
    arrival = np.asarray(arrival, dtype=np.float64)
    n = arrival.size
    if np.asarray(service).shape != (n,) or np.asarray(patience).shape != (n,):
        raise ValueError("arrival, service and patience must be 1-d arrays of the same length")
    if n > 1 and bool(np.any(np.diff(arrival) < 0)):
        raise ValueError("arrival must be sorted in non-decreasing order")
    if int(servers) != servers or servers < 0:
        raise ValueError(f"servers must be an integer >= 0, got {servers!r}")
    change_list = sorted((float(t), int(k)) for t, k in changes)
    for t, k in change_list:
        if k < 0 or not math.isfinite(t):
            raise ValueError(f"changes must be (finite time, servers >= 0), got {(t, k)}")
    deadline = (arrival + np.asarray(patience, dtype=np.float64)).tolist()
    svc = np.asarray(service, dtype=np.float64).tolist()
    arr = arrival.tolist()
    start: list[float] = [math.nan] * n
    slot: list[int] = [-1] * n
    heap: list[tuple[float, int]] = [(0.0, k) for k in range(int(servers))]
    heapify(heap)
    next_id = int(servers)
    ci = 0
    inf = math.inf
    next_change = change_list[0][0] if change_list else inf
    for i in range(n):
        a = arr[i]
        if heap:
            top = heap[0]
            s = top[0]
            if s < a:
                s = a
        else:
            s = inf
        if s >= next_change:
            # Slow path: apply every staffing change that takes effect before this answer.
            while s >= next_change and next_change < inf:
                target = change_list[ci][1]
                while len(heap) < target:
                    heappush(heap, (next_change, next_id))
                    next_id += 1
                while len(heap) > target:
                    heappop(heap)
                ci += 1
                next_change = change_list[ci][0] if ci < len(change_list) else inf
                if heap:
                    top = heap[0]
                    s = top[0] if top[0] > a else a
                else:
                    s = inf
        if s > deadline[i] or s == inf:
            continue
        start[i] = s
        slot[i] = top[1]
        heapreplace(heap, (s + svc[i], top[1]))
    return FcfsResult(np.array(start, dtype=np.float64), np.array(slot, dtype=np.int32))
