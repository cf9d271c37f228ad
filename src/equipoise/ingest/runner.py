"""The import loop: one transaction per batch, resumable after a crash, idempotent on re-runs.

A file is keyed by (kind, SHA-256 of its bytes). Each batch — its rows, the customers/agents/reasons
it creates, its rejects and its ``import_batches`` record — commits as one transaction, so after
SIGKILL the committed batches are whole and the re-run skips exactly those. A finished file is
recognised and adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, insert, select, update

from equipoise.db.bulk import bulk_insert
from equipoise.ingest import bulkmode
from equipoise.ingest.dims import Dimensions
from equipoise.ingest.mapping import FileRefused, KindSpec, Mapping, load_mapping
from equipoise.ingest.source import Batch, Reject, SourceInfo, inspect_file, read_batches
from equipoise.models.imports import ImportBatch, ImportFile, ImportReject

DEFAULT_BATCH_ROWS = 20_000
Progress = Callable[[int, int], None]
_STANDARD = ("imported", "rejected", "duplicates")
_REJECT_COLS = ("file_id", "row_number", "field", "value", "reason")


@dataclass
class BatchResult:
    """What one batch wrote."""

    imported: int = 0
    duplicates: int = 0
    rejects: list[Reject] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class ImportContext:
    """Everything an importer needs while writing batches of one file."""

    file_id: int
    spec: KindSpec
    mapping: Mapping
    info: SourceInfo
    dims: Dimensions
    #: The moment SLA outcomes of unfinished cases are judged at (naive local time).
    as_of: dt.datetime


class Importer(Protocol):
    spec: KindSpec
    multiline: bool

    def check(self, info: SourceInfo, mapping: Mapping) -> None: ...

    def write_batch(self, conn: Connection, ctx: ImportContext, batch: Batch) -> BatchResult: ...

    def finish(self, engine: Engine, ctx: ImportContext, progress: Progress | None) -> None: ...


@dataclass(frozen=True)
class ImportSummary:
    """Counts of one import run (cumulative over resumed runs of the same file)."""

    kind: str
    #: Id of the file's bookkeeping row (import_files.id): the handle of its rejects.
    import_id: int
    file: str
    sha256: str
    rows: int
    imported: int
    rejected: int
    duplicates: int
    created: dict[str, int]
    #: Rows written per table (cases, contacts) where an import writes more than one kind of row.
    written: dict[str, int]
    already_imported: bool
    resumed: bool
    rejects_file: str | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _open_file(engine: Engine, spec: KindSpec, mapping: Mapping, info: SourceInfo,
               batch_rows: int) -> tuple[int, str, int, dict[int, dict]]:
    """The file's bookkeeping row (created if new): id, status, batch size, committed batches."""
    t, b = ImportFile.__table__, ImportBatch.__table__
    with engine.begin() as conn:
        row = conn.execute(select(t.c.id, t.c.status, t.c.mapping_sha256, t.c.batch_rows)
                           .where(t.c.kind == spec.name, t.c.sha256 == info.sha256)).first()
        if row is None:
            fid = conn.execute(insert(t).returning(t.c.id), [{
                "kind": spec.name, "sha256": info.sha256, "filename": info.path.name[:500],
                "mapping_sha256": mapping.sha256, "status": "running", "batch_rows": batch_rows,
                "rows_total": info.rows_estimate, "started_at": _now(), "finished_at": None,
                "summary": None}]).scalar_one()
            return int(fid), "running", batch_rows, {}
        if row.status != "done" and row.mapping_sha256 != mapping.sha256:
            raise FileRefused(f"file: {info.path.name} was partly imported with a different mapping; "
                              "re-run it with the same mapping to finish", field="mapping")
        done = {int(n): c for n, c in conn.execute(select(b.c.batch_no, b.c.counts)
                                                  .where(b.c.file_id == row.id))}
        return int(row.id), row.status, int(row.batch_rows), done


