"""SLA state of a case: due times, met/breached, warnings and pauses from the status history."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from equipoise.core.sla.calendar import Calendar
from equipoise.core.sla.clock import pause_intervals, sla_state, target_state
from equipoise.core.sla.policy import match_policy

H = 3600
D = dt.datetime
CAL = Calendar.from_mapping({str(d): [[9, 17]] for d in range(5)}, holidays=[dt.date(2026, 4, 3)])
FRI_16 = D(2026, 3, 6, 16)


def test_running_target_warns_then_breaches():
    common = {"calendar": CAL, "opened_at": FRI_16, "target_seconds": 4 * H, "done_at": None}
    early = target_state(now=D(2026, 3, 9, 9, 30), **common)  # 1.5 h used
    assert (early.elapsed_seconds, early.remaining_seconds, early.due_at) == (1.5 * H, 2.5 * H, D(2026, 3, 9, 12))
    assert not early.warning and not early.breached and early.met is None
    late = target_state(now=D(2026, 3, 9, 11, 30), **common)  # 3.5 h used >= 80 % of 4 h
    assert late.warning and not late.breached
    over = target_state(now=D(2026, 3, 9, 12, 1), **common)
    assert over.breached and not over.warning and over.remaining_seconds == 0
    # the weekend passes without using the clock
    weekend = target_state(now=D(2026, 3, 8, 23), **common)
    assert weekend.elapsed_seconds == H and not weekend.warning


def test_done_targets_are_met_or_breached_for_good():
    common = {"calendar": CAL, "opened_at": FRI_16, "target_seconds": 4 * H, "now": D(2026, 3, 20)}
    exactly = target_state(done_at=D(2026, 3, 9, 12), **common)
    assert exactly.met is True and not exactly.breached and not exactly.warning
    late = target_state(done_at=D(2026, 3, 9, 12, 0, 1), **common)
    assert late.met is False and late.breached


def test_status_history_pauses_the_clock():
    history = [
        (D(2026, 3, 2, 9), "new"),
        (D(2026, 3, 2, 10), "pending_customer"),
        (D(2026, 3, 2, 11), "on_hold"),
        (D(2026, 3, 2, 13), "open"),
        (D(2026, 3, 3, 9), "on_hold"),
    ]
    pauses = pause_intervals(history, {"pending_customer", "on_hold"})
    assert pauses == [(D(2026, 3, 2, 10), D(2026, 3, 2, 13)), (D(2026, 3, 3, 9), None)]
    state = sla_state(
        calendar=CAL,
        opened_at=D(2026, 3, 2, 9),
        now=D(2026, 3, 5, 12),
        first_response_seconds=H,
        resolution_seconds=8 * H,
        first_response_at=D(2026, 3, 2, 9, 30),
        resolved_at=None,
        pauses=pauses,
    )
    assert state.first_response.met is True
    res = state.resolution
    # 1 h before the first pause, 4 h after it on Monday; frozen since Tuesday 09:00
    assert res.elapsed_seconds == 5 * H and res.paused and res.due_at is None and not res.breached
    resumed = pauses[:-1] + [(D(2026, 3, 3, 9), D(2026, 3, 4, 9))]
    state = sla_state(
        calendar=CAL,
        opened_at=D(2026, 3, 2, 9),
        now=D(2026, 3, 4, 10, 30),
        first_response_seconds=H,
        resolution_seconds=8 * H,
        first_response_at=None,
        resolved_at=None,
        pauses=resumed,
    )
    assert state.resolution.elapsed_seconds == 6.5 * H  # 81 % of the target: a warning
    assert state.resolution.due_at == D(2026, 3, 4, 12) and state.resolution.warning
    assert state.first_response.breached and state.breached


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="target_seconds"):
        target_state(calendar=CAL, opened_at=FRI_16, now=FRI_16, target_seconds=-1, done_at=None)
    with pytest.raises(ValueError, match="warn_at"):
        target_state(calendar=CAL, opened_at=FRI_16, now=FRI_16, target_seconds=1, done_at=None, warn_at=0)


def test_most_specific_policy_wins():
    p = [
        SimpleNamespace(id=1, channel_id=None, tier=None, priority=None),
        SimpleNamespace(id=2, channel_id=None, tier="top", priority=None),
        SimpleNamespace(id=3, channel_id=7, tier=None, priority=None),
        SimpleNamespace(id=4, channel_id=None, tier="top", priority="urgent"),
        SimpleNamespace(id=5, channel_id=8, tier="low", priority="low"),
    ]
    assert match_policy(p, channel_id=1, tier="mid", priority="low").id == 1
    assert match_policy(p, channel_id=1, tier="top", priority="low").id == 2
    assert match_policy(p, channel_id=7, tier="top", priority="low").id == 3  # channel beats tier on a tie
    assert match_policy(p, channel_id=7, tier="top", priority="urgent").id == 4
    assert match_policy(p[4:], channel_id=1, tier="low", priority="low") is None
