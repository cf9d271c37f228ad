"""SLA outcomes of imported cases against a brute-force count of business minutes (an independent oracle)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from equipoise.core.sla.calendar import Calendar
from equipoise.core.sla.clock import sla_state
from equipoise.ingest.business_time import FIRST_RESPONSE_SECONDS, RESOLUTION_SECONDS, PolicyTerms, SlaPolicies
from equipoise.ingest.dims import ChannelInfo

EMAIL = ChannelInfo(id=3, code="email", staffed=True, concurrency=1.0, tech_cost=0.0)
START = dt.datetime(2024, 3, 4)  # a Monday
HOLIDAY = dt.date(2024, 3, 11)
OFFICE = Calendar.from_mapping({str(d): [[9, 17]] for d in range(5)}, [HOLIDAY])
POLICY = PolicyTerms(1, None, None, None, 7, 4 * 3600.0, 16 * 3600.0, ("pending",))
AS_OF = dt.datetime(2024, 6, 1)
minutes = st.integers(min_value=0, max_value=21 * 24 * 60)


def _business_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Minutes between start and end falling Monday-Friday 09:00-17:00, not on the holiday."""
    n, t = 0, start
    while t < end:
        if t.weekday() < 5 and t.date() != HOLIDAY and 9 <= t.hour < 17:
            n += 1
        t += dt.timedelta(minutes=1)
    return n


@given(minutes, minutes, minutes)
def test_business_calendar_matches_a_minute_count(opened, to_first, to_resolved):
    opened_at = START + dt.timedelta(minutes=opened)
    first = opened_at + dt.timedelta(minutes=to_first // 4)
    resolved = first + dt.timedelta(minutes=to_resolved // 2)
    out = SlaPolicies.of([POLICY], {7: OFFICE}).outcome(
        channel=EMAIL, tier="mid", priority="normal", opened_at=opened_at, first_response_at=first,
        resolved_at=resolved, status_changes=[], as_of=AS_OF)
    assert out.policy_id == 1
    assert out.first_response_met == (_business_minutes(opened_at, first) <= 4 * 60)
    assert out.resolution_met == (_business_minutes(opened_at, resolved) <= 16 * 60)
    # The due time is the instant the 4th business hour ends.
    assert _business_minutes(opened_at, out.first_response_due_at) == 4 * 60
    assert OFFICE.weekly[out.first_response_due_at.weekday()] and out.first_response_due_at.date() != HOLIDAY


@given(minutes, minutes, minutes)
def test_pending_time_is_not_counted(opened, paused_after, pause_minutes):
    opened_at = START + dt.timedelta(minutes=opened)
    pause = opened_at + dt.timedelta(minutes=paused_after // 8)
    resume = pause + dt.timedelta(minutes=pause_minutes // 4)
    resolved = resume + dt.timedelta(hours=3)
    changes = [(opened_at, "open"), (pause, "pending"), (resume, "open"), (resolved, "solved")]
    out = SlaPolicies.of([POLICY], {7: OFFICE}).outcome(
        channel=EMAIL, tier=None, priority="high", opened_at=opened_at, first_response_at=None,
        resolved_at=resolved, status_changes=changes, as_of=AS_OF)
    counted = _business_minutes(opened_at, resolved) - _business_minutes(pause, resume)
    assert out.resolution_met == (counted <= 16 * 60)


@given(minutes, minutes, st.sampled_from(sorted(RESOLUTION_SECONDS)))
def test_without_a_policy_builtin_targets_run_around_the_clock(opened, to_first, prio):
    opened_at = START + dt.timedelta(minutes=opened)
    first = opened_at + dt.timedelta(minutes=to_first // 8)
    out = SlaPolicies.of([], {}).outcome(channel=EMAIL, tier="mid", priority=prio, opened_at=opened_at,
                                         first_response_at=first, resolved_at=None, status_changes=[],
                                         as_of=AS_OF)
    target = FIRST_RESPONSE_SECONDS["email"]
    assert out.policy_id is None
    assert out.first_response_met == ((first - opened_at).total_seconds() <= target)
    assert out.first_response_due_at == opened_at + dt.timedelta(seconds=target)
    assert out.resolution_due_at == opened_at + dt.timedelta(seconds=RESOLUTION_SECONDS[prio])
    # Unresolved at AS_OF, months later: breached, so stored as not met.
    assert out.resolution_met is False


@given(minutes, st.integers(min_value=0, max_value=7 * 24 * 60), st.integers(min_value=0, max_value=3 * 24 * 60),
       st.integers(min_value=0, max_value=3 * 24 * 60), st.booleans())
def test_running_targets_judged_like_the_engine(opened, later, pause_after, pause_len, open_ended):
    """Unfinished cases: due time and breach (stored as met = False) exactly as the engine's clock has them."""
    opened_at = START + dt.timedelta(minutes=opened)
    as_of = opened_at + dt.timedelta(minutes=later)
    pause = opened_at + dt.timedelta(minutes=pause_after)
    resume = pause + dt.timedelta(minutes=pause_len)
    changes = [(opened_at, "open"), (pause, "pending")] + ([] if open_ended else [(resume, "open")])
    out = SlaPolicies.of([POLICY], {7: OFFICE}).outcome(
        channel=EMAIL, tier=None, priority="normal", opened_at=opened_at, first_response_at=None,
        resolved_at=None, status_changes=changes, as_of=as_of)
    pauses = [(pause, None if open_ended else resume)]
    state = sla_state(calendar=OFFICE, opened_at=opened_at, now=as_of, first_response_seconds=4 * 3600.0,
                      resolution_seconds=16 * 3600.0, first_response_at=None, resolved_at=None, pauses=pauses)
    for target, met, due in ((state.first_response, out.first_response_met, out.first_response_due_at),
                             (state.resolution, out.resolution_met, out.resolution_due_at)):
        assert due == target.due_at
        assert met == (False if target.breached else None)