def import_file(engine: Engine, importer: Importer, path: Path | str,
                mapping: Path | str | dict | None = None, *, batch_rows: int | None = None,
                rejects_path: Path | str | None = None, progress: Progress | None = None,
                as_of: dt.datetime | None = None) -> ImportSummary:
    """Import ``path`` with ``importer``; refuses malformed files before writing anything."""
    started = time.perf_counter()
    spec = importer.spec
    if batch_rows is not None and batch_rows < 1:
        raise ValueError(f"batch_rows: expected a positive number of rows, got {batch_rows}")
    mp = load_mapping(spec, mapping)
    info = inspect_file(path, spec, mp)
    importer.check(info, mp)
    fid, status, size, done = _open_file(engine, spec, mp, info, batch_rows or DEFAULT_BATCH_ROWS)
    rejects_file = Path(rejects_path) if rejects_path else info.path.with_name(
        info.path.name + ".rejects.csv")
    # Large files load with the secondary indexes off (rebuilt below); a crash that left them off
    # is repaired by the next import of this kind.
    bulk_tables: tuple[str, ...] = tuple(getattr(importer, "bulk_tables", ()))
    relaxed = bool(bulk_tables) and status == "running" and bulkmode.should_relax(
        engine, bulk_tables[0], info.rows_estimate - sum(_rows(c) for c in done.values()))
    if bulk_tables and not relaxed:
        bulkmode.restore(engine, bulk_tables)
    if status == "done":
        return _summary(engine, spec, info, fid, started, already=True, rejects_file=rejects_file)
    ctx = ImportContext(fid, spec, mp, info, Dimensions(mp.defaults), as_of or _now())
    resumed = bool(done)
    rows_seen = 0
    total = info.rows_estimate
    if status == "running":
        if relaxed:
            bulkmode.relax(engine, bulk_tables)
        try:
            for number, batch in enumerate(read_batches(info, mp, size, multiline=importer.multiline)):
                rows_seen += len(batch) + len(batch.invalid)
                if number not in done:
                    _commit_batch(engine, importer, ctx, number, batch, bulk=relaxed)
                if progress:
                    progress(rows_seen, max(total, rows_seen))
        finally:
            if relaxed:
                bulkmode.restore(engine, bulk_tables)
        with engine.begin() as conn:
            conn.execute(update(ImportFile.__table__).where(ImportFile.__table__.c.id == fid)
                         .values(status="staged"))
    importer.finish(engine, ctx, progress)
    summary = _summary(engine, spec, info, fid, started, already=False, rejects_file=rejects_file,
                       resumed=resumed)
    with engine.begin() as conn:
        conn.execute(update(ImportFile.__table__).where(ImportFile.__table__.c.id == fid).values(
            status="done", finished_at=_now(), summary=summary.to_dict()))
    return summary


def _rows(counts: dict) -> int:
    return sum(int(counts.get(k, 0)) for k in _STANDARD)


def _commit_batch(engine: Engine, importer: Importer, ctx: ImportContext, number: int,
                  batch: Batch, *, bulk: bool = False) -> None:
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # outside the transaction: SQLite ignores foreign_keys inside one
                conn.exec_driver_sql("PRAGMA cache_size=-131072")  # 128 MB: index upkeep stays in memory
                if bulk:  # checked for the whole tables when bulk mode ends (bulkmode.restore)
                    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            try:
                with conn.begin():
                    _write_batch(conn, importer, ctx, number, batch)
            finally:
                if sqlite and bulk:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()
    except BaseException:
        ctx.dims.forget()
        raise


def _write_batch(conn: Connection, importer: Importer, ctx: ImportContext, number: int, batch: Batch) -> None:
    result = importer.write_batch(conn, ctx, batch) if len(batch) else BatchResult()
    rejects = list(batch.invalid) + result.rejects
    if rejects:
        bulk_insert(conn, ImportReject.__table__, _REJECT_COLS,
                    ((ctx.file_id, r.row, r.field[:100], r.value, r.reason[:500]) for r in rejects))
    counts = {"imported": result.imported, "rejected": len(rejects),
              "duplicates": result.duplicates, **result.counts,
              **{f"created_{k}": v for k, v in ctx.dims.take_created().items()}}
    conn.execute(insert(ImportBatch.__table__), [{
        "file_id": ctx.file_id, "batch_no": number, "first_row": batch.first_row,
        "last_row": batch.last_row, "counts": counts, "committed_at": _now()}])


def _summary(engine: Engine, spec: KindSpec, info: SourceInfo, fid: int, started: float, *,
             already: bool, rejects_file: Path, resumed: bool = False) -> ImportSummary:
    b = ImportBatch.__table__
    totals: Counter[str] = Counter()
    with engine.connect() as conn:
        for (counts,) in conn.execute(select(b.c.counts).where(b.c.file_id == fid)):
            totals.update({k: int(v) for k, v in counts.items()})
    rejected = totals["rejected"]
    written = None
    if rejected and not already:
        write_rejects(engine, fid, rejects_file)
        written = str(rejects_file)
    elif rejected and rejects_file.is_file():
        written = str(rejects_file)
    created = {k.removeprefix("created_"): v for k, v in sorted(totals.items())
               if k.startswith("created_") and v}
    rows = totals["imported"] + rejected + totals["duplicates"]
    written_rows = {k: v for k, v in sorted(totals.items()) if k not in _STANDARD and
                    not k.startswith("created_")}
    return ImportSummary(spec.name, fid, str(info.path), info.sha256, rows, totals["imported"], rejected,
                         totals["duplicates"], created, written_rows, already, resumed, written,
                         round(time.perf_counter() - started, 3))


def iter_rejects(engine: Engine, file_id: int, limit: int | None = None) -> Iterator[tuple]:
    """Rejected rows of an import, in row order: (row, field, value, reason)."""
    r = ImportReject.__table__
    stmt = (select(r.c.row_number, r.c.field, r.c.value, r.c.reason)
            .where(r.c.file_id == file_id).order_by(r.c.row_number, r.c.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=10_000).execute(stmt):
            yield tuple(row)


def write_rejects(engine: Engine, file_id: int, path: Path | str) -> int:
    """Write the rejected rows of an import as CSV (row, field, value, reason); returns the count."""
    n = 0
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["row", "field", "value", "reason"])
        for row in iter_rejects(engine, file_id):
            out.writerow(row)
            n += 1
    return n
