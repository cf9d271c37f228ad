"""``equipoise import KIND FILE``: contacts, cases, call records, event logs, ticket exports or survey answers."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from equipoise.db.engine import make_engine
from equipoise.ingest.mapping import FileRefused
from equipoise.ingest.runner import ImportSummary
from equipoise.ingest.service import IMPORTERS, run_import
from equipoise.interfaces.cli._common import DatabaseUrl, JsonFlag, console, emit_json, fail, resolve_url
from equipoise.kit.errors import AppError

app = typer.Typer(help="Import data from files.")
out = Console()

#: Exit codes: 0 all rows imported, 3 some rows rejected (see the reject file), 2 file refused.
EXIT_REJECTS = 3
EXIT_REFUSED = 2


@app.command("import")
def import_command(
    kind: str = typer.Argument(..., help=f"What the file holds: {', '.join(IMPORTERS)}."),
    file: Path = typer.Argument(..., help="The file (CSV/TSV, Parquet or JSON, by kind)."),
    mapping: Path | None = typer.Option(None, "--mapping", "-m", help="YAML column mapping."),
    rejects: Path | None = typer.Option(None, "--rejects",
                                        help="Where to write rejected rows (default: FILE.rejects.csv)."),
    batch_rows: int | None = typer.Option(None, "--batch-rows", min=1,
                                          help="Rows per committed batch (fixed at the first run)."),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """Import FILE as KIND: bad rows go to a reject file, re-running never duplicates.

    Exit code 0: every row imported; 3: some rows were rejected; 2: the file was refused.
    """
    if kind not in IMPORTERS:
        fail(f"unknown import kind {kind!r} (known: {', '.join(IMPORTERS)})", EXIT_REFUSED)
    engine = make_engine(resolve_url(database_url))
    columns = (TextColumn(f"importing {file.name}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, disable=json_out, transient=True) as bar:
            task = bar.add_task("import", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = run_import(engine, kind, file, mapping, batch_rows=batch_rows,
                                 rejects_path=rejects, progress=progress)
    except FileRefused as exc:
        if json_out:
            emit_json({"refused": True, "error": exc.message})
        fail(exc, EXIT_REFUSED)
    except AppError as exc:
        fail(exc, EXIT_REFUSED)
    finally:
        engine.dispose()
    if json_out:
        emit_json(summary.to_dict())
    else:
        out.print(_table(summary))
    if summary.rejected:
        console.print(f"[yellow]{summary.rejected:,} row(s) rejected[/]: see {summary.rejects_file}")
        raise typer.Exit(EXIT_REJECTS)


def _table(s: ImportSummary) -> Table:
    title = f"{s.kind} import of {Path(s.file).name}"
    if s.already_imported:
        title += " (already imported: nothing added)"
    elif s.resumed:
        title += " (resumed after an interruption)"
    table = Table(title=title)
    table.add_column("rows")
    table.add_column("count", justify="right")
    for label, value in (("read", s.rows), ("imported", s.imported), ("rejected", s.rejected),
                         ("duplicates skipped", s.duplicates)):
        table.add_row(label, f"{value:,}")
    for name, value in s.written.items():
        table.add_row(f"{name} written", f"{value:,}")
    for name, value in s.created.items():
        table.add_row(f"new {name}", f"{value:,}")
    table.caption = f"{s.seconds:,.1f} s"
    return table
