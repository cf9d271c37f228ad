"""After a call-record import, queueing calibration and the overview snapshot run unaided."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from equipoise.analytics.backends import connect
from equipoise.analytics.snapshot import snapshot
from equipoise.ingest.service import run_import
from equipoise.ingest.synth import MAPPING, write_cdr_csv
from equipoise.planning.calibrate import calibrate_channel
from tests.ingest.conftest import scalar

ROWS = 12_000


@pytest.fixture
def imported(engine, tmp_path):
    path, mapping = tmp_path / "calls.csv", tmp_path / "map.yaml"
    write_cdr_csv(path, ROWS, np.random.default_rng(3), start=dt.date(2024, 1, 1), days=28)
    mapping.write_text(MAPPING)
    summary = run_import(engine, "cdr", path, mapping)
    assert (summary.imported, summary.rejected) == (ROWS, 0)
    return engine


def test_calibration_runs_on_imported_calls(imported):
    phone = scalar(imported, "SELECT count(*) FROM contacts c JOIN channels ch ON ch.id = c.channel_id "
                             "WHERE ch.code = 'phone'")
    cal = calibrate_channel(imported, "phone", dt.date(2024, 1, 1), dt.date(2024, 1, 29))
    assert cal.arrivals == phone and cal.queued == phone
    assert cal.abandoned == scalar(imported, "SELECT count(*) FROM contacts WHERE abandoned "
                                             "AND queued_at IS NOT NULL")
    assert cal.service_time is not None and cal.patience_censored is not None
    # The file's talk times are lognormal(5.3, 0.6) whole seconds: the fit finds them.
    assert cal.service_time.best.name == "lognormal"
    assert cal.service_time.sample_mean == pytest.approx(np.exp(5.3 + 0.18), rel=0.05)
    # Patience is exponential with mean 200 s (censored by the wait): the MLE lands near it.
    assert cal.patience_censored.mean_patience_seconds == pytest.approx(200, rel=0.2)


def test_snapshot_runs_on_imported_calls(imported, database_url):
    con = connect(database_url)
    snap = snapshot(con)
    assert snap.totals["contacts"] == ROWS
    assert snap.totals["cost"] == pytest.approx(scalar(imported, "SELECT sum(cost) FROM contacts"), abs=0.05)
    by_code = {r["code"]: r for r in snap.by_channel}
    assert by_code["ivr"]["contacts"] + by_code["phone"]["contacts"] == ROWS
    assert by_code["phone"]["abandon_rate"] > 0

