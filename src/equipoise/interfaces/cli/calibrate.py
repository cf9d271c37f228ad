"""``equipoise calibrate`` and ``equipoise forecast``: channel models fitted from history."""

from __future__ import annotations

import csv
import datetime as dt
import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from equipoise.db.engine import make_engine
from equipoise.interfaces.cli._common import (
    DatabaseUrl,
    JsonFlag,
    console,
    emit_json,
    fail,
    resolve_url,
)
from equipoise.kit.errors import AppError
from equipoise.planning import history
from equipoise.planning.calibrate import (
    ChannelBacktest,
    ChannelCalibration,
    ChannelForecast,
    backtest_channel,
    calibrate_channel,
    default_horizon_start,
    forecast_channel,
)

app = typer.Typer(help="Calibrate and forecast channels from their contact history.")
out = Console()
T = TypeVar("T")

ChannelOption = typer.Option(None, "--channel", "-c",
                             help="Channel code (repeat for several; default: every channel).")
IntervalOption = typer.Option(30, "--interval", help="Interval length in minutes (15, 30, 60).")


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} must be a date YYYY-MM-DD, got {text!r}", 2)
    return None  # unreachable: fail() exits


def _channels(engine: Engine, requested: list[str] | None) -> list[str]:
    return list(requested) if requested else history.channel_codes(engine)


def _run_each(codes: list[str], label: str, quiet: bool, work: Callable[[str], T]) -> list[T]:
    """Run ``work`` per channel under a progress bar; expected failures end the command."""
    results: list[T] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task(label, total=len(codes))
        for code in codes:
            bar.update(task, description=f"{label} {code}")
            try:
                results.append(work(code))
            except AppError as exc:
                fail(exc)
            except ValueError as exc:
                fail(str(exc))
            bar.advance(task)
    return results


