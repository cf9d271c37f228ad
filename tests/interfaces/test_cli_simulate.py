"""``equipoise simulate`` through Typer's test runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from equipoise.interfaces.cli.simulate import app

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_summary_has_confidence_intervals() -> None:
    out = _json(["--calls-per-interval", "100", "--intervals", "6", "--agents", "13",
                 "--replications", "4", "--seed", "3"])
    assert out["replications"] == 4 and out["level"] == 0.95
    assert out["inputs"]["agents"] == [13] * 6
    sl = out["channels"]["phone"]["service_level"]
    assert sl["n"] == 4 and sl["low"] <= sl["mean"] <= sl["high"] and 0 < sl["mean"] < 1
    assert out["channels"]["phone"]["containment_rate"]["mean"] is None  # NaN -> null
    exact = out["analytic"]
    assert exact["model"] == "erlang_a" and 0.8 < exact["service_level"] < 0.9
    for stat in ("service_level", "p_abandon", "occupancy", "mean_wait_seconds"):
        assert stat in exact
    offered = out["channels"]["phone"]["offered"]["mean"]
    assert 480 < offered < 720  # 600 expected calls
    # same seed, same answer; another seed, another answer
    again = _json(["--calls-per-interval", "100", "--intervals", "6", "--agents", "13",
                   "--replications", "4", "--seed", "3"])
    assert again["channels"] == out["channels"]
    other = _json(["--calls-per-interval", "100", "--intervals", "6", "--agents", "13",
                   "--replications", "4", "--seed", "4"])
    assert other["channels"]["phone"]["offered"] != out["channels"]["phone"]["offered"]


def test_more_agents_serve_faster_and_infinite_patience_never_abandons() -> None:
    base = ["--calls-per-interval", "100", "--intervals", "8", "--replications", "3"]
    few = _json([*base, "--agents", "11"])["channels"]["phone"]
    many = _json([*base, "--agents", "15", "--patience-seconds", "0"])["channels"]["phone"]
    assert few["service_level"]["mean"] < many["service_level"]["mean"]
    assert many["p_abandon"]["mean"] == 0.0
    assert few["p_abandon"]["mean"] > 0.0


def test_per_interval_lists_and_table_output() -> None:
    result = runner.invoke(app, ["--calls-per-interval", "80,120,100", "--agents", "10,14,12",
                                 "--replications", "3", "--service-cv", "1.2",
                                 "--warmup-intervals", "1"])
    assert result.exit_code == 0, result.output
    assert "service level (20 s)" in result.output and "P(abandon)" in result.output
    assert "Erlang" not in result.output  # no formula for a nonstationary lognormal centre
    out = _json(["--calls-per-interval", "80,120,100", "--agents", "10,14,12",
                 "--replications", "2"])
    assert out["inputs"]["intervals"] == 3 and out["analytic"] is None
    table = runner.invoke(app, ["--replications", "2", "--intervals", "4",
                                "--patience-seconds", "0"])
    assert table.exit_code == 0 and "Erlang C" in table.output


def test_bad_arguments_fail_with_a_clear_message() -> None:
    result = runner.invoke(app, ["--agents", "12.5"])
    assert result.exit_code == 1 and "--agents" in result.output
    result = runner.invoke(app, ["--calls-per-interval", "10,x"])
    assert result.exit_code == 1 and "--calls-per-interval" in result.output
    result = runner.invoke(app, ["--calls-per-interval", "10,20", "--agents", "1,2,3"])
    assert result.exit_code == 1 and "--intervals" in result.output
    result = runner.invoke(app, ["--intervals", "2", "--warmup-intervals", "2"])
    assert result.exit_code == 1 and "--warmup-intervals" in result.output
    result = runner.invoke(app, ["--replications", "1"])
    assert result.exit_code != 0
