"""Event-driven simulation of a multi-channel centre, and the ``simulate`` entry point.

Skills routing: an arriving contact goes to the first pool (model order) with an idle slot
among those that serve its type, taking that pool's longest-idle slot; otherwise it queues.
A slot that frees up takes the waiting contact of highest priority among its pool's skills,
FCFS within a priority. Unresolved contacts (probability 1 - fcr) come back after the type's
repeat delay if that is before the horizon; self-service contacts are contained or escalate.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush

import numpy as np

from equipoise.engine.simulation.arrivals import PrimaryContacts, draw_primary_contacts
from equipoise.engine.simulation.inputs import CentreModel
from equipoise.engine.simulation.kernel_fcfs import fcfs_kernel
from equipoise.engine.simulation.records import ContactRecords

# Event kinds; at equal times they are processed in this order (then first scheduled first).
_END, _ABANDON, _ARRIVE, _CHANGE = 0, 1, 2, 3


def is_single_fcfs(model: CentreModel) -> bool:
    """True when the fast FCFS kernel reproduces the event-driven centre exactly."""
    if len(model.pools) != 1:
        return False
    types = model.contact_types
    if any(t.self_service is not None or t.fcr < 1.0 for t in types):
        return False
    return len({model.priority_of(t) for t in types}) == 1


def simulate(
    model: CentreModel,
    rng: np.random.Generator,
    *,
    force_event_driven: bool = False,
    track_servers: bool = True,
) -> ContactRecords:
    """Simulate one run of ``model`` with the random stream ``rng``; return per-contact records.

    A single FCFS pool runs on the fast kernel (exactly the same records as the event loop,
    which ``force_event_driven`` selects). ``track_servers=False`` lets the fast kernel skip
    server identities (the ``server`` column is then -1); every other column is unchanged.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    primary = draw_primary_contacts(model, rng)
    dynamic = rng.spawn(1)[0]
    if is_single_fcfs(model) and not force_event_driven:
        return _run_fcfs(model, primary, track_servers)
    return _EventCentre(model, primary, dynamic).run()


def _run_fcfs(model: CentreModel, primary: PrimaryContacts, track_servers: bool) -> ContactRecords:
    pool = model.pools[0]
    c = pool.concurrency
    changes = [(t, k * c) for t, k in pool.staffing.changes()]
    result = fcfs_kernel(
        primary.arrival, primary.duration, primary.patience, pool.staffing.agents[0] * c, changes,
        track_servers=track_servers,
    )
    n = len(primary)
    served = ~np.isnan(result.start)
    deadline = primary.arrival + primary.patience
    minus = np.full(n, -1, dtype=np.int64)
    return ContactRecords(
        id=np.arange(n, dtype=np.int64),
        type=primary.type_index,
        arrival=primary.arrival,
        start=result.start,
        end=np.where(served, result.start + primary.duration, deadline),
        wait=np.where(served, result.start, deadline) - primary.arrival,
        handle=np.where(served, primary.duration, 0.0),
        abandoned=~served,
        contained=np.zeros(n, dtype=bool),
        pool=np.where(served, 0, -1).astype(np.int32),
        server=result.server,
        is_repeat=np.zeros(n, dtype=bool),
        repeat_of=minus,
        escalated_from=minus.copy(),
        type_names=tuple(t.name for t in model.contact_types),
        pool_names=(pool.name,),
    )


