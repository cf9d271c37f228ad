"""Channel calibration, forecast and backtest read from a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from equipoise.db.engine import make_engine, session_scope
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.planning.calibrate import backtest_channel, calibrate_channel, forecast_channel
from tests.planning.factories import make_channel, make_contact, make_refs

MONDAY = dt.datetime(2024, 3, 4)
MU, SIGMA, PATIENCE, MEAN_OFFERED_WAIT = 5.3, 0.5, 90.0, 60.0


def _draw_history(rng: np.random.Generator, weeks: int):
    """Poisson arrivals Mon-Fri 08:00-18:00, lognormal handle times, exponential patience."""
    rows = []
    for day in range(7 * weeks):
        if day % 7 >= 5:
            continue
        for slot in range(16, 36):  # half-hours from 08:00 to 18:00
            start = MONDAY + dt.timedelta(days=day, minutes=30 * slot)
            for _ in range(rng.poisson(3.0 if slot < 24 else 1.5)):
                arrived = start + dt.timedelta(seconds=int(rng.integers(0, 1800)))
                offered = rng.exponential(MEAN_OFFERED_WAIT)
                patience = rng.exponential(PATIENCE)
                handle = float(np.round(rng.lognormal(MU, SIGMA), 3))
                wait = float(np.round(min(offered, patience), 3))
                rows.append((arrived, wait, handle, bool(patience < offered)))
    return rows


@pytest.fixture
def loaded(database_url):
    rng = np.random.default_rng(20240304)
    rows = _draw_history(rng, weeks=4)
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        refs = make_refs(s)
        phone = make_channel(s, "phone")
        make_channel(s, "ivr", staffed=False)
        make_channel(s, "email")
        for arrived, wait, handle, abandoned in rows:
            make_contact(s, refs, phone, arrived, wait=wait, handle=handle, abandoned=abandoned)
    yield engine, rows
    engine.dispose()


def test_calibration_recovers_the_truth_and_matches_the_engine_exactly(loaded):
    engine, rows = loaded
    cal = calibrate_channel(engine, "phone", MONDAY.date(), MONDAY.date() + dt.timedelta(weeks=4))
    waits = np.array([r[1] for r in rows])
    abandoned = np.array([r[3] for r in rows])
    handles = np.array([r[2] for r in rows if not r[3]])
    assert cal.arrivals == len(rows) and cal.queued == len(rows)
    assert cal.handled == handles.size and cal.abandoned == abandoned.sum()
    # Exact oracles: the same numbers computed straight from the drawn data.
    assert cal.patience_censored.theta == pytest.approx(abandoned.sum() / waits.sum(), rel=1e-12)
    assert cal.patience_abandonment.theta_ratio == pytest.approx(cal.patience_censored.theta)
    assert cal.service_time.get("lognormal").params["mu"] == pytest.approx(np.log(handles).mean())
    # Recovery of the truth within sampling error.
    n, d = handles.size, int(abandoned.sum())
    assert cal.service_time.best.name == "lognormal"
    assert abs(cal.service_time.best.params["mu"] - MU) < 4 * SIGMA / math.sqrt(n)
    assert abs(cal.service_time.best.params["sigma"] - SIGMA) < 4 * SIGMA / math.sqrt(2 * n)
    theta = 1 / PATIENCE
    assert abs(cal.patience_censored.theta - theta) < 4 * theta / math.sqrt(d)
    # The regression pools each half-hour of the week over the 4 weeks (about 8 contacts a point)
    # and is biased by n / (n + 1) (exponential offered waits); its sd is ~1.15 x the MLE's.
    pa = cal.patience_abandonment
    per_point = pa.offered / pa.n_intervals
    assert 6 < per_point < 12 and pa.n_intervals == 100
    expected = theta * per_point / (per_point + 1)
    assert abs(pa.theta_regression - expected) < 5 * theta / math.sqrt(d)
    by_day = cal.arrival_profile.by_day()
    assert np.all(by_day[5:] == 0) and np.all(by_day[:5, :16] == 0)
    assert abs(by_day[:5, 16:24].mean() - 3.0) < 4 * math.sqrt(3.0 / (5 * 8 * 4))
    summary = cal.summary()
    assert summary["service_time"]["best"] == "lognormal"
    assert summary["arrival_profile"]["open_slots"] == 100
    assert cal.notes == ()


def test_channels_without_queue_or_contacts_are_reported_not_fitted(loaded):
    engine, _ = loaded
    cal = calibrate_channel(engine, "ivr", MONDAY, MONDAY + dt.timedelta(weeks=1))
    assert cal.service_time is None and cal.patience_censored is None
    assert len(cal.notes) == 2 and cal.arrivals == 0
    assert cal.summary()["arrival_profile"]["dispersion"] is None
    with pytest.raises(NotFound):
        calibrate_channel(engine, "fax", MONDAY, MONDAY + dt.timedelta(weeks=1))
    with pytest.raises(InvalidInput, match="no inbound contacts"):
        forecast_channel(engine, "email", 30, 4, MONDAY + dt.timedelta(weeks=4), 7)


def test_forecast_and_backtest_on_drawn_history(loaded):
    engine, rows = loaded
    fc = forecast_channel(engine, "phone", 30, 8, MONDAY + dt.timedelta(weeks=4), 7, trend="none")
    # History is cut to the first arrival day: 4 weeks, not 8.
    assert fc.history_start == MONDAY and fc.model.n_weeks == 4
    assert fc.timestamps.size == 7 * 48
    assert fc.expected.sum() == pytest.approx(len(rows) / 4)
    assert np.all(fc.expected.reshape(7, 48)[5:] == 0)
    assert list(fc.to_frame().columns) == ["interval_start", "expected"]
    bt = backtest_channel(engine, "phone", 30, 3, trend="none", end=MONDAY + dt.timedelta(weeks=4))
    assert bt.window_start == MONDAY and bt.result.history_weeks == 3
    # About 2.1 arrivals in an open half-hour: Poisson alone gives WAPE ~ E|X - lam| / lam.
    lam = np.where(np.arange(20) < 8, 3.0, 1.5)
    floor = np.sum(np.sqrt(2 * lam / np.pi)) / lam.sum()
    # Shares estimated from 3 weeks inflate it by about sqrt(1 + 1/3).
    assert 0.8 * floor < bt.result.wape < 1.4 * floor
    # By default the history ends at the midnight after the last arrival (a Friday here).
    default = backtest_channel(engine, "phone", 30, 2)
    assert default.window_end == MONDAY + dt.timedelta(days=26)
    with pytest.raises(InvalidInput, match="this backtest needs 5"):
        backtest_channel(engine, "phone", 30, 2, horizon_weeks=4)
    with pytest.raises(InvalidInput, match="at least 7"):
        forecast_channel(engine, "phone", 30, 4, MONDAY + dt.timedelta(days=5), 7)
    with pytest.raises(InvalidInput, match="horizon_days"):
        forecast_channel(engine, "phone", 30, 4, MONDAY + dt.timedelta(weeks=4), 0)


def test_regular_history_is_forecast_exactly(sqlite_url):
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        refs = make_refs(s)
        chat = make_channel(s, "chat")
        for day in range(21):
            if day % 7 < 5:
                base = MONDAY + dt.timedelta(days=day)
                for minute in (540, 545, 600):  # two at 09:00-09:15, one at 10:00
                    make_contact(s, refs, chat, base + dt.timedelta(minutes=minute), wait=5)
    fc = forecast_channel(engine, "chat", 15, 3, MONDAY + dt.timedelta(weeks=3), 2, trend="linear")
    nonzero = {str(fc.timestamps[i])[11:16]: fc.expected[i] for i in np.flatnonzero(fc.expected)}
    assert nonzero == pytest.approx({"09:00": 2.0, "10:00": 1.0})
    assert np.count_nonzero(fc.expected) == 4  # two days x two intervals
    bt = backtest_channel(engine, "chat", 60, 2, origins=1)
    assert bt.result.wape == pytest.approx(0.0, abs=1e-12)
    assert bt.result.bias == pytest.approx(0.0, abs=1e-12)
    engine.dispose()
