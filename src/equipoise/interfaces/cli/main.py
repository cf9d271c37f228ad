"""The ``equipoise`` command: one Typer app, one command group per file."""

from __future__ import annotations

import typer

from equipoise.interfaces.cli import balance as balance_cmd
from equipoise.interfaces.cli import calibrate as calibrate_cmd
from equipoise.interfaces.cli import db as db_cmd
from equipoise.interfaces.cli import demo as demo_cmd
from equipoise.interfaces.cli import ingest as ingest_cmd
from equipoise.interfaces.cli import report as report_cmd
from equipoise.interfaces.cli import serve as serve_cmd
from equipoise.interfaces.cli import simulate as simulate_cmd
from equipoise.interfaces.cli import staff as staff_cmd
from equipoise.interfaces.cli import users as users_cmd
from equipoise.interfaces.cli import worker as worker_cmd

app = typer.Typer(help="Equipoise: customer service cost and satisfaction in balance.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(db_cmd.app, name="db")
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(simulate_cmd.app, name="simulate")
app.add_typer(staff_cmd.app, name="staff")
app.add_typer(users_cmd.app, name="user")
app.add_typer(worker_cmd.app, name="worker")
app.add_typer(calibrate_cmd.app)  # calibrate, forecast
app.add_typer(balance_cmd.app)  # optimize, frontier, scenario
app.add_typer(ingest_cmd.app)  # import
app.command("serve")(serve_cmd.serve)
app.command("report")(report_cmd.report)
app.command("metrics")(report_cmd.metrics_cmd)
app.command("scorecard")(report_cmd.scorecard)
app.command("budget")(report_cmd.budget)
app.command("diagnose")(report_cmd.diagnose)


if __name__ == "__main__":  # pragma: no cover
    app()
