"""``equipoise simulate``: discrete-event simulation of a staffed queue with abandonment."""

from __future__ import annotations

import math

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from equipoise.engine.queueing import erlang_a_metrics, erlang_c_metrics
from equipoise.engine.simulation import (
    Exponential,
    Infinite,
    LogNormal,
    replicate,
    single_pool_model,
)
from equipoise.interfaces.cli._common import JsonFlag, console, emit_json, fail

app = typer.Typer(help="Simulate a staffed contact queue (M/G/N+M) with confidence intervals.")

#: Statistics shown in the table: label, format, and the matching field of the Erlang formulas.
_SHOWN = (
    ("offered", "contacts offered", "{:,.1f}", None),
    ("handled", "contacts handled", "{:,.1f}", None),
    ("service_level", "service level", "{:.2%}", "service_level"),
    ("asa_seconds", "ASA of answered (s)", "{:.2f}", None),
    ("mean_wait_seconds", "mean wait, all (s)", "{:.2f}", "asa_seconds"),
    ("p_wait", "P(wait)", "{:.2%}", "p_wait"),
    ("p_abandon", "P(abandon)", "{:.2%}", "p_abandon"),
    ("occupancy", "occupancy", "{:.2%}", "occupancy"),
)


def _analytic(rates: list[float], staff: list[int], interval_seconds: float, aht: float,
              service_cv: float, patience: float, target: float) -> dict[str, float] | None:
    """Erlang A (or C without abandonment) for a stationary, exponential centre; else None."""
    if len(set(rates)) != 1 or len(set(staff)) != 1 or service_cv != 0 or staff[0] == 0:
        return None
    rate = rates[0] / interval_seconds
    if patience == 0:
        if rate * aht >= staff[0]:
            return None  # no steady state without abandonment
        metrics = erlang_c_metrics(rate, aht, staff[0], target)
    else:
        metrics = erlang_a_metrics(rate, aht, patience, staff[0], target)
    return {field: float(getattr(metrics, field)) for *_, field in _SHOWN if field}


def _numbers(text: str, option: str, kind: type) -> list:
    try:
        values = [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        fail(f"{option} must be a number or a comma-separated list of numbers, got {text!r}")
    if not values or any(v < 0 or not math.isfinite(v) for v in values):
        fail(f"{option} must hold finite numbers >= 0, got {text!r}")
    return values


def _finite(value: object) -> object:
    """Replace NaN and infinities (not valid JSON) by None, recursively."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _per_interval(values: list, intervals: int, option: str) -> list:
    if len(values) == 1:
        return values * intervals
    if len(values) != intervals:
        fail(f"{option} has {len(values)} values but --intervals is {intervals}")
    return values


@app.callback(invoke_without_command=True)
def simulate_cmd(
    calls_per_interval: str = typer.Option(
        "100", help="Expected calls per interval: one number or a comma-separated list."),
    interval_seconds: float = typer.Option(1800.0, min=1.0, help="Interval length (s)."),
    intervals: int | None = typer.Option(
        None, min=1, help="Number of intervals (default: the length of the lists, else 16)."),
    agents: str = typer.Option("13", help="Agents: one number or one per interval."),
    aht_seconds: float = typer.Option(180.0, min=0.001, help="Mean handle time (s)."),
    service_cv: float = typer.Option(
        0.0, min=0.0, help="Coefficient of variation of handle time: 0 = exponential, "
        "else lognormal with this cv."),
    patience_seconds: float = typer.Option(
        300.0, min=0.0, help="Mean (exponential) patience (s); 0 = callers never abandon."),
    target_seconds: float = typer.Option(20.0, min=0.0, help="Service-level answer target (s)."),
    warmup_intervals: int = typer.Option(
        0, min=0, help="Leading intervals left out of the statistics."),
    replications: int = typer.Option(10, min=2, help="Independent replications."),
    seed: int = typer.Option(0, min=0, help="Root seed of the replication streams."),
    json_out: bool = JsonFlag,
) -> None:
    """Run replications of a single-pool centre and print every statistic with its 95% CI."""
    rates = _numbers(calls_per_interval, "--calls-per-interval", float)
    staff = _numbers(agents, "--agents", float)
    if any(int(a) != a for a in staff):
        fail(f"--agents must hold whole numbers, got {agents!r}")
    longest = max(len(rates), len(staff))
    n_intervals = intervals if intervals is not None else (longest if longest > 1 else 16)
    rates = _per_interval(rates, n_intervals, "--calls-per-interval")
    staff = _per_interval([int(a) for a in staff], n_intervals, "--agents")
    if warmup_intervals >= n_intervals:
        fail(f"--warmup-intervals must be below the number of intervals ({n_intervals})")
    service = Exponential(aht_seconds) if service_cv == 0 else LogNormal(aht_seconds, service_cv)
    patience = Infinite() if patience_seconds == 0 else Exponential(patience_seconds)
    try:
        model = single_pool_model(
            [r / interval_seconds for r in rates], service, patience, staff,
            interval_seconds=interval_seconds, warmup_seconds=warmup_intervals * interval_seconds,
            service_level_seconds=target_seconds,
        )
    except ValueError as exc:
        fail(str(exc))
    with Progress(
        TextColumn("replications"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=json_out,
    ) as bar:
        task = bar.add_task("simulate", total=replications)
        report = replicate(
            model, replications, seed, progress=lambda done, total: bar.update(task, completed=done)
        )
    exact = _analytic(rates, staff, interval_seconds, aht_seconds, service_cv,
                      patience_seconds, target_seconds)
    if json_out:
        emit_json({
            "inputs": {
                "calls_per_interval": rates, "interval_seconds": interval_seconds,
                "intervals": n_intervals, "agents": staff, "aht_seconds": aht_seconds,
                "service_cv": service_cv, "patience_seconds": patience_seconds or None,
                "target_seconds": target_seconds, "warmup_intervals": warmup_intervals,
                "replications": replications, "seed": seed,
            },
            **_finite(report.as_dict()),
            "analytic": {"model": "erlang_c" if patience_seconds == 0 else "erlang_a",
                         **{stat: exact[field] for stat, _, _, field in _SHOWN if field}}
            if exact else None,
        })
        return
    table = Table(title=f"{replications} replications, {report.contacts:,} contacts, "
                  f"{report.level:.0%} confidence intervals")
    columns = ["statistic", "mean", "low", "high"]
    if exact:
        columns.append("Erlang C" if patience_seconds == 0 else "Erlang A")
    for column in columns:
        table.add_column(column, justify="left" if column == "statistic" else "right")
    for stat, label, fmt, field in _SHOWN:
        est = report.estimate("phone", stat)
        label = label.replace("service level", f"service level ({target_seconds:g} s)")
        row = [fmt.format(v) for v in (est.mean, est.low, est.high)]
        if exact:
            row.append(fmt.format(exact[field]) if field else "")
        table.add_row(label, *row)
    console.print(table)
