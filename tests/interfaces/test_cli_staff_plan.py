"""``equipoise staff plan`` through Typer's test runner, on the small demo company."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from equipoise.interfaces.cli.staff import app, parse_sl

runner = CliRunner()


def _plan(url: str, *args: str):
    return runner.invoke(app, ["plan", "--database-url", url, *args])


def test_json_plan_for_the_week_after_the_history(demo_url) -> None:
    result = _plan(demo_url, "--channel", "phone", "--sl", "80/20", "--interval", "30", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["channel_code"] == "phone" and out["method"] == "erlang_a"
    assert out["target_sl"] == 0.8 and out["target_seconds"] == 20.0
    assert out["shrinkage"] == 0.3 and len(out["intervals"]) == 7 * 48
    staffed = [r for r in out["intervals"] if r["required_agents"] > 0]
    assert staffed and all(r["service_level"] >= 0.8 for r in staffed if r["forecast_calls"])
    assert out["totals"]["agent_hours"] == sum(r["scheduled_agents"] for r in out["intervals"]) / 2
    assert out["totals"]["actual_calls"] is None  # a future week


def test_csv_of_a_past_week_carries_actuals(demo_url) -> None:
    first = json.loads(_plan(demo_url, "--channel", "chat", "--format", "json").stdout)
    iso = (dt.datetime.fromisoformat(first["week_start"]) - dt.timedelta(days=14)).isocalendar()
    past = f"{iso.year}-W{iso.week:02d}"
    result = _plan(demo_url, "--channel", "chat", "--week", past, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 7 * 48
    assert rows[0]["start"].endswith("T00:00:00")
    assert sum(int(r["actual_calls"]) for r in rows) > 0
    assert any(float(r["actual_scheduled"]) > 0 for r in rows)
    assert set(rows[0]) >= {"forecast_calls", "aht_seconds", "required_agents", "occupancy"}


def test_table_for_deferred_email(demo_url) -> None:
    result = _plan(demo_url, "--channel", "email", "--shrinkage", "0.25")
    assert result.exit_code == 0, result.output
    assert "deferred work" in result.stdout and "Week totals" in result.stdout
    assert "scheduled agent hours" in result.stdout and "shrinkage 25%" in result.stdout


@pytest.mark.parametrize(("args", "message", "code"), [
    (["--channel", "phone", "--sl", "eighty"], "--sl", 2),
    (["--channel", "phone", "--week", "2026-44"], "ISO week", 2),
    (["--channel", "phone", "--format", "xml"], "--format", 2),
    (["--channel", "fax"], "no channel with code 'fax'", 1),
    (["--channel", "ivr"], "automated", 1),
    (["--channel", "phone", "--week", "2001-W01"], "at least one week", 1),
])
def test_bad_options_are_explained(demo_url, args: list[str], message: str, code: int) -> None:
    result = _plan(demo_url, *args)
    assert result.exit_code == code
    assert message in " ".join(result.output.split())


def test_parse_sl() -> None:
    assert parse_sl("80/20") == (0.8, 20.0)
    assert parse_sl("0.9/30") == (0.9, 30.0)
    assert parse_sl("85") == (0.85, None)
    for bad in ("80/", "100/20", "0/20", "80/-5", "x/20"):
        with pytest.raises(ValueError, match="--sl"):
            parse_sl(bad)


def test_erlang_still_works() -> None:
    result = runner.invoke(app, ["erlang", "--calls", "100", "--aht-seconds", "180", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["agents"] == 14
