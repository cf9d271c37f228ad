"""Reading contact history: zero-filled arrival grids, handle times, queue outcomes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from equipoise.db.engine import make_engine, session_scope
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.planning import history
from tests.planning.factories import make_channel, make_contact, make_refs

D = dt.datetime


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    with session_scope(eng) as s:
        refs = make_refs(s)
        phone, chat = make_channel(s, "phone"), make_channel(s, "chat")
        make_channel(s, "ivr", staffed=False)
        add = make_contact
        add(s, refs, phone, D(2024, 1, 1, 9, 0), wait=10, handle=200)
        add(s, refs, phone, D(2024, 1, 1, 9, 14, 59, 999000), wait=20, handle=400)  # same bucket
        add(s, refs, phone, D(2024, 1, 1, 9, 15), wait=40, abandoned=True)
        add(s, refs, phone, D(2024, 1, 1, 9, 45, 30), wait=5, handle=100, kind="retry")
        add(s, refs, phone, D(2024, 1, 2, 10, 0), wait=0, handle=250)
        add(s, refs, phone, D(2024, 1, 2, 10, 5), handle=90, direction="outbound")  # not an arrival
        add(s, refs, phone, D(2024, 1, 3, 11, 0), handle=60, queued=False)  # never queued
        add(s, refs, phone, D(2023, 12, 31, 23, 59, 59), wait=3)  # before the window
        add(s, refs, phone, D(2024, 1, 8, 0, 0), wait=3)  # end is exclusive
        add(s, refs, chat, D(2024, 1, 1, 9, 20), wait=7, handle=600)
    yield eng
    eng.dispose()


def test_arrival_counts_zero_filled_grid(engine):
    series = history.arrival_counts(engine, "phone", dt.date(2024, 1, 1), dt.date(2024, 1, 8), 15)
    assert series.timestamps.size == 7 * 96
    assert series.timestamps[0] == np.datetime64("2024-01-01T00:00")
    nonzero = {str(series.timestamps[i]): series.counts[i] for i in np.flatnonzero(series.counts)}
    assert nonzero == {"2024-01-01T09:00": 2, "2024-01-01T09:15": 1, "2024-01-01T09:45": 1,
                       "2024-01-02T10:00": 1, "2024-01-03T11:00": 1}
    hourly = history.arrival_counts(engine, "phone", D(2024, 1, 1, 9), D(2024, 1, 1, 11), 60)
    assert hourly.counts.tolist() == [4, 0]
    frame = hourly.to_frame()
    assert list(frame.columns) == ["interval_start", "arrivals"]


def test_arrival_counts_by_channel(engine):
    frame = history.arrival_counts_by_channel(engine, D(2024, 1, 1), D(2024, 1, 2), 30)
    assert list(frame.columns) == ["chat", "ivr", "phone"]
    assert frame.shape == (48, 3)
    assert frame.loc["2024-01-01 09:00", "phone"] == 3
    assert frame.loc["2024-01-01 09:00", "chat"] == 1
    assert int(frame["ivr"].sum()) == 0 and int(frame["phone"].sum()) == 4
    only = history.arrival_counts_by_channel(engine, D(2024, 1, 1), D(2024, 1, 2), 30, ["chat"])
    assert list(only.columns) == ["chat"]


def test_handle_times_and_queue_outcomes(engine):
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 8)
    handles = history.handle_times(engine, "phone", start, end)
    assert sorted(handles.tolist()) == [60, 100, 200, 250, 400]
    queue = history.queue_outcomes(engine, "phone", start, end)
    assert len(queue) == 5
    assert queue.wait_seconds.tolist() == [10, 20, 40, 5, 0]
    assert queue.abandoned.tolist() == [False, False, True, False, False]
    assert queue.arrived_at[1] == np.datetime64("2024-01-01T09:14:59")
    assert len(history.queue_outcomes(engine, "ivr", start, end)) == 0


def test_arrival_span_and_codes(engine):
    assert history.arrival_span(engine, "phone") == (D(2023, 12, 31, 23, 59, 59), D(2024, 1, 8))
    assert history.arrival_span(engine, "ivr") is None
    assert history.channel_codes(engine) == ["chat", "ivr", "phone"]


def test_errors_name_the_field(engine):
    with pytest.raises(NotFound, match="known: chat, ivr, phone"):
        history.arrival_counts(engine, "fax", D(2024, 1, 1), D(2024, 1, 2), 30)
    with pytest.raises(InvalidInput, match="end"):
        history.handle_times(engine, "phone", D(2024, 1, 2), D(2024, 1, 1))
    with pytest.raises(InvalidInput, match="start: expected a multiple of 30"):
        history.arrival_counts(engine, "phone", D(2024, 1, 1, 9, 10), D(2024, 1, 2), 30)
