"""ingest: imported files, committed batches, rejected rows, staged event-log rows

Revision ID: 0002_ingest
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ingest"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _file_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["file_id"], ["import_files.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_file_id_import_files"))


def upgrade() -> None:
    op.create_table(
        "import_files",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("mapping_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("batch_rows", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_files")),
        sa.UniqueConstraint("kind", "sha256", name="uq_import_files_kind_sha256"),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("file_id", _ID, nullable=False),
        sa.Column("batch_no", sa.Integer(), nullable=False),
        sa.Column("first_row", sa.Integer(), nullable=False),
        sa.Column("last_row", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),
        _file_fk("import_batches"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
        sa.UniqueConstraint("file_id", "batch_no", name="uq_import_batches_file_batch"),
    )
    op.create_table(
        "import_rejects",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("file_id", _ID, nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        _file_fk("import_rejects"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rejects")),
    )
    op.create_index("ix_import_rejects_file_row", "import_rejects", ["file_id", "row_number"])
    op.create_table(
        "import_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("file_id", _ID, nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.String(length=100), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("activity", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("resource", sa.String(length=100), nullable=True),
        sa.Column("attrs", sa.JSON(), nullable=False),
        _file_fk("import_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_events")),
    )
    op.create_index("ix_import_events_file_case", "import_events",
                    ["file_id", "case_ref", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_import_events_file_case", table_name="import_events")
    op.drop_table("import_events")
    op.drop_index("ix_import_rejects_file_row", table_name="import_rejects")
    op.drop_table("import_rejects")
    op.drop_table("import_batches")
    op.drop_table("import_files")
