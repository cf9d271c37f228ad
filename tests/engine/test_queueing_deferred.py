"""Deferred work: hand-worked schedules and properties (work conserved, deadlines kept)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.engine.queueing import deferred_agents

HOUR = 3600.0


def test_work_waits_until_it_falls_due() -> None:
    # half an agent-hour arrives at 0; a 4-hour window: one agent at hour 3 does it
    work = np.zeros(8)
    work[0] = 1800.0
    plan = deferred_agents(work, np.ones(8, dtype=bool), HOUR, 4 * HOUR)
    assert list(plan.agents) == [0, 0, 0, 1, 0, 0, 0, 0]
    assert plan.workload_seconds[3] == 1800.0 and plan.occupancy[3] == 0.5
    assert plan.late_seconds == 0.0


def test_spare_capacity_works_ahead_earliest_deadline_first() -> None:
    work = np.array([2700.0, 2700.0, 0, 0, 0, 0])
    plan = deferred_agents(work, np.ones(6, dtype=bool), HOUR, 2 * HOUR)
    # 2700 s due at hour 1 needs one agent, whose 900 s spare go to the next job (due hour 2)
    assert list(plan.agents) == [0, 1, 1, 0, 0, 0]
    assert list(plan.workload_seconds) == [0, 3600.0, 1800.0, 0, 0, 0]


def test_closed_intervals_move_the_deadline_earlier_or_make_work_late() -> None:
    is_open = np.array([True, True, False, False, True, True])
    work = np.array([0, 3600.0, 0, 0, 0, 0])
    plan = deferred_agents(work, is_open, HOUR, 3 * HOUR)
    assert list(plan.agents) == [0, 1, 0, 0, 0, 0]  # hours 2-3 closed: due at hour 1
    work = np.array([0, 0, 1800.0, 0, 0, 0])
    plan = deferred_agents(work, is_open, HOUR, 2 * HOUR)
    assert list(plan.agents) == [0, 0, 0, 0, 1, 0] and plan.late_seconds == 1800.0


def test_the_period_wraps_around() -> None:
    work = np.array([0, 0, 0, 3600.0])
    plan = deferred_agents(work, np.ones(4, dtype=bool), HOUR, 3 * HOUR)
    assert list(plan.agents) == [0, 1, 0, 0]  # due two hours into the next week


def test_occupancy_cap_adds_agents() -> None:
    plan = deferred_agents([3600.0, 0.0], [True, True], HOUR, HOUR, max_occupancy=0.8)
    assert list(plan.agents) == [2, 0]


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"work_seconds": [[1.0]]}, "work_seconds"),
    ({"open_intervals": [True]}, "open_intervals"),
    ({"open_intervals": [False, False]}, "open_intervals"),
    ({"interval_seconds": 0}, "interval_seconds"),
    ({"response_seconds": -1}, "response_seconds"),
    ({"max_occupancy": 1.5}, "max_occupancy"),
    ({"work_seconds": [-1.0, 0.0]}, "work_seconds"),
])
def test_bad_input_names_the_argument(kwargs: dict, name: str) -> None:
    args = {"work_seconds": [10.0, 0.0], "open_intervals": [True, True],
            "interval_seconds": HOUR, "response_seconds": HOUR} | kwargs
    with pytest.raises(ValueError, match=name):
        deferred_agents(**args)


@settings(max_examples=40)
@given(work=st.lists(st.sampled_from([0.0, 0.0, 300.0, 1234.5, 5000.0]), min_size=4,
                     max_size=30),
       pattern=st.lists(st.booleans(), min_size=1, max_size=6),
       window=st.integers(1, 6), occupancy=st.sampled_from([0.5, 0.85, 1.0]))
def test_work_is_conserved_and_done_by_its_deadline(work: list[float], pattern: list[bool],
                                                    window: int, occupancy: float) -> None:
    size = len(work)
    is_open = np.resize(np.array(pattern, dtype=bool), size)
    if not is_open.any():
        is_open[0] = True
    plan = deferred_agents(work, is_open, HOUR, window * HOUR, max_occupancy=occupancy)
    agents = np.asarray(plan.agents)
    done = np.asarray(plan.workload_seconds)
    assert done.sum() == pytest.approx(sum(work), rel=1e-9, abs=1e-6)
    assert (done <= agents * HOUR * occupancy + 1e-6).all()
    assert not agents[~is_open].any()
    # Replay the staffing week after week, serving jobs earliest deadline first: from the
    # third week on, every job whose window has an open interval is finished inside it.
    jobs: list[list[float]] = []  # [deadline, remaining, arrival]
    for t in range(5 * size):
        i = t % size
        if work[i] > 0:
            window_open = [j for j in range(t, t + window) if is_open[j % size]]
            if window_open:
                jobs.append([window_open[-1], work[i], t])
        room = agents[i] * HOUR * occupancy
        for job in sorted(jobs):
            taken = min(job[1], room)
            job[1] -= taken
            room -= taken
        for job in [j for j in jobs if j[1] <= 1e-6]:
            jobs.remove(job)
        overdue = [j for j in jobs if j[0] <= t and j[2] >= 2 * size]
        assert not overdue, f"unfinished by its deadline: {overdue}"
