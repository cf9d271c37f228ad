"""Fast exact kernel for one FCFS pool with abandonment (M/G/N+G with a shift schedule).

Under FCFS a customer's answer time depends only on earlier customers, so arrivals are taken
in time order and each goes to the server that frees up first (a heap of free times). A
customer whose wait would exceed their patience abandons at arrival + patience and never
occupies a server. Staffing changes follow the same convention as the event-driven centre:
new agents join free at the change time; leaving agents go idle-first (longest idle first),
then busy agents that finish soonest, each finishing the call in hand. At equal times, calls
ending take effect before a staffing change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heappop, heappush, heapreplace

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
    *,
    track_servers: bool = True,
) -> FcfsResult:
    """Serve sorted arrivals FCFS on ``servers`` slots changing to ``n`` at each (time, n).

    With ``track_servers=False`` the server column is all -1 (answer times are identical):
    the loop then skips the bookkeeping of which slot took whom, about 40% of its work.
    """
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
    if not track_servers:
        start = _answer_times(arrival.tolist(), deadline, svc, int(servers), change_list)
        return FcfsResult(np.array(start, dtype=np.float64), np.full(n, -1, dtype=np.int32))
    return _tracked(arrival.tolist(), deadline, svc, int(servers), change_list)


def _answer_times(
    arrival: list[float], deadline: list[float], service: list[float], servers: int,
    changes: list[tuple[float, int]],
) -> list[float]:
    """The kernel without server identities: a plain heap of free times."""
    start: list[float] = []
    add_start = start.append
    heap = [0.0] * servers
    ci = 0
    inf, nan = math.inf, math.nan
    next_change = changes[0][0] if changes else inf
    for a, d, dur in zip(arrival, deadline, service, strict=True):
        s = heap[0] if heap else inf
        if s < a:
            s = a
        if s > next_change:
            while s > next_change and next_change < inf:
                target = changes[ci][1]
                while len(heap) < target:
                    heappush(heap, next_change)
                while len(heap) > target:
                    heappop(heap)
                ci += 1
                next_change = changes[ci][0] if ci < len(changes) else inf
                s = heap[0] if heap else inf
                if s < a:
                    s = a
        if s > d or s == inf:
            add_start(nan)
            continue
        heapreplace(heap, s + dur)
        add_start(s)
    return start


def _tracked(
    arrival: list[float], deadline: list[float], svc: list[float], servers: int,
    change_list: list[tuple[float, int]],
) -> FcfsResult:
    """The kernel recording which server slot answers each customer."""
    start: list[float] = []
    slot: list[int] = []
    add_start, add_slot = start.append, slot.append
    # Float heap of free times; ``owner`` maps a free time to its server and ``tied`` holds,
    # in id order, further servers free at exactly the same time (start, shift changes).
    heap: list[float] = []
    owner: dict[float, int] = {}
    tied: dict[float, list[int]] = {}
    next_id = 0

    def add_server(free_at: float) -> None:
        nonlocal next_id
        heappush(heap, free_at)
        if free_at in owner:
            tied.setdefault(free_at, []).append(next_id)
        else:
            owner[free_at] = next_id
        next_id += 1

    def take_server(free_at: float) -> int:
        server = owner.pop(free_at)
        if free_at in tied:
            queue = tied[free_at]
            owner[free_at] = queue.pop(0)
            if not queue:
                del tied[free_at]
        return server

    for _ in range(servers):
        add_server(0.0)
    ci = 0
    inf, nan = math.inf, math.nan
    next_change = change_list[0][0] if change_list else inf
    for a, d, dur in zip(arrival, deadline, svc, strict=True):
        f = heap[0] if heap else inf
        s = a if f < a else f
        if s > next_change:
            # Slow path: apply every staffing change that takes effect before this answer.
            while s > next_change and next_change < inf:
                target = change_list[ci][1]
                while len(heap) < target:
                    add_server(next_change)
                while len(heap) > target:
                    take_server(heappop(heap))
                ci += 1
                next_change = change_list[ci][0] if ci < len(change_list) else inf
                f = heap[0] if heap else inf
                s = a if f < a else f
        if s > d or s == inf:
            add_start(nan)
            add_slot(-1)
            continue
        end = s + dur
        if tied and f in tied:
            k = take_server(f)
        else:
            k = owner.pop(f)
        if end in owner:
            tied.setdefault(end, []).append(k)
        else:
            owner[end] = k
        heapreplace(heap, end)
        add_start(s)
        add_slot(k)
    return FcfsResult(np.array(start, dtype=np.float64), np.array(slot, dtype=np.int32))
