"""``equipoise db``: schema migrations."""

from __future__ import annotations

import typer

from equipoise.db.migrate import current_revision, upgrade
from equipoise.interfaces.cli._common import DatabaseUrl, JsonFlag, console, emit_json, resolve_url

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag) -> None:
    """Create or migrate the schema to the newest revision."""
    url = resolve_url(database_url)
    before = current_revision(url)
    after = upgrade(url)
    if json_out:
        emit_json({"from_revision": before, "revision": after})
    else:
        console.print(f"schema at revision [bold]{after}[/] (was {before or 'empty'})")


@app.command("current")
def current_cmd(database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag) -> None:
    """Show the schema revision of the database."""
    rev = current_revision(resolve_url(database_url))
    if json_out:
        emit_json({"revision": rev})
    else:
        console.print(rev or "empty (run: equipoise db upgrade)")