class _EventCentre:
    """One run of the general event-driven simulation (mutable working state)."""

    def __init__(self, model: CentreModel, primary: PrimaryContacts, rng: np.random.Generator):
        self.model = model
        self.primary = primary
        self.rng = rng
        types = model.contact_types
        self.type_by_name = {t.name: k for k, t in enumerate(types)}
        self.priority = [model.priority_of(t) for t in types]
        self.pools_for_type: list[list[int]] = [[] for _ in types]
        for p, pool in enumerate(model.pools):
            for s in pool.skills:
                self.pools_for_type[self.type_by_name[s]].append(p)
        self.skills = [[self.type_by_name[s] for s in pool.skills] for pool in model.pools]
        self.queues: list[deque[int]] = [deque() for _ in types]
        self.events: list[tuple[float, int, int, int, int, int]] = []
        self.seq = 0
        # per-contact columns (python lists grow as repeats and escalations appear)
        self.arrival = primary.arrival.tolist()
        self.ctype = primary.type_index.tolist()
        self.duration = primary.duration.tolist()
        self.patience = primary.patience.tolist()
        n = len(self.arrival)
        self.start = [math.nan] * n
        self.end = [math.nan] * n
        self.pool = [-1] * n
        self.server = [-1] * n
        self.abandoned = [False] * n
        self.contained = [False] * n
        self.waiting = [False] * n
        self.is_repeat = [False] * n
        self.repeat_of = [-1] * n
        self.escalated_from = [-1] * n
        # per-pool slots: idle deque (longest idle on the left), busy end times, leaving flags
        self.idle: list[deque[int]] = []
        self.busy_end: list[dict[int, tuple[float, int]]] = []
        self.leaving: list[set[int]] = []
        self.next_slot: list[int] = []
        for p, pool in enumerate(model.pools):
            slots = pool.staffing.agents[0] * pool.concurrency
            self.idle.append(deque(range(slots)))
            self.busy_end.append({})
            self.leaving.append(set())
            self.next_slot.append(slots)
            for t, agents in pool.staffing.changes():
                self._push(t, _CHANGE, p, agents * pool.concurrency)

    def _push(self, time: float, kind: int, a: int, b: int = 0, c: int = 0) -> None:
        self.seq += 1
        heappush(self.events, (time, kind, self.seq, a, b, c))

    def _new_contact(
        self, time: float, k: int, *, repeat_of: int = -1, escalated_from: int = -1
    ) -> None:
        ctype = self.model.contact_types[k]
        self.arrival.append(time)
        self.ctype.append(k)
        if ctype.self_service is not None:  # a repeat that comes back through self-service
            self.duration.append(float(ctype.self_service.duration.sample(self.rng, 1)[0]))
            self.patience.append(float(self.rng.random()))
        else:
            self.duration.append(float(ctype.service.sample(self.rng, 1)[0]))
            self.patience.append(float(ctype.patience.sample(self.rng, 1)[0]))
        self.start.append(math.nan)
        self.end.append(math.nan)
        self.pool.append(-1)
        self.server.append(-1)
        self.abandoned.append(False)
        self.contained.append(False)
        self.waiting.append(False)
        self.is_repeat.append(repeat_of >= 0)
        self.repeat_of.append(repeat_of)
        self.escalated_from.append(escalated_from)
        self._push(time, _ARRIVE, len(self.arrival) - 1)

    def run(self) -> ContactRecords:
        """Process every event and return the records."""
        arrivals = self.arrival[: len(self.primary)]
        n_primary = len(arrivals)
        i = 0
        events = self.events
        while i < n_primary or events:
            if i < n_primary and (not events or arrivals[i] <= events[0][0]):
                self._arrive(arrivals[i], i)
                i += 1
                continue
            time, kind, _, a, b, c = heappop(events)
            if kind == _END:
                self._end(time, a, b, c)
            elif kind == _ABANDON:
                if self.waiting[a]:
                    self.waiting[a] = False
                    self.abandoned[a] = True
                    self.end[a] = time
            elif kind == _ARRIVE:
                self._arrive(time, a)
            else:
                self._change(time, a, b)
        for cid, waiting in enumerate(self.waiting):
            if waiting:  # infinite patience and no agent ever again
                self.abandoned[cid] = True
                self.end[cid] = math.inf
        return self._records()

    def _arrive(self, time: float, cid: int) -> None:
        k = self.ctype[cid]
        ctype = self.model.contact_types[k]
        if ctype.self_service is not None:
            ss = ctype.self_service
            self.end[cid] = time + self.duration[cid]
            if self.patience[cid] < ss.containment_rate:
                self.contained[cid] = True
            else:
                target = self.type_by_name[ss.escalate_to]
                self._new_contact(self.end[cid], target, escalated_from=cid)
            return
        for p in self.pools_for_type[k]:
            if self.idle[p]:
                self._serve(time, cid, p, self.idle[p].popleft())
                return
        self.waiting[cid] = True
        self.queues[k].append(cid)
        deadline = time + self.patience[cid]
        if deadline < math.inf:
            self._push(deadline, _ABANDON, cid)

    def _serve(self, time: float, cid: int, p: int, slot: int) -> None:
        self.start[cid] = time
        self.pool[cid] = p
        self.server[cid] = slot
        end = time + self.duration[cid]
        self._push(end, _END, p, slot, cid)
        # (end, scheduling order): leaving agents are those finishing first, ties by start order
        self.busy_end[p][slot] = (end, self.seq)

    def _end(self, time: float, p: int, slot: int, cid: int) -> None:
        self.end[cid] = time
        del self.busy_end[p][slot]
        ctype = self.model.contact_types[self.ctype[cid]]
        if ctype.fcr < 1.0 and self.rng.random() >= ctype.fcr:
            back = time + float(ctype.repeat_delay.sample(self.rng, 1)[0])
            if back < self.model.horizon:
                k = self.type_by_name[ctype.repeat_as or ctype.name]
                self._new_contact(back, k, repeat_of=cid)
        if slot in self.leaving[p]:
            self.leaving[p].discard(slot)
            return
        self._slot_free(time, p, slot)

    def _slot_free(self, time: float, p: int, slot: int) -> None:
        nxt = self._next_waiting(p)
        if nxt < 0:
            self.idle[p].append(slot)
        else:
            self.waiting[nxt] = False
            self._serve(time, nxt, p, slot)

    def _next_waiting(self, p: int) -> int:
        best, best_key = -1, None
        for k in self.skills[p]:
            queue = self.queues[k]
            while queue and not self.waiting[queue[0]]:
                queue.popleft()
            if queue:
                head = queue[0]
                key = (-self.priority[k], self.arrival[head], head)
                if best_key is None or key < best_key:
                    best, best_key = head, key
        if best >= 0:
            self.queues[self.ctype[best]].popleft()
        return best

    def _change(self, time: float, p: int, target: int) -> None:
        idle, busy = self.idle[p], self.busy_end[p]
        active = len(idle) + len(busy) - len(self.leaving[p])
        if target > active:
            for _ in range(target - active):
                slot = self.next_slot[p]
                self.next_slot[p] += 1
                self._slot_free(time, p, slot)
            return
        deficit = active - target
        while deficit and idle:
            idle.popleft()
            deficit -= 1
        if deficit:
            staying = sorted(
                (key, slot) for slot, key in busy.items() if slot not in self.leaving[p]
            )
            for _, slot in staying[:deficit]:
                self.leaving[p].add(slot)

    def _records(self) -> ContactRecords:
        arrival = np.asarray(self.arrival, dtype=np.float64)
        start = np.asarray(self.start, dtype=np.float64)
        end = np.asarray(self.end, dtype=np.float64)
        pool = np.asarray(self.pool, dtype=np.int32)
        contained = np.asarray(self.contained, dtype=bool)
        duration = np.asarray(self.duration, dtype=np.float64)
        served = pool >= 0
        automated = np.isnan(start) & ~np.asarray(self.abandoned, dtype=bool)
        wait = np.where(served, start - arrival, np.where(automated, 0.0, end - arrival))
        handle = np.where(served | automated, duration, 0.0)
        return ContactRecords(
            id=np.arange(arrival.size, dtype=np.int64),
            type=np.asarray(self.ctype, dtype=np.int32),
            arrival=arrival,
            start=start,
            end=end,
            wait=wait,
            handle=handle,
            abandoned=np.asarray(self.abandoned, dtype=bool),
            contained=contained,
            pool=pool,
            server=np.asarray(self.server, dtype=np.int32),
            is_repeat=np.asarray(self.is_repeat, dtype=bool),
            repeat_of=np.asarray(self.repeat_of, dtype=np.int64),
            escalated_from=np.asarray(self.escalated_from, dtype=np.int64),
            type_names=tuple(t.name for t in self.model.contact_types),
            pool_names=tuple(p.name for p in self.model.pools),
        )
