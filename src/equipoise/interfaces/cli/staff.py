"""``equipoise staff``: staffing with the Erlang queueing models (one function per command).

* ``erlang`` -- evaluate or solve one interval with Erlang B, C or A;
* ``plan`` -- a channel's week from the database: forecast, agents per interval, hours, cost.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import sys
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from equipoise.db.engine import make_engine
from equipoise.engine.queueing import (
    erlang_a_metrics,
    erlang_b_metrics,
    erlang_c_metrics,
    required_agents,
)
from equipoise.interfaces.cli._common import (
    DatabaseUrl,
    JsonFlag,
    console,
    emit_json,
    fail,
    resolve_url,
)
from equipoise.kit.errors import AppError
from equipoise.planning.staffing import (
    DEFAULT_DEFERRED_OCCUPANCY,
    DEFAULT_SHRINKAGE,
    StaffingPlan,
    parse_week,
    plan_week,
)

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
    elif model == "a" and patience_seconds is not None:  # the command requires it for 'a'
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


# --- staff plan ------------------------------------------------------------------------------

_FORMATS = ("table", "csv", "json")
_COLUMNS = ("start", "open", "forecast_calls", "actual_calls", "aht_seconds", "required_agents",
            "scheduled_agents", "actual_scheduled", "service_level", "asa_seconds", "p_abandon",
            "occupancy")


def parse_sl(text: str) -> tuple[float, float | None]:
    """``80/20`` -> (0.8, 20.0); ``80`` or ``0.8`` -> (0.8, None: the channel's own target)."""
    share_text, slash, seconds_text = text.partition("/")
    try:
        share = float(share_text)
        seconds = float(seconds_text) if slash else None
    except ValueError:
        raise ValueError(f"--sl must look like 80/20 (percent answered / seconds), "
                         f"got {text!r}") from None
    if share >= 1.0:
        share /= 100.0
    if not 0.0 < share < 1.0:
        raise ValueError(f"--sl: the share must be between 0 and 100%, got {share_text!r}")
    if seconds is not None and (seconds < 0 or not math.isfinite(seconds)):
        raise ValueError(f"--sl: the answer time must be >= 0 seconds, got {seconds_text!r}")
    return share, seconds


@app.command("plan")
def plan_cmd(
    channel: str = typer.Option(..., "--channel", "-c", help="Staffed channel code, e.g. phone."),
    sl: str = typer.Option("80", "--sl", help="Service-level target: percent answered / "
                           "seconds, e.g. 80/20 (seconds default to the channel's target)."),
    interval: int = typer.Option(30, "--interval", help="Interval length in minutes."),
    week: str | None = typer.Option(None, "--week", help="ISO week, e.g. 2026-W44 (default: "
                                    "the week after the history ends)."),
    output: str = typer.Option("table", "--format", help="table, csv or json."),
    shrinkage: float = typer.Option(DEFAULT_SHRINKAGE, "--shrinkage",
                                    help="Share of paid time off the queue."),
    history_weeks: int = typer.Option(8, "--history-weeks", min=1,
                                      help="Weeks of history to fit the forecast and AHT on."),
    deferred_occupancy: float = typer.Option(
        DEFAULT_DEFERRED_OCCUPANCY, "--deferred-occupancy",
        help="Busy share of agents on deferred work (email, social, field)."),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """Plan a channel's week: forecast, agents per interval, agent hours and cost."""
    fmt = "json" if json_out else output.lower()
    if fmt not in _FORMATS:
        fail(f"--format must be one of {', '.join(_FORMATS)}; got {output!r}", 2)
    try:
        share, seconds = parse_sl(sl)
        monday = parse_week(week) if week else None
    except (ValueError, AppError) as exc:
        fail(exc if isinstance(exc, AppError) else str(exc), 2)
    engine = make_engine(resolve_url(database_url))
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True, disable=fmt != "table") as bar:
            bar.add_task(f"planning {channel}: forecast, calibration, staffing", total=None)
            result = plan_week(engine, channel, week_start=monday, interval_minutes=interval,
                               target_sl=share, target_seconds=seconds, shrinkage=shrinkage,
                               history_weeks=history_weeks,
                               deferred_occupancy=deferred_occupancy)
    except AppError as exc:
        fail(exc)
    except ValueError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    if fmt == "json":
        emit_json(result.to_dict())
    elif fmt == "csv":
        _write_csv(result)
    else:
        _render_plan(result)


def _write_csv(result: StaffingPlan) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for row in result.intervals:
        writer.writerow(["" if (v := getattr(row, c)) is None else
                         v.isoformat() if isinstance(v, dt.datetime) else v for c in _COLUMNS])


def _fmt(value: Any, pattern: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return pattern.format(value)


def _render_plan(result: StaffingPlan) -> None:
    out = Console()
    method = {"erlang_c": "Erlang C", "erlang_a": "Erlang A", "deferred": "deferred work"}
    title = (f"{result.channel_code} {result.week}: {method[result.method]}, "
             f"target {result.target_sl:.0%} in {result.target_seconds:g} s, "
             f"shrinkage {result.shrinkage:.0%}")
    table = Table(title=title, caption="fcst/act: forecast/actual contacts; req: agents needed; "
                  "sched: with shrinkage; act.sch: agents on shift (agent_shifts)")
    for name in ("start", "fcst", "act", "AHT", "req", "sched", "act.sch", "SL", "ASA",
                 "P(ab)", "occ"):
        table.add_column(name, justify="left" if name == "start" else "right", no_wrap=True)
    for r in result.intervals:
        if not (r.open or r.forecast_calls >= 0.05 or r.actual_calls or r.actual_scheduled):
            continue  # closed and quiet: nothing to show
        table.add_row(r.start.strftime("%a %d %H:%M"), _fmt(r.forecast_calls, "{:,.1f}"),
                      _fmt(r.actual_calls, "{:,}"), _fmt(r.aht_seconds, "{:,.0f}"),
                      f"{r.required_agents:,}", f"{r.scheduled_agents:,}",
                      _fmt(r.actual_scheduled, "{:,.1f}"), _fmt(r.service_level, "{:.1%}"),
                      _fmt(r.asa_seconds, "{:,.1f}"), _fmt(r.p_abandon, "{:.1%}"),
                      _fmt(r.occupancy, "{:.0%}"))
    out.print(table)
    t = result.totals
    summary = Table(title="Week totals", show_header=False)
    summary.add_column("item")
    summary.add_column("value", justify="right")
    rows = (
        ("forecast contacts", _fmt(t.forecast_calls, "{:,.1f}")),
        ("actual contacts", _fmt(t.actual_calls, "{:,}")),
        ("mean handle time (s)", _fmt(result.aht_seconds, "{:,.0f}")),
        ("mean patience (s)", _fmt(result.patience_seconds, "{:,.0f}")),
        ("concurrency", _fmt(result.concurrency, "{:g}")),
        ("productive agent hours", _fmt(t.productive_hours, "{:,.1f}")),
        ("scheduled agent hours", _fmt(t.agent_hours, "{:,.1f}")),
        ("mean loaded hourly cost", _fmt(result.hourly_cost, "{:,.2f}")),
        ("cost", _fmt(t.cost, "{:,.2f}")),
        ("actually scheduled agent hours", _fmt(t.actual_agent_hours, "{:,.1f}")),
        ("actual cost", _fmt(t.actual_cost, "{:,.2f}")),
        ("mean service level (forecast-weighted)", _fmt(t.mean_service_level, "{:.1%}")),
    )
    for label, value in rows:
        summary.add_row(label, value)
    out.print(summary)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
