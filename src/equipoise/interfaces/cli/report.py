"""``equipoise report | scorecard | budget | diagnose``: the measurement layer on the command line."""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table

from equipoise.analytics.backends import connect
from equipoise.analytics.budgets import budget_report
from equipoise.analytics.compute import compute
from equipoise.analytics.diagnostics import DiagnosticSettings
from equipoise.analytics.diagnostics_ops import run_diagnostics
from equipoise.analytics.facts import Facts, MetricParams
from equipoise.analytics.periods import Period, parse_period
from equipoise.analytics.registry import all_metrics
from equipoise.analytics.scorecard import load_scorecard
from equipoise.analytics.scoring import GROUPABLE, evaluate, evaluate_all
from equipoise.config import get_settings
from equipoise.interfaces.cli._common import (
    DatabaseUrl,
    JsonFlag,
    console,
    emit_json,
    fail,
    resolve_url,
)

app = typer.Typer(help="Metrics, scorecards, budgets and diagnostics.", no_args_is_help=True)

DEFAULT_METRICS = ("contacts", "cases", "asa", "service_level", "abandonment_rate", "aht", "fcr",
                   "csat", "nps", "cost_per_contact", "cost_to_serve", "total_cost")
FORMATS = ("table", "csv", "json")
PeriodOpt = typer.Option(None, "--period", help="2026-10, 2026-Q4, 2026-W41, 2026 or a..b.")
FormatOpt = typer.Option("table", "--format", help="table, csv or json.")


def _facts(url: str | None, fcr_window_days: int = 7) -> Facts:
    return Facts(connect(resolve_url(url)), MetricParams(fcr_window_days=fcr_window_days))


def _period(text: str | None) -> Period | None:
    return parse_period(text) if text else None


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


def _render(rows: list[dict[str, Any]], columns: list[str], fmt: str, title: str) -> None:
    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        table = Table(title=title)
        for c in columns:
            table.add_column(c, justify="left" if c in ("unit", "name", "entity") else "right")
        for r in rows:
            table.add_row(*[_fmt(r.get(c)) for c in columns])
        console.print(table)


def _format(fmt: str, json_out: bool) -> str:
    if json_out:
        return "json"
    if fmt not in FORMATS:
        fail(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    return fmt


@app.command("report")
def report(
    period: str | None = PeriodOpt,
    by: list[str] = typer.Option([], "--by", help="Slice: team, channel, tier, reason, agent, "
                                 "month, week, day, quarter (repeatable)."),
    metrics: str | None = typer.Option(None, "--metrics", help="Comma-separated metric slugs "
                                       "(default: a headline set; 'all' for every metric)."),
    fcr_window_days: int = typer.Option(7, "--fcr-window-days", help="FCR repeat window (days)."),
    fmt: str = FormatOpt, database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag,
) -> None:
    """KPIs from the metric registry for a period, sliced by dimension."""
    fmt = _format(fmt, json_out)
    slugs = list(all_metrics()) if metrics == "all" else (
        [m.strip() for m in metrics.split(",") if m.strip()] if metrics else list(DEFAULT_METRICS))
    try:
        with Progress(console=console, transient=True) as progress:
            progress.add_task("computing metrics", total=None)
            table = compute(_facts(database_url, fcr_window_days), slugs, period=_period(period),
                            by=by)
    except ValueError as exc:
        fail(str(exc))
    _render(table.rows(), [*table.by, *table.metrics], fmt, f"KPIs {period or '(all time)'}")


@app.command("metrics")
def metrics_cmd(json_out: bool = JsonFlag, fmt: str = FormatOpt) -> None:
    """List every registered metric with its unit, direction and definition."""
    rows = [m.describe() for m in all_metrics().values()]
    _render(rows, ["slug", "name", "unit", "better", "definition"], _format(fmt, json_out),
            "Metric registry")


@app.command("scorecard")
def scorecard(
    entity: str = typer.Option("company", "--entity", help="company, unit:CODE, team:CODE, "
                               "agent:CODE, channel:CODE, or a kind alone (team) for all of them."),
    period: str | None = PeriodOpt,
    card: str | None = typer.Option(None, "--scorecard", help="YAML file (default: bundled)."),
    fmt: str = FormatOpt, database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag,
) -> None:
    """Score an entity 1-5 on the weighted scorecard, with drill-down to the raw KPIs."""
    fmt = _format(fmt, json_out)
    try:
        sc = load_scorecard(card)
        facts = _facts(database_url)
        with Progress(console=console, transient=True) as progress:
            progress.add_task("scoring", total=None)
            results = (evaluate_all(sc, facts, entity, _period(period)) if entity in GROUPABLE
                       else [evaluate(sc, facts, entity, _period(period))])
    except ValueError as exc:
        fail(str(exc))
    if fmt == "json":
        emit_json([r.to_dict() for r in results])
        return
    rows = []
    for r in results:
        rows.append({"entity": r.entity, "level": "total", "name": sc.name, "weight": 1.0,
                     "value": None, "score": r.total})
        for d in r.dimensions:
            rows.append({"entity": r.entity, "level": "dimension", "name": d.name,
                         "weight": d.weight, "value": None, "score": d.score})
            for i in d.indicators:
                rows.append({"entity": r.entity, "level": "indicator", "name": f"  {i.name}",
                             "weight": i.weight, "value": i.value, "unit": i.unit,
                             "score": i.score})
    _render(rows, ["entity", "level", "name", "weight", "value", "unit", "score"], fmt,
            f"Scorecard {sc.name} {period or '(all time)'}")


@app.command("budget")
def budget(
    period: str = typer.Option(..., "--period", help="Whole months: 2026-10, 2026-Q4, 2026."),
    channel_fixed: bool = typer.Option(False, "--channel-fixed",
                                       help="Add the channels' fixed costs to the root unit."),
    fmt: str = FormatOpt, database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag,
) -> None:
    """Target cost against actual cost for every org unit and month, with consistency warnings."""
    fmt = _format(fmt, json_out)
    try:
        rep = budget_report(_facts(database_url), parse_period(period),
                            include_channel_fixed=channel_fixed)
    except ValueError as exc:
        fail(str(exc))
    if fmt == "json":
        emit_json(rep.to_dict())
        return
    rows = [{**n.__dict__, "unit": "  " * n.depth + n.unit} for n in rep.nodes]
    _render(rows, ["month", "unit", "kind", "target", "contact_cost", "fixed_cost", "actual",
                   "variance", "variance_pct"], fmt, f"Budget {rep.period}")
    for w in rep.warnings:
        console.print(f"[yellow]warning:[/] {w.message}")


@app.command("diagnose")
def diagnose(
    period: str | None = PeriodOpt,
    cost_multiple: float = typer.Option(2.0, "--cost-multiple", help="Q1 threshold x tier median."),
    csat_floor: float = typer.Option(80.0, "--csat-floor", help="Q2 CSAT floor (percent)."),
    database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag,
) -> None:
    """Answer the six service-layer questions with numbers and the entities involved."""
    try:
        settings = DiagnosticSettings(cost_multiple=cost_multiple, csat_floor=csat_floor,
                                      currency=get_settings().currency)
        with Progress(console=console, transient=True) as progress:
            progress.add_task("diagnosing", total=None)
            findings = run_diagnostics(_facts(database_url), _period(period), settings)
    except ValueError as exc:
        fail(str(exc))
    if json_out:
        emit_json([f.to_dict() for f in findings])
        return
    for f in findings:
        console.print(f"[bold]{f.question}. {f.title}[/]")
        console.print(f"   {f.headline}")
