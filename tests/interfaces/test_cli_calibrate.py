"""``equipoise calibrate`` / ``equipoise forecast`` against a real SQLite file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.cli.calibrate import app
from tests.planning.factories import make_channel, make_contact, make_refs

runner = CliRunner()
MONDAY = dt.datetime(2024, 3, 4)


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    from tests.dbutil import fresh_sqlite

    with fresh_sqlite(tmp_path_factory.mktemp("cli")) as db_url:
        rng = np.random.default_rng(1)
        engine = make_engine(db_url)
        with session_scope(engine) as s:
            refs = make_refs(s)
            phone = make_channel(s, "phone")
            make_channel(s, "email")
            for day in range(21):
                if day % 7 >= 5:
                    continue
                for slot in range(18, 34):
                    for _ in range(rng.poisson(2.0)):
                        minute = 30 * slot + int(rng.integers(30))
                        arrived = MONDAY + dt.timedelta(days=day, minutes=minute)
                        make_contact(s, refs, phone, arrived, wait=float(rng.exponential(30)),
                                     handle=float(rng.lognormal(5, 0.4)),
                                     abandoned=bool(rng.random() < 0.1))
        engine.dispose()
        yield db_url


def test_calibrate_json(url):
    args = ["calibrate", "--channel", "phone", "--database-url", url, "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    (phone,) = payload["channels"]
    assert phone["channel"] == "phone" and phone["start"] == "2024-03-04T00:00:00"
    assert phone["end"] == "2024-03-23T00:00:00"  # last contact on Friday 22nd, end inclusive
    assert phone["service_time"]["best"] in ("lognormal", "gamma", "exponential")
    assert {c["name"] for c in phone["service_time"]["candidates"]} == {"lognormal", "gamma",
                                                                        "exponential"}
    assert phone["patience_censored"]["theta_per_second"] > 0
    assert phone["arrival_profile"]["open_slots"] == 5 * 16


def test_calibrate_table_all_channels(url):
    result = runner.invoke(app, ["calibrate", "--database-url", url, "--start", "2024-03-04",
                                 "--end", "2024-03-10"])
    assert result.exit_code == 0, result.output
    assert "phone" in result.stdout and "Channel calibration" in result.stdout
    assert "email" in result.output  # no contacts: named on stderr


def test_forecast_csv_and_json_with_backtest(url):
    result = runner.invoke(app, ["forecast", "--channel", "phone", "--interval", "60",
                                 "--weeks-history", "2", "--horizon-days", "3", "--format", "csv",
                                 "--database-url", url])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["channel", "interval_start", "expected_arrivals"]
    assert len(rows) == 1 + 3 * 24
    assert rows[1][1] == "2024-03-23 00:00"  # the day after the last contact
    result = runner.invoke(app, ["forecast", "-c", "phone", "--backtest", "--weeks-history", "2",
                                 "--database-url", url, "--json"])
    assert result.exit_code == 0, result.output
    (phone,) = json.loads(result.stdout)["channels"]
    assert len(phone["forecast"]) == 7 * 48
    assert 0 < phone["backtest"]["wape"] < 1.5
    assert 0 < phone["backtest"]["noise_floor"] < 1.5
    assert phone["model"]["weeks"] == 2
    table = runner.invoke(app, ["forecast", "-c", "phone", "--backtest", "--weeks-history", "2",
                                "--database-url", url])
    assert table.exit_code == 0, table.output
    assert "WAPE" in table.stdout and "phone: arrivals per 30 min" in table.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [(["calibrate", "-c", "fax"], 1, "no channel with code 'fax'"),
     (["forecast", "-c", "phone", "--format", "xml"], 2, "--format must be"),
     (["forecast", "-c", "phone", "--start", "03/04/2024"], 2, "--start must be a date"),
     (["forecast", "-c", "email"], 1, "no inbound contacts"),
     (["forecast", "-c", "phone", "--interval", "7"], 1, "interval_minutes")],
)
def test_errors_are_reported(url, args, code, message):
    result = runner.invoke(app, [*args, "--database-url", url])
    assert result.exit_code == code
    assert message in result.output
