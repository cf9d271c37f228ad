"""``equipoise staff``: staffing with the Erlang queueing models (one function per command)."""

from __future__ import annotations

import math
from typing import Any

import typer
from rich.table import Table

from equipoise.engine.queueing import (
    erlang_a_metrics,
    erlang_b_metrics,
    erlang_c_metrics,
    required_agents,
)
from equipoise.interfaces.cli._common import JsonFlag, console, emit_json, fail

app = typer.Typer(help="Staffing: agents needed for service-level targets.",
                  no_args_is_help=True)

_MODELS = {"b": "Erlang B (blocked calls lost)", "c": "Erlang C (no abandonment)",
           "a": "Erlang A (exponential patience)"}
_ROWS = (
    ("agents", "agents on the phones", "{:,}"),
    ("scheduled_agents", "scheduled agents (with shrinkage)", "{:,}"),
    ("load_erlangs", "offered load (Erlangs)", "{:,.3f}"),
    ("service_level", "service level", "{:.4%}"),
    ("p_wait", "P(wait)", "{:.4%}"),
    ("asa_seconds", "ASA, mean wait of all callers (s)", "{:,.2f}"),
    ("p_abandon", "P(abandon or blocked)", "{:.4%}"),
    ("occupancy", "occupancy", "{:.2%}"),
)


@app.callback()
def staff() -> None:
    """Staffing commands."""


@app.command("erlang")
def erlang_cmd(
    calls: float = typer.Option(..., "--calls", help="Contacts offered in the interval."),
    aht_seconds: float = typer.Option(..., "--aht-seconds", help="Average handle time (s)."),
    model: str = typer.Option("c", "--model", help="Queueing model: c, a or b."),
    interval_seconds: float = typer.Option(1800.0, "--interval-seconds",
                                           help="Interval length (s)."),
    target_sl: float | None = typer.Option(
        None, "--target-sl", help="Service-level target, e.g. 0.8 (default 0.8 for c and a "
        "when no other target is given)."),
    target_seconds: float = typer.Option(20.0, "--target-seconds",
                                         help="Answer-time threshold of the service level (s)."),
    target_asa_seconds: float | None = typer.Option(None, "--target-asa-seconds",
                                                    help="Maximum mean wait (s)."),
    target_abandon: float | None = typer.Option(
        None, "--target-abandon", help="Maximum abandonment (model a) or blocking (model b; "
        "default 0.01 when no other target is given)."),
    patience_seconds: float | None = typer.Option(None, "--patience-seconds",
                                                  help="Mean patience (s); model a only."),
    agents: int | None = typer.Option(None, "--agents",
                                      help="Evaluate this staffing instead of solving."),
    max_occupancy: float | None = typer.Option(None, "--max-occupancy",
                                               help="Occupancy cap, e.g. 0.85."),
    shrinkage: float = typer.Option(0.0, "--shrinkage",
                                    help="Share of paid time off the phones, e.g. 0.3."),
    json_out: bool = JsonFlag,
) -> None:
    """Evaluate a staffing level (--agents) or find the fewest agents meeting the targets."""
    model = model.lower()
    if model not in _MODELS:
        fail(f"--model must be one of c, a, b; got {model!r}")
    if model == "a" and patience_seconds is None:
        fail("--patience-seconds is required with --model a (Erlang A)")
    if model != "a" and patience_seconds is not None:
        fail(f"--patience-seconds applies only to --model a, not --model {model}")
    if not 0 <= shrinkage < 1:
        fail(f"--shrinkage must be in [0, 1), got {shrinkage}")
    try:
        if agents is None:
            payload = _solve(model, calls, interval_seconds, aht_seconds, target_sl,
                             target_seconds, target_asa_seconds, target_abandon,
                             patience_seconds, max_occupancy, shrinkage)
        else:
            payload = _evaluate(model, calls, interval_seconds, aht_seconds, target_seconds,
                                patience_seconds, agents, shrinkage)
    except ValueError as exc:
        fail(str(exc))
    payload["model"] = model
    if json_out:
        emit_json(payload)
    else:
        _render(payload, solved=agents is None)


def _solve(model: str, calls: float, interval_seconds: float, aht_seconds: float,
           target_sl: float | None, target_seconds: float, target_asa_seconds: float | None,
           target_abandon: float | None, patience_seconds: float | None,
           max_occupancy: float | None, shrinkage: float) -> dict[str, Any]:
    if target_sl is None and target_asa_seconds is None and target_abandon is None:
        if model == "b":
            target_abandon = 0.01
        else:
            target_sl = 0.8
    result = required_agents(model,  # type: ignore[arg-type]
                             calls, interval_seconds, aht_seconds, target_sl=target_sl,
                             target_seconds=target_seconds,
                             target_asa_seconds=target_asa_seconds,
                             target_abandon=target_abandon, patience_seconds=patience_seconds,
                             max_occupancy=max_occupancy, shrinkage=shrinkage)
    payload = result.to_dict()
    payload["targets"] = {"service_level": target_sl, "target_seconds": target_seconds,
                          "asa_seconds": target_asa_seconds, "abandon": target_abandon,
                          "max_occupancy": max_occupancy}
    return payload


def _evaluate(model: str, calls: float, interval_seconds: float, aht_seconds: float,
              target_seconds: float, patience_seconds: float | None, agents: int,
              shrinkage: float) -> dict[str, Any]:
    if interval_seconds <= 0:
        raise ValueError(f"--interval-seconds must be > 0, got {interval_seconds}")
    if calls < 0:
        raise ValueError(f"--calls must be >= 0, got {calls}")
    rate = calls / interval_seconds
    if model == "c":
        metrics = erlang_c_metrics(rate, aht_seconds, agents, target_seconds)
    elif model == "a":
        metrics = erlang_a_metrics(rate, aht_seconds, patience_seconds, agents, target_seconds)
    else:
        metrics = erlang_b_metrics(rate, aht_seconds, agents)
    payload = metrics.to_dict()
    # the small guard keeps e.g. 14 / (1 - 0.3) at 20, as the solver does
    payload["scheduled_agents"] = math.ceil(agents / (1.0 - shrinkage) - 1e-9)
    payload["shrinkage"] = shrinkage
    return payload


def _render(payload: dict[str, Any], *, solved: bool) -> None:
    title = f"{_MODELS[payload['model']]}: " + ("minimum agents" if solved else "evaluation")
    table = Table(title=title, show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label, fmt in _ROWS:
        value = payload.get(key)
        if key == "service_level":
            label = f"{label} (answered within {payload['target_seconds']:g} s)"
        table.add_row(label, "unbounded" if value is None else fmt.format(value))
    console.print(table)
