"""Entry point of every import: pick the importer for a kind and run it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from equipoise.ingest.cdr import CdrImporter
from equipoise.ingest.events import EventsImporter
from equipoise.ingest.helpdesks import FreshdeskImporter, ZendeskImporter, survey_columns
from equipoise.ingest.mapping import KindSpec
from equipoise.ingest.native import CasesImporter, ContactsImporter
from equipoise.ingest.runner import Importer, ImportSummary, Progress, import_file
from equipoise.ingest.surveys_import import SurveysImporter
from equipoise.kit.errors import InvalidInput

IMPORTERS: dict[str, type] = {"contacts": ContactsImporter, "cases": CasesImporter, "cdr": CdrImporter,
                              "events": EventsImporter, "zendesk": ZendeskImporter,
                              "freshdesk": FreshdeskImporter, "surveys": SurveysImporter}


def kinds() -> dict[str, KindSpec]:
    """Every import kind with its specification."""
    return {name: cls.spec for name, cls in IMPORTERS.items()}


def importer_for(kind: str) -> Importer:
    """A new importer for ``kind``; InvalidInput names the known kinds."""
    cls = IMPORTERS.get(kind)
    if cls is None:
        raise InvalidInput(f"kind: unknown import kind {kind!r} (known: {', '.join(IMPORTERS)})",
                           field="kind")
    return cls()


def run_import(engine: Engine, kind: str, path: Path | str, mapping: Path | str | dict | None = None,
               *, batch_rows: int | None = None, rejects_path: Path | str | None = None,
               progress: Progress | None = None, as_of: dt.datetime | None = None) -> ImportSummary:
    """Import the file at ``path`` as ``kind``; see :func:`equipoise.ingest.runner.import_file`."""
    importer = importer_for(kind)
    return import_file(engine, importer, path, survey_columns(kind, path, mapping), batch_rows=batch_rows,
                       rejects_path=rejects_path, progress=progress, as_of=as_of)
