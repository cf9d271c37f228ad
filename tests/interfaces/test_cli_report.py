"""``equipoise report | scorecard | budget | diagnose`` through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from equipoise.interfaces.cli.report import app
from tests.analytics.factories import small_company

runner = CliRunner()


@pytest.fixture
def url(sqlite_url):
    small_company(sqlite_url)
    return sqlite_url


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_report_json_by_channel(url):
    out = run("report", "--period", "2026-10", "--by", "channel", "--metrics", "contacts,total_cost",
              "--json", "--database-url", url)
    rows = {r["channel"]: r for r in json.loads(out.stdout)}
    assert rows["phone"] == {"channel": "phone", "contacts": 7.0, "total_cost": pytest.approx(27.1)}


def test_report_csv_by_tier(url):
    out = run("report", "--period", "2026-10", "--by", "tier", "--metrics", "csat",
              "--format", "csv", "--database-url", url)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["tier"]: float(r["csat"]) for r in rows} == {"low": 50.0, "mid": 0.0, "top": 100.0}


def test_report_table_and_bad_metric(url):
    out = run("report", "--period", "2026-10", "--database-url", url)
    assert "KPIs 2026-10" in out.output
    bad = runner.invoke(app, ["report", "--metrics", "nope", "--database-url", url])
    assert bad.exit_code == 1 and "unknown slug 'nope'" in bad.output


def test_metrics_lists_the_registry():
    out = run("metrics", "--json")
    slugs = {m["slug"] for m in json.loads(out.stdout)}
    assert {"fcr", "csat", "occupancy", "cost_to_serve"} <= slugs


def test_scorecard_entity_and_all_teams(url):
    out = run("scorecard", "--entity", "team:t1", "--period", "2026-10", "--json",
              "--database-url", url)
    (res,) = json.loads(out.stdout)
    assert res["entity"] == "team:t1" and 1 <= res["total"] <= 5
    assert [d["key"] for d in res["dimensions"]][0] == "response_speed"
    many = json.loads(run("scorecard", "--entity", "team", "--period", "2026-10", "--json",
                          "--database-url", url).stdout)
    assert [r["entity"] for r in many] == ["team:t1", "team:t2"]
    table = run("scorecard", "--period", "2026-10", "--database-url", url)
    assert "Response speed" in table.output
    bad = runner.invoke(app, ["scorecard", "--entity", "team:nope", "--database-url", url])
    assert bad.exit_code == 1 and "no org unit with code 'nope'" in bad.output


def test_budget_json_and_warnings(url):
    out = run("budget", "--period", "2026-10", "--json", "--database-url", url)
    rep = json.loads(out.stdout)
    assert [n["unit"] for n in rep["nodes"]] == ["hq", "b1", "t1", "t2"]
    assert rep["warnings"][0]["unit"] == "b1"
    table = run("budget", "--period", "2026-10", "--database-url", url)
    assert "warning:" in table.output


def test_diagnose_json(url):
    out = run("diagnose", "--period", "2026-10", "--json", "--database-url", url)
    findings = json.loads(out.stdout)
    assert [f["question"] for f in findings] == [1, 2, 3, 4, 5, 6]
    text = run("diagnose", "--period", "2026-10", "--database-url", url)
    assert "6. Knowledge and self-service effectiveness" in text.output


def test_diagnose_gives_money_in_the_configured_currency(url, monkeypatch):
    from equipoise.config import get_settings

    monkeypatch.setenv("EQUIPOISE_CURRENCY", "EUR")
    get_settings.cache_clear()
    try:
        findings = json.loads(run("diagnose", "--period", "2026-10", "--json", "--database-url", url).stdout)
    finally:
        get_settings.cache_clear()
    headlines = " ".join(f["headline"] for f in findings)
    assert " EUR" in headlines and " USD" not in headlines
