"""Agent pools of the demo world: a first-come-first-served queue over agents on shifts."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from equipoise.demo.catalog import PoolSpec
from equipoise.demo.staffing import Shift


@dataclass(frozen=True)
class AgentProfile:
    pool: str
    team: str
    hourly_cost: float  # loaded, currency per hour
    fcr_skill: float  # added to the resolution probability
    speed: float  # multiplies handle time
    sourcing: str


class PoolQueue:
    """FCFS service by the earliest-free server among agents on shift.

    Each agent on a shift contributes one server per concurrent slot. Processing arrivals in time
    order and giving each to the earliest-free server is exact FCFS; a customer whose wait would
    exceed their patience leaves without taking a server.
    """

    def __init__(self, spec: PoolSpec, shifts: list[Shift], agent_ids: list[int]) -> None:
        self.spec = spec
        self._pending = sorted(
            (s.start, s.end, agent_ids[s.agent], spec.slots_per_agent[s.agent % len(spec.slots_per_agent)])
            for s in shifts
        )
        self._next = 0
        self._heap: list[tuple[float, float, int, int]] = []

    def _admit_until(self, moment: float) -> None:
        pending, heap = self._pending, self._heap
        while self._next < len(pending) and pending[self._next][0] <= moment:
            start, end, agent, slots = pending[self._next]
            self._next += 1
            for slot in range(slots):
                heapq.heappush(heap, (start, end, agent, slot))

    def acquire(self, t: float) -> tuple[float, tuple[float, float, int, int]] | None:
        """Earliest moment a server can start a contact arriving at ``t``, and that server."""
        heap = self._heap
        while True:
            self._admit_until(max(t, heap[0][0]) if heap else t)
            if not heap:
                if self._next >= len(self._pending):
                    return None
                self._admit_until(self._pending[self._next][0])
                continue
            entry = heapq.heappop(heap)
            start = entry[0] if entry[0] > t else t
            if start >= entry[1]:
                continue  # that agent's shift is over
            return start, entry

    def release(self, entry: tuple[float, float, int, int], free_at: float) -> None:
        """Give the server back, free again at ``free_at``."""
        heapq.heappush(self._heap, (free_at, entry[1], entry[2], entry[3]))

    def put_back(self, entry: tuple[float, float, int, int]) -> None:
        """Return a server untouched (the customer abandoned before being answered)."""
        heapq.heappush(self._heap, entry)
