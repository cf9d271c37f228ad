"""Business-time maths across weekends, holidays and pauses: hand-worked cases and a minute-by-minute oracle."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.core.sla.calendar import Calendar, add_business_seconds, business_seconds

H = 3600
D = dt.datetime
NINE_TO_FIVE = Calendar.from_mapping(
    {str(d): [[9, 17]] for d in range(5)}, holidays=[dt.date(2026, 4, 3), dt.date(2026, 4, 6)]
)  # Good Friday, Easter Monday
SPLIT = Calendar.from_mapping({"0": [[8, 12], [13, 17.5]], "2": [[10, 14]], "5": [[9, 12]]})


def test_hours_within_one_day_and_outside_hours():
    # Monday 2 March 2026
    assert business_seconds(NINE_TO_FIVE, D(2026, 3, 2, 10), D(2026, 3, 2, 12)) == 2 * H
    assert business_seconds(NINE_TO_FIVE, D(2026, 3, 2, 7), D(2026, 3, 2, 20)) == 8 * H
    assert business_seconds(NINE_TO_FIVE, D(2026, 3, 2, 18), D(2026, 3, 3, 8)) == 0


def test_friday_afternoon_to_monday_skips_the_weekend():
    fri_16 = D(2026, 3, 6, 16)
    assert business_seconds(NINE_TO_FIVE, fri_16, D(2026, 3, 9, 10)) == 2 * H
    # 4 business hours from Friday 16:00: 1 h on Friday, 3 h on Monday -> Monday 12:00
    assert add_business_seconds(NINE_TO_FIVE, fri_16, 4 * H) == D(2026, 3, 9, 12)
    # a target that ends exactly at closing time is due at closing time, not next morning
    assert add_business_seconds(NINE_TO_FIVE, fri_16, H) == D(2026, 3, 6, 17)
    # starting on Saturday: the clock starts Monday 09:00
    assert add_business_seconds(NINE_TO_FIVE, D(2026, 3, 7, 11), 30 * 60) == D(2026, 3, 9, 9, 30)


def test_easter_holidays_are_skipped():
    thu_15 = D(2026, 4, 2, 15)  # Thursday before Good Friday; Friday and Monday are holidays
    assert add_business_seconds(NINE_TO_FIVE, thu_15, 3 * H) == D(2026, 4, 7, 10)
    assert business_seconds(NINE_TO_FIVE, thu_15, D(2026, 4, 7, 10)) == 3 * H
    # a 40-hour (5-day) target from Thursday 09:00 crosses the long weekend: Thu, Tue, Wed, Thu, Fri
    assert add_business_seconds(NINE_TO_FIVE, D(2026, 4, 2, 9), 40 * H) == D(2026, 4, 10, 17)


def test_pauses_stop_the_clock():
    mon_9 = D(2026, 3, 2, 9)
    pauses = [(D(2026, 3, 2, 10), D(2026, 3, 2, 14))]  # paused 4 working hours
    assert business_seconds(NINE_TO_FIVE, mon_9, D(2026, 3, 2, 17), pauses) == 4 * H
    assert add_business_seconds(NINE_TO_FIVE, mon_9, 5 * H, pauses) == D(2026, 3, 3, 10)
    # a pause over the weekend costs nothing extra
    weekend = [(D(2026, 3, 6, 17), D(2026, 3, 9, 9))]
    assert add_business_seconds(NINE_TO_FIVE, D(2026, 3, 6, 16), 2 * H, weekend) == D(2026, 3, 9, 10)
    # an open-ended pause: the due time is unknown, the elapsed time stops at the pause
    open_pause = [(D(2026, 3, 2, 11), None)]
    assert add_business_seconds(NINE_TO_FIVE, mon_9, 5 * H, open_pause) is None
    assert add_business_seconds(NINE_TO_FIVE, mon_9, 2 * H, open_pause) == D(2026, 3, 2, 11)
    assert business_seconds(NINE_TO_FIVE, mon_9, D(2026, 3, 5, 12), open_pause) == 2 * H
    # overlapping pauses count once
    overlapping = [(D(2026, 3, 2, 10), D(2026, 3, 2, 12)), (D(2026, 3, 2, 11), D(2026, 3, 2, 13))]
    assert business_seconds(NINE_TO_FIVE, mon_9, D(2026, 3, 2, 17), overlapping) == 5 * H


def test_split_windows_and_half_hours():
    mon = D(2026, 3, 2, 0)
    assert business_seconds(SPLIT, mon, mon + dt.timedelta(days=7)) == (4 + 4.5 + 4 + 3) * H
    assert add_business_seconds(SPLIT, D(2026, 3, 2, 11), 2 * H) == D(2026, 3, 2, 14)
    # Monday 17:00-17:30 (0.5 h), Wednesday 10-14 (4 h), Saturday 09:00-09:30 (0.5 h)
    assert add_business_seconds(SPLIT, D(2026, 3, 2, 17), 5 * H) == D(2026, 3, 7, 9, 30)


def test_always_open_calendar_is_wall_time():
    cal = Calendar.always_open()
    start = D(2026, 3, 7, 22, 15)
    assert add_business_seconds(cal, start, 10 * H) == start + dt.timedelta(hours=10)
    assert business_seconds(cal, start, start + dt.timedelta(days=3)) == 72 * H


def test_invalid_calendars_and_arguments_are_rejected():
    with pytest.raises(ValueError, match="weekday 0"):
        Calendar.from_mapping({"0": [[17, 9]]})
    with pytest.raises(ValueError, match="weekday 1"):
        Calendar.from_mapping({"1": [[9, 13], [12, 17]]})
    with pytest.raises(ValueError, match="at least one weekday"):
        Calendar.from_mapping({})
    with pytest.raises(ValueError, match="seconds"):
        add_business_seconds(NINE_TO_FIVE, D(2026, 3, 2, 9), -1)
    with pytest.raises(ValueError, match="pause ends before"):
        business_seconds(NINE_TO_FIVE, D(2026, 3, 2, 9), D(2026, 3, 3, 9), [(D(2026, 3, 2, 12), D(2026, 3, 2, 11))])
    monday_only = Calendar.from_mapping(
        {"0": [[9, 17]]}, holidays=[dt.date(2026, 3, 2) + dt.timedelta(weeks=w) for w in range(600)]
    )
    with pytest.raises(ValueError, match="holidays"):
        add_business_seconds(monday_only, D(2026, 3, 2, 9), 60)


# --- oracle: count minutes one by one -------------------------------------------------------------

BASE = D(2026, 3, 30)  # Monday before Easter 2026
hours = st.sampled_from([x / 2 for x in range(49)])


@st.composite
def calendars(draw):
    weekly = {}
    for day in range(7):
        cuts = sorted(set(draw(st.lists(hours, max_size=4))))
        weekly[str(day)] = [[cuts[i], cuts[i + 1]] for i in range(0, len(cuts) - 1, 2)]
    if not any(weekly.values()):
        weekly["0"] = [[9, 17]]
    holidays = draw(st.sets(st.integers(0, 13).map(lambda k: (BASE + dt.timedelta(days=k)).date()), max_size=4))
    return Calendar.from_mapping(weekly, holidays)


minutes = st.integers(0, 14 * 24 * 60).map(lambda m: BASE + dt.timedelta(minutes=m))


@st.composite
def pause_lists(draw):
    out = []
    for _ in range(draw(st.integers(0, 3))):
        a = draw(minutes)
        out.append((a, a + dt.timedelta(minutes=draw(st.integers(0, 3000)))))
    return out


def _minute_open(cal: Calendar, t: dt.datetime, pauses) -> bool:
    if t.date() in cal.holidays or any(a <= t < b for a, b in pauses):
        return False
    h = t.hour + t.minute / 60
    return any(a <= h < b for a, b in cal.weekly[t.weekday()])


@settings(max_examples=40)
@given(calendars(), minutes, minutes, pause_lists())
def test_business_seconds_matches_minute_count(cal, a, b, pauses):
    start, end = min(a, b), max(a, b)
    n = int((end - start).total_seconds() // 60)
    expected = sum(_minute_open(cal, start + dt.timedelta(minutes=i), pauses) for i in range(n)) * 60
    assert business_seconds(cal, start, end, pauses) == expected


@settings(max_examples=40)
@given(calendars(), minutes, st.integers(1, 3000), pause_lists())
def test_add_business_seconds_is_the_earliest_inverse(cal, start, target_minutes, pauses):
    seconds = target_minutes * 60
    due = add_business_seconds(cal, start, seconds, pauses)
    assert due is not None
    assert business_seconds(cal, start, due, pauses) == seconds
    # one minute earlier is not enough: the due time is the earliest such instant
    assert business_seconds(cal, start, due - dt.timedelta(minutes=1), pauses) < seconds
    assert _minute_open(cal, due - dt.timedelta(minutes=1), pauses)
