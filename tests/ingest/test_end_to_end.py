"""After imports, metrics, queueing calibration, the overview snapshot and the optimiser run unaided."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from equipoise.analytics.backends import connect
from equipoise.analytics.snapshot import snapshot
from equipoise.ingest.service import run_import
from equipoise.ingest.synth import MAPPING, write_cdr_csv
from equipoise.planning.calibrate import calibrate_channel
from tests.ingest.conftest import SAMPLES, rows, scalar

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



# ---- every sample file of docs/import, then metrics, calibration and the optimiser, no other step ----

SAMPLE_IMPORTS = [
    ["cases", "cases.csv"], ["contacts", "contacts.csv"], ["surveys", "surveys.csv"],
    ["zendesk", "zendesk.json"], ["freshdesk", "freshdesk.csv"],
    ["events", "events.csv", "--mapping", "events.yaml"], ["cdr", "cdr.tsv", "--mapping", "cdr.yaml"],
]


def _cli(database_url, *args):
    from typer.testing import CliRunner

    from equipoise.interfaces.cli.main import app

    res = CliRunner().invoke(app, [*args, "--database-url", database_url])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_samples_feed_metrics_calibration_and_optimiser(engine, database_url):
    for kind, name, *rest in SAMPLE_IMPORTS:
        extra = [str(SAMPLES / r) if r.endswith(".yaml") else r for r in rest]
        body = _cli(database_url, "import", kind, str(SAMPLES / name), *extra, "--json")
        assert body["rejected"] == 0, (kind, body)

    # Metrics. CSAT answers in the samples: Zendesk good/bad (5, 1), Freshdesk "Extremely Happy"/"Neutral"
    # (5, 3), surveys.csv 5, 3, 2 (its fourth row is an NPS answer only): 3 of 7 are 4-5.
    report = _cli(database_url, "report", "--metrics", "csat,fcr,cases,contacts,survey_responses", "--json")[0]
    assert report["csat"] == pytest.approx(100 * 3 / 7)
    assert report["survey_responses"] == 8
    # FCR: of the 8 resolved ticket-shaped cases, K-1001 (an email, then a call) and T-502 (a second
    # message) took two customer contacts; K-1002, zendesk 3101 and 3103, freshdesk 4401 and 4402 and T-501
    # took one. The call records are 10 cases of one call each (no caller rings twice about one call
    # type); 8 resolved (answered or contained in the IVR, the two abandoned ones stay open), and of those
    # C240311-0001 is followed within the FCR window by another billing call of the shared anonymous
    # caller (C240312-0004): 7 first-contact resolutions.
    assert report["fcr"] == pytest.approx(100 * (6 + 7) / (8 + 8))
    assert (report["cases"], report["contacts"]) == (14 + 10, 16 + 10)
    assert scalar(engine, "SELECT count(*) FROM cases WHERE source = 'cdr' AND status = 'resolved'") == 8
    assert scalar(engine, "SELECT count(*) FROM contacts WHERE source = 'cdr' AND cost > 0") == 10
    assert report["cases"] == scalar(engine, "SELECT count(*) FROM cases")
    assert report["contacts"] == scalar(engine, "SELECT count(*) FROM contacts")

    # Queueing calibration of the phone queue: 3 calls from contacts.csv (M-4 abandoned after 165 s in the
    # queue), Zendesk's voice ticket, Freshdesk's phone ticket and the event log's T-503, and the 9 call
    # records that reached the queue (2 abandoned); the tenth ended in the IVR.
    cal = {c["channel"]: c for c in _cli(database_url, "calibrate", "--json")["channels"]}
    phone = cal["phone"]
    assert (phone["arrivals"], phone["queued"], phone["abandoned"]) == (6 + 9, 3 + 9, 1 + 2)
    assert cal["ivr"]["arrivals"] == 1
    assert phone["arrivals"] == scalar(engine, "SELECT count(*) FROM contacts c JOIN channels ch ON "
                                               "ch.id = c.channel_id WHERE ch.code = 'phone'")
    assert phone["service_time"]["n"] == phone["handled"] > 0

    # The optimiser: a feasible recommended policy over the imported issues, and today's state measured
    # from exactly the imported rows.
    opt = _cli(database_url, "optimize", "--format", "json")
    weeks = opt["window"]["weeks"]
    per_year = 365.25 / 7 / weeks
    assert opt["measured"]["issues_per_year"] == pytest.approx(24 * per_year)
    cost = scalar(engine, "SELECT sum(cost) FROM contacts WHERE direction = 'inbound'")
    assert opt["measured"]["contact_cost_per_year"] == pytest.approx(cost * per_year)
    assert opt["measured"]["csat_top2"] == pytest.approx(3 / 7) and opt["measured"]["survey_answers"] == 7
    mix = opt["recommended"]["policy"]["mix"]
    assert mix and all(sum(shares.values()) == pytest.approx(1.0) for shares in mix.values())
    assert opt["recommended"]["net_cost"] <= opt["current"]["net_cost"] + 1e-6
    assert opt["changes"] is not None and len(opt["frontier"]) >= 20

    from equipoise.planning.balance import build_model

    model = build_model(connect(database_url))
    # Today's volume in the model is the imported cases, per year, with the imported channel mix.
    assert model.problem.volume.sum() == pytest.approx(24 * per_year)
    issues_by_channel = dict(rows(engine, "SELECT ch.code, count(*) FROM cases k JOIN channels ch "
                                          "ON ch.id = k.channel_id GROUP BY ch.code"))
    codes = [c.code for c in model.problem.channels]
    current = (model.problem.current_share * model.problem.volume[:, :, None]).sum(axis=(0, 1)) / per_year
    assert {c: round(float(v), 9) for c, v in zip(codes, current, strict=True) if v > 0} == pytest.approx(
        {c: float(n) for c, n in issues_by_channel.items()})
