"""Shared CLI helpers: database URL option, JSON output, errors."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

from equipoise.config import get_settings
from equipoise.kit.errors import AppError

console = Console(stderr=True)

DatabaseUrl = typer.Option(None, "--database-url", envvar="EQUIPOISE_DATABASE_URL",
                           help="SQLAlchemy URL (default: the embedded SQLite file).")
JsonFlag = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


def resolve_url(url: str | None) -> str:
    return url or get_settings().database_url


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def fail(error: AppError | str, code: int = 1) -> None:
    message = error.message if isinstance(error, AppError) else error
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
