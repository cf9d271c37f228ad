"""``equipoise optimize``, ``equipoise frontier`` and ``equipoise scenario``: the balance point."""

from __future__ import annotations

import contextlib
import csv
import math
import os
import sys
from collections.abc import Iterator
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from equipoise.analytics.backends import connect
from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.cli._common import DatabaseUrl, JsonFlag, console, emit_json, fail, resolve_url
from equipoise.kit.errors import AppError
from equipoise.planning import scenarios as sc
from equipoise.planning.balance import BalanceModel, build_model, recommend_policy, report
from equipoise.planning.levers import TEMPLATES

app = typer.Typer(help="The balance point: optimise, trace the frontier, run scenarios.")
scenario_app = typer.Typer(help="Named what-ifs evaluated by the model and the simulator.")
app.add_typer(scenario_app, name="scenario")
out = Console()

FormatOption = typer.Option("table", "--format", help="table or json (optimize, scenario).")


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Keep the solver library's own prints (C level, fd 1) off the command's output."""
    sys.stdout.flush()
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ else -1
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd < 0:
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def parse_floors(text: str | None) -> dict[str, float]:
    """``top=90,high=85`` -> {"top": 0.90, "high": 0.85} (CSAT points -> shares)."""
    floors: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        tier, sep, value = part.partition("=")
        try:
            points = float(value)
        except ValueError:
            points = math.nan
        if not sep or not tier.strip() or not 0.0 <= points <= 100.0:
            raise typer.BadParameter(f"expected tier=points with points in 0..100, got {part!r}",
                                     param_hint="--csat-floor")
        floors[tier.strip()] = points / 100.0
    return floors


def _model(url: str, floors: dict[str, float] | None = None,
           budget: float | None = None) -> BalanceModel:
    try:
        return build_model(connect(url), floors=floors, budget=budget)
    except AppError as exc:
        fail(exc)
    except ValueError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def _recommend(model: BalanceModel, points: int, quiet: bool):
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task("tracing the frontier", total=points)
        try:
            with _quiet_stdout():
                return recommend_policy(model, points=points,
                                        progress=lambda i, n: bar.update(task, completed=i))
        except AppError as exc:
            fail(exc)
    raise AssertionError("unreachable")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _money(x: float) -> str:
    return f"{x:,.0f}"


@app.command("optimize")
def optimize(
    csat_floor: str | None = typer.Option(None, "--csat-floor",
                                          help="Floors per tier in CSAT points: top=90,high=85."),
    budget: float | None = typer.Option(None, "--budget", min=0, help="Service budget per year."),
    points: int = typer.Option(20, "--points", min=20, help="Frontier points (>= 20)."),
    fmt: str = FormatOption,
    top: int = typer.Option(15, "--top", min=1, help="Changes to show in the table."),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """The recommended policy, the balance point and the ranked changes from today."""
    as_json = json_out or fmt == "json"
    if fmt not in ("table", "json"):
        fail(f"--format must be table or json, got {fmt!r}", 2)
    model = _model(resolve_url(database_url), parse_floors(csat_floor), budget)
    rec = _recommend(model, points, as_json)
    result = report(model, rec)
    if as_json:
        emit_json(_clean(result))
        return
    t = Table(title="Cost and satisfaction per year")
    for col in ("", "service cost", "churn cost", "net cost", "CSAT %4-5"):
        t.add_column(col, justify="right")
    for label, key in (("current (model)", "current"), ("balance point", "balance_point"),
                       ("recommended", "recommended")):
        e = result[key]
        t.add_row(label, _money(e["service_cost"]), _money(e["churn_cost"]),
                  _money(e["net_cost"]), f"{e['csat_points']:.1f}")
    m = result["measured"]
    t.add_row("measured", _money(m["service_cost_per_year"]), "", "",
              f"{100 * m['csat_top2']:.1f}")
    out.print(t)
    out.print(f"net value of the recommendation: {_money(result['recommended']['net_value_vs_current'])}"
              " per year; service levels: "
              + ", ".join(f"{k} {v}" for k, v in
                          result["recommended"]["policy"]["service_levels"].items()))
    c = Table(title=f"Ranked changes (top {top} of {len(result['changes'])})")
    for col in ("#", "change", "service cost", "churn cost", "net", "CSAT pts"):
        c.add_column(col, justify="right" if col != "change" else "left")
    for row in result["changes"][:top]:
        what = (f"{row['channel']}: {row['option_from']} -> {row['option_to']}"
                if row["kind"] == "service_level" else
                f"{row['tier']}/{row['reason']}: " + ", ".join(
                    f"{s['channel']} {100 * max(0.0, s['from']):.0f}->"
                    f"{100 * max(0.0, s['to']):.0f}%"
                    for s in row["shifts"] if abs(s["to"] - s["from"]) >= 0.005))
        c.add_row(str(row["rank"]), what, _money(row["delta_service_cost"]),
                  _money(row["delta_churn_cost"]), _money(row["delta_net_cost"]),
                  f"{row['delta_csat_points']:+.2f}")
    out.print(c)
    for note in result["notes"]:
        out.print(f"note: {note}")


@app.command("frontier")
def frontier(
    fmt: str = typer.Option("json", "--format", help="json or csv."),
    points: int = typer.Option(20, "--points", min=20, help="Frontier points (>= 20)."),
    csat_floor: str | None = typer.Option(None, "--csat-floor", help="top=90,high=85,..."),
    budget: float | None = typer.Option(None, "--budget", min=0),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """The cost-satisfaction frontier with the balance point and the current state."""
    if fmt not in ("json", "csv"):
        fail(f"--format must be json or csv, got {fmt!r}", 2)
    model = _model(resolve_url(database_url), parse_floors(csat_floor), budget)
    rec = _recommend(model, points, True)
    result = report(model, rec)
    if json_out or fmt == "json":
        emit_json(_clean({k: result[k] for k in
                          ("frontier", "current", "balance_point", "measured", "window")}))
        return
    rows = result["frontier"]
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)


def _session(url: str):
    return session_scope(make_engine(url))


@scenario_app.command("list")
def scenario_list(database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag,
                  fmt: str = FormatOption) -> None:
    """Stored scenarios (the default what-ifs are added when missing) and lever templates."""
    with _session(resolve_url(database_url)) as s:
        rows = [{"name": x.name, "lever": x.lever, "params": x.params,
                 "description": x.description} for x in sc.list_scenarios(s)]
    templates = {k: {"description": t.description, "defaults": dict(t.defaults)}
                 for k, t in TEMPLATES.items()}
    if json_out or fmt == "json":
        emit_json({"scenarios": rows, "templates": templates})
        return
    t = Table(title="Scenarios")
    for col in ("name", "lever", "params", "description"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["name"], r["lever"], str(r["params"]), r["description"])
    out.print(t)


@scenario_app.command("save")
def scenario_save(
    name: str, lever: str = typer.Option(..., "--lever", help="Template: " + ", ".join(TEMPLATES)),
    param: list[str] | None = typer.Option(None, "--set", help="key=value (JSON value)."),
    description: str = typer.Option("", "--description"),
    database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag,
) -> None:
    """Create or edit a scenario from a lever template (values are JSON: 0.3, "phone", null)."""
    import json

    params: dict[str, Any] = {}
    for item in param or []:
        key, sep, raw = item.partition("=")
        if not sep:
            fail(f"--set expects key=value, got {item!r}", 2)
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    try:
        with _session(resolve_url(database_url)) as s:
            saved = sc.save_scenario(s, name, lever, params, description)
            row = {"name": saved.name, "lever": saved.lever, "params": saved.params}
    except AppError as exc:
        fail(exc)
    if json_out:
        emit_json(row)
    else:
        out.print(f"saved scenario {row['name']} ({row['lever']})")


def _run_args(replications: int, seed: int, no_sim: bool) -> dict[str, Any]:
    return {"replications": replications, "seed": seed, "simulate": not no_sim}


Reps = typer.Option(3, "--replications", min=2, help="Simulated weeks per changed queue.")
Seed = typer.Option(0, "--seed", help="Seed of the simulator check.")
NoSim = typer.Option(False, "--no-simulation", help="Skip the simulator check.")


@scenario_app.command("run")
def scenario_run(name: str, replications: int = Reps, seed: int = Seed, no_sim: bool = NoSim,
                 fmt: str = FormatOption, database_url: str | None = DatabaseUrl,
                 json_out: bool = JsonFlag) -> None:
    """Evaluate a stored scenario against today and cross-check it with the simulator."""
    url = resolve_url(database_url)
    model = _model(url)
    try:
        with _session(url) as s, _quiet_stdout():
            result = sc.run_scenario(s, model, name, **_run_args(replications, seed, no_sim))
    except AppError as exc:
        fail(exc)
    if json_out or fmt == "json":
        emit_json(_clean(result))
        return
    _print_run(result)


def _print_run(r: dict[str, Any]) -> None:
    d = r["delta"]
    out.print(f"[bold]{r['name']}[/] ({r['lever']}): {r['description']}")
    out.print(f"  service cost {_money(d['service_cost'])}/yr, churn cost "
              f"{_money(d['churn_cost'])}/yr, net {_money(d['net_cost'])}/yr, "
              f"CSAT {d['csat_points']:+.2f} points")
    for c in r["simulation"]:
        a, s_ = c["analytic"], c["simulated"]
        out.print(f"  {c['channel']}: service level analytic {a['service_level']:.3f} / simulated "
                  f"{s_['service_level']:.3f}; abandonment {a['p_abandon']:.3f} / "
                  f"{s_['p_abandon']:.3f}")
    for note in r.get("notes", []):
        out.print(f"  note: {note}")


@scenario_app.command("compare")
def scenario_compare(a: str, b: str, replications: int = Reps, seed: int = Seed,
                     no_sim: bool = NoSim, fmt: str = FormatOption,
                     database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag) -> None:
    """Run two scenarios and show their effects side by side (b - a)."""
    url = resolve_url(database_url)
    model = _model(url)
    try:
        with _session(url) as s, _quiet_stdout():
            result = sc.compare(s, model, a, b, **_run_args(replications, seed, no_sim))
    except AppError as exc:
        fail(exc)
    if json_out or fmt == "json":
        emit_json(_clean(result))
        return
    _print_run(result["a"])
    _print_run(result["b"])
    diff = result["b_minus_a"]
    out.print(f"b - a: net {_money(diff['net_cost'])}/yr, CSAT {diff['csat_points']:+.2f} points")
