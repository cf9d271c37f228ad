"""Import bookkeeping: one row per imported file, its committed batches, rejected rows, staged events.

A file is identified by its kind and the SHA-256 of its bytes. Each batch of rows is written in one
transaction together with its ``import_batches`` row, so a crashed import resumes after the last
committed batch and a finished one is recognised and skipped.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, Json, pk

IMPORT_STATUSES = ("running", "staged", "done")


class ImportFile(Base):
    __tablename__ = "import_files"
    __table_args__ = (UniqueConstraint("kind", "sha256", name="uq_import_files_kind_sha256"),)

    id: Mapped[int] = pk()
    #: contacts | cases | cdr | events | zendesk | freshdesk
    kind: Mapped[str] = mapped_column(String(32))
    #: SHA-256 of the file's bytes, hex.
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(500))
    #: SHA-256 of the normalised column mapping the file was imported with.
    mapping_sha256: Mapped[str] = mapped_column(String(64))
    #: running (batches being committed) | staged (events staged, cases being built) | done
    status: Mapped[str] = mapped_column(String(16), default="running")
    #: Rows per batch; fixed at the first run so a resumed run cuts the same batches.
    batch_rows: Mapped[int] = mapped_column(Integer)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The final summary (counts) once done.
    summary: Mapped[dict | None] = mapped_column(Json)


class ImportBatch(Base):
    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("file_id", "batch_no", name="uq_import_batches_file_batch"),)

    id: Mapped[int] = pk()
    file_id: Mapped[int] = mapped_column(BigId, ForeignKey("import_files.id", ondelete="CASCADE"))
    #: 0, 1, 2, ... for row batches; negative numbers for the case-building phase of event logs.
    batch_no: Mapped[int] = mapped_column(Integer)
    first_row: Mapped[int] = mapped_column(Integer)
    last_row: Mapped[int] = mapped_column(Integer)
    #: Counts written by the batch: imported, rejected, duplicates, created customers/agents/...
    counts: Mapped[dict] = mapped_column(Json, default=dict)
    committed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ImportReject(Base):
    __tablename__ = "import_rejects"
    __table_args__ = (Index("ix_import_rejects_file_row", "file_id", "row_number"),)

    id: Mapped[int] = pk()
    file_id: Mapped[int] = mapped_column(BigId, ForeignKey("import_files.id", ondelete="CASCADE"))
    #: 1-based data row (the first row after the header is 1).
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(100))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))


class ImportEvent(Base):
    """An event-log row staged before its case is rebuilt (events of a case may be anywhere in a file)."""

    __tablename__ = "import_events"
    __table_args__ = (Index("ix_import_events_file_case", "file_id", "case_ref", "occurred_at"),)

    id: Mapped[int] = pk()
    file_id: Mapped[int] = mapped_column(BigId, ForeignKey("import_files.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    case_ref: Mapped[str] = mapped_column(String(100))
    #: The lifecycle step the activity maps to (create, message, reply, pause, resolve, ...).
    step: Mapped[str] = mapped_column(String(16))
    activity: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resource: Mapped[str | None] = mapped_column(String(100))
    #: Optional per-event attributes: customer, channel, reason, priority, duration_seconds.
    attrs: Mapped[dict] = mapped_column(Json, default=dict)