def _clean(value: Any) -> Any:
    """NaN and infinities become None (JSON has no such numbers), recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@app.command("calibrate")
def calibrate(
    channel: list[str] | None = ChannelOption,
    start: str | None = typer.Option(None, help="First day (YYYY-MM-DD; default: first contact)."),
    end: str | None = typer.Option(None, help="Last day, inclusive (default: last contact)."),
    interval: int = IntervalOption,
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """Fit service-time distributions, customer patience and arrival profiles per channel."""
    first, last = _date(start, "--start"), _date(end, "--end")
    engine = make_engine(resolve_url(database_url))

    def work(code: str) -> ChannelCalibration | None:
        span = history.arrival_span(engine, code)
        if span is None and (first is None or last is None):
            return None
        s = first or span[0].date()  # type: ignore[index]
        e = (last or span[1].date()) + dt.timedelta(days=1)  # type: ignore[index]
        return calibrate_channel(engine, code, s, e, interval_minutes=interval)

    try:
        codes = _channels(engine, channel)
        fitted = _run_each(codes, "calibrating", json_out, work)
    finally:
        engine.dispose()
    results = [r for r in fitted if r is not None]
    skipped = [c for c, r in zip(codes, fitted, strict=True) if r is None]
    if json_out:
        emit_json(_clean({"channels": [r.summary() for r in results], "no_contacts": skipped}))
        return
    out.print(_calibration_table(results))
    for r in results:
        for note in r.notes:
            console.print(f"[yellow]{r.channel_code}[/]: {note}")
    if skipped:
        console.print(f"no contacts on: {', '.join(skipped)}")


def _num(value: float | None, fmt: str = "{:,.1f}") -> str:
    return "—" if value is None or not math.isfinite(value) else fmt.format(value)


def _calibration_table(results: list[ChannelCalibration]) -> Table:
    table = Table(title="Channel calibration")
    for col in ("channel", "arrivals", "handle time: best fit", "mean (s)", "KS D / p",
                "abandoned", "mean patience (s), censored MLE [95%]", "P(Ab)=θE[W] (s)",
                "KM median (s)", "peak rate /h"):
        table.add_column(col, justify="left" if col in ("channel", "handle time: best fit")
                         else "right")
    for r in results:
        st, pc, pa = r.service_time, r.patience_censored, r.patience_abandonment
        fit = "—"
        if st is not None:
            params = ", ".join(f"{k}={v:.3g}" for k, v in st.best.params.items())
            fit = f"{st.best.name} ({params})"
        patience = "—"
        if pc is not None:
            low, high = pc.mean_patience_interval()
            patience = f"{_num(pc.mean_patience_seconds)} [{_num(low)}, {_num(high)}]"
        rate = r.arrival_profile.rate_per_hour
        peak = max((x for x in rate if math.isfinite(x)), default=float("nan"))
        table.add_row(
            r.channel_code, f"{r.arrivals:,}", fit,
            _num(st.best.mean) if st else "—",
            f"{st.best.ks_statistic:.3f} / {st.best.ks_pvalue:.2g}" if st else "—",
            f"{r.abandoned:,} of {r.queued:,}" if r.queued else "—", patience,
            _num(pa.mean_patience_regression) if pa else "—",
            _num(pc.km.median) if pc else "—", _num(peak),
        )
    return table


@app.command("forecast")
def forecast(
    channel: list[str] | None = ChannelOption,
    interval: int = IntervalOption,
    weeks_history: int = typer.Option(8, "--weeks-history", min=1, help="Weeks of history to fit."),
    horizon_days: int = typer.Option(7, "--horizon-days", min=1, help="Days to forecast."),
    start: str | None = typer.Option(None, help="First forecast day (default: after the data)."),
    trend: str = typer.Option("damped", help="Trend of the weekly level: none, linear, damped."),
    damping: float = typer.Option(0.8, help="Damping factor of the damped trend, in (0, 1]."),
    run_backtest: bool = typer.Option(False, "--backtest", help="Also score held-out weeks."),
    backtest_weeks: int = typer.Option(1, "--backtest-weeks", min=1, help="Weeks held out."),
    output: str = typer.Option("table", "--format", help="table, csv or json."),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """Forecast arrivals per interval per channel (optionally with a WAPE backtest)."""
    fmt = "json" if json_out else output
    if fmt not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, got {output!r}", 2)
    first = _date(start, "--start")
    engine = make_engine(resolve_url(database_url))

    def work(code: str) -> tuple[ChannelForecast, ChannelBacktest | None]:
        begin = first or default_horizon_start(engine, code)
        fc = forecast_channel(engine, code, interval, weeks_history, begin, horizon_days,
                              trend=trend, damping=damping)
        bt = None
        if run_backtest:
            bt = backtest_channel(engine, code, interval, weeks_history,
                                  horizon_weeks=backtest_weeks, trend=trend, damping=damping)
        return fc, bt

    try:
        codes = [c for c in _channels(engine, channel)
                 if channel or history.arrival_span(engine, c) is not None]
        results = _run_each(codes, "forecasting", fmt != "table", work)
    finally:
        engine.dispose()
    if fmt == "json":
        emit_json(_clean({"channels": [_forecast_payload(fc, bt) for fc, bt in results]}))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["channel", "interval_start", "expected_arrivals"])
        for fc, _ in results:
            for t, v in zip(fc.timestamps, fc.expected, strict=True):
                writer.writerow([fc.channel_code, str(t).replace("T", " "), f"{v:.4f}"])
        for _, bt in results:
            if bt is not None:
                console.print(_backtest_line(bt))
    else:
        for fc, bt in results:
            out.print(_forecast_table(fc))
            if bt is not None:
                out.print(_backtest_line(bt))


def _backtest_payload(bt: ChannelBacktest) -> dict[str, Any]:
    r = bt.result
    return {"wape": r.wape, "bias": r.bias, "noise_floor": r.noise_floor,
            "horizon_weeks": r.horizon_weeks,
            "history_weeks": r.history_weeks, "actual_total": float(r.actual.sum()),
            "forecast_total": float(r.forecast.sum()),
            "held_out_from": str(r.timestamps[0]), "held_out_to": str(r.timestamps[-1])}


def _forecast_payload(fc: ChannelForecast, bt: ChannelBacktest | None) -> dict[str, Any]:
    m = fc.model
    payload: dict[str, Any] = {
        "channel": fc.channel_code, "interval_minutes": fc.interval_minutes,
        "history_start": fc.history_start.isoformat(), "history_end": fc.history_end.isoformat(),
        "model": {"weeks": m.n_weeks, "trend": m.trend, "damping": m.damping, "level": m.level,
                  "slope_per_week": m.slope, "weekly_totals": m.weekly_totals.tolist()},
        "forecast": [{"interval_start": str(t), "expected": float(v)}
                     for t, v in zip(fc.timestamps, fc.expected, strict=True)],
    }
    if bt is not None:
        payload["backtest"] = _backtest_payload(bt)
    return payload


def _forecast_table(fc: ChannelForecast) -> Table:
    m = fc.model
    table = Table(title=f"{fc.channel_code}: arrivals per {fc.interval_minutes} min",
                  caption=f"fitted on {m.n_weeks} weeks: level {m.level:,.0f}/week, "
                          f"trend {m.slope:+,.1f}/week ({m.trend}); closed intervals not shown")
    table.add_column("interval start")
    table.add_column("expected", justify="right")
    for t, v in zip(fc.timestamps, fc.expected, strict=True):
        if v > 0:
            table.add_row(str(t).replace("T", " "), f"{v:,.2f}")
    table.add_row("total", f"{fc.expected.sum():,.1f}", style="bold")
    return table


def _backtest_line(bt: ChannelBacktest) -> str:
    r = bt.result
    return (f"{bt.channel_code}: backtest on {r.horizon_weeks} held-out week(s) from "
            f"{str(r.timestamps[0])[:10]} (trained on {r.history_weeks} weeks): "
            f"WAPE {r.wape:.1%} (Poisson noise floor {r.noise_floor:.1%}), bias {r.bias:+.1%}")
