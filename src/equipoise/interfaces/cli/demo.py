"""``equipoise demo``: the synthetic demo company."""

from __future__ import annotations

import datetime as dt
import resource
import time

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from equipoise.db.engine import make_engine
from equipoise.db.migrate import upgrade
from equipoise.demo.build import DEFAULT_START, DemoSpec
from equipoise.demo.service import build_demo
from equipoise.demo.users import DEMO_PASSWORD
from equipoise.interfaces.cli._common import DatabaseUrl, JsonFlag, console, emit_json, fail, resolve_url
from equipoise.kit.errors import AppError

app = typer.Typer(help="The demo company.", no_args_is_help=True)


@app.command("build")
def build_cmd(
    customers: int = typer.Option(20_000, min=10, help="Number of customers."),
    months: int = typer.Option(12, min=1, max=60, help="Months of history to generate."),
    seed: int = typer.Option(7, help="Random seed: the same seed gives the same company."),
    start: str = typer.Option(DEFAULT_START.isoformat(), help="First day of the first month (YYYY-MM-01)."),
    if_absent: bool = typer.Option(False, "--if-absent", help="Do nothing if the database holds data."),
    replace: bool = typer.Option(False, "--replace", help="Delete existing data first."),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """Generate a realistic demo company (deterministic for a seed) into the database."""
    try:
        spec = DemoSpec(customers=customers, months=months, seed=seed, start=dt.date.fromisoformat(start))
    except ValueError as exc:
        fail(str(exc), 2)
    url = resolve_url(database_url)
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=console, disable=json_out) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                label = {"simulate": "simulating months", "write": "writing tables"}[stage]
                if stage not in tasks:
                    tasks[stage] = bar.add_task(label, total=total)
                bar.update(tasks[stage], completed=done)

            result = build_demo(engine, spec, if_absent=if_absent, replace=replace, progress=progress)
    except AppError as exc:
        fail(exc)
    finally:
        engine.dispose()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    payload = {"built": result.built, "reason": result.reason, "rows": result.rows,
               "simulate_seconds": round(result.simulate_seconds, 2),
               "write_seconds": round(result.write_seconds, 2),
               "total_seconds": round(time.perf_counter() - t0, 2), "peak_memory_mib": round(peak_mib, 1),
               "users": result.users, "demo_password": DEMO_PASSWORD if result.users else None,
               "customers": customers, "months": months, "seed": seed}
    if json_out:
        emit_json(payload)
    elif result.built:
        console.print(f"built the demo company: {result.rows.get('customers', 0):,} customers, "
                      f"{result.rows.get('contacts', 0):,} contacts, {result.rows.get('cases', 0):,} cases, "
                      f"{result.rows.get('survey_responses', 0):,} survey responses in "
                      f"{payload['total_seconds']} s (peak memory {peak_mib:,.0f} MiB)")
        console.print("sign in with " + ", ".join(u["email"] for u in result.users)
                      + f" (password: {DEMO_PASSWORD})")
    else:
        console.print(result.reason)
