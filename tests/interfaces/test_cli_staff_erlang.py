"""``equipoise staff erlang`` through Typer's test runner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from equipoise.interfaces.cli.staff import app

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, ["erlang", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_solves_erlang_c_for_the_textbook_case() -> None:
    out = _json(["--calls", "100", "--interval-seconds", "1800", "--aht-seconds", "180",
                 "--target-sl", "0.8", "--target-seconds", "20", "--shrinkage", "0.3"])
    assert out["model"] == "c" and out["agents"] == 14 and out["scheduled_agents"] == 20
    assert out["service_level"] == pytest.approx(0.8883500192, abs=1e-10)
    assert out["p_wait"] == pytest.approx(0.1741319336, abs=1e-10)
    assert out["asa_seconds"] == pytest.approx(7.8359, abs=1e-4)
    assert out["p_abandon"] == 0 and out["occupancy"] == pytest.approx(10 / 14)
    assert out["targets"]["service_level"] == 0.8


def test_evaluates_given_agents_with_erlang_a() -> None:
    out = _json(["--model", "a", "--calls", "100", "--aht-seconds", "180",
                 "--patience-seconds", "300", "--agents", "13"])
    assert out["agents"] == 13
    assert out["p_wait"] == pytest.approx(0.2257971, abs=1e-7)
    assert out["p_abandon"] == pytest.approx(0.0249633, abs=1e-7)
    assert out["service_level"] == pytest.approx(0.8581777, abs=1e-7)


def test_defaults_and_caps() -> None:
    blocked = _json(["--model", "b", "--calls", "200", "--interval-seconds", "3600",
                     "--aht-seconds", "180"])  # 10 Erlangs, default 1% blocking
    assert blocked["agents"] == 18 and blocked["p_abandon"] <= 0.01
    capped = _json(["--calls", "1000", "--aht-seconds", "180", "--max-occupancy", "0.85"])
    assert capped["agents"] == 118 and capped["occupancy"] <= 0.85
    unstable = _json(["--calls", "100", "--aht-seconds", "180", "--agents", "10"])
    assert unstable["asa_seconds"] is None and unstable["service_level"] == 0


def test_human_output_is_a_table() -> None:
    result = runner.invoke(app, ["erlang", "--calls", "100", "--aht-seconds", "180"])
    assert result.exit_code == 0, result.output
    assert "minimum agents" in result.output and "14" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "a", "--calls", "100", "--aht-seconds", "180"], "--patience-seconds"),
    (["--model", "c", "--calls", "100", "--aht-seconds", "180", "--patience-seconds", "60"],
     "only to --model a"),
    (["--model", "z", "--calls", "100", "--aht-seconds", "180"], "--model"),
    (["--calls", "100", "--aht-seconds", "180", "--target-abandon", "0.05"], "target_abandon"),
    (["--calls", "100", "--aht-seconds", "180", "--target-sl", "1.5"], "target_sl"),
    (["--calls", "-5", "--aht-seconds", "180", "--agents", "3"], "--calls"),
    (["--calls", "100", "--aht-seconds", "180", "--shrinkage", "1"], "--shrinkage"),
])
def test_bad_combinations_fail_clearly(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["erlang", *args])
    assert result.exit_code == 1
    assert message in result.output
