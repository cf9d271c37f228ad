"""Bulk mode for large imports: secondary indexes (and, on PostgreSQL, foreign keys) off, then rebuilt.

Keeping eight b-tree indexes and seven foreign-key checks up to date row by row costs far more than
writing the rows: PostgreSQL loads finished rows into ``contacts`` at a few percent of its ``COPY``
rate into a plain table. When a file is at least as large as what the tables already hold (and
at least :data:`MIN_ROWS` rows), the import drops the non-unique indexes of the tables it writes
and their outgoing foreign keys, loads its batches, and rebuilds them from the model definitions
(one sort per index, one set-based check per foreign key) — what ``pg_restore`` does.

The unique keys stay (``external_ref`` keeps re-imports idempotent; primary keys stay), and so
does ``ix_contacts_case_id`` (the importer reads a case's latest call through it). Every rebuilt
foreign key is validated against the whole table, so nothing the checks would have refused can
slip in; on SQLite, where foreign keys cannot be dropped, the batches load with the checks off
(``PRAGMA foreign_keys`` of their connection) and :func:`restore` runs ``PRAGMA foreign_key_check``
over the tables instead — one pass, about half the CPU time of the row-by-row checks.
:func:`restore` only creates what is missing: it runs at the end of every import, after an error,
and at the start of the next import after a crash (SIGKILL) that left them off.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, Index, Table, text
from sqlalchemy.schema import AddConstraint, CreateIndex, ForeignKeyConstraint

from equipoise.db.base import Base

#: Files smaller than this keep the indexes (maintaining them costs less than rebuilding).
MIN_ROWS = 50_000
#: Indexes bulk mode keeps although they are not unique.
KEEP = frozenset({"ix_contacts_case_id"})


def _table(name: str) -> Table:
    import equipoise.models  # noqa: F401 - registers every table on the metadata

    return Base.metadata.tables[name]


def _indexes(table: Table) -> list[Index]:
    out = []
    for ix in sorted(table.indexes, key=lambda i: str(i.name)):
        if not ix.unique and str(ix.name) not in KEEP:
            out.append(ix)
    return out


def _foreign_keys(table: Table) -> list[ForeignKeyConstraint]:
    return sorted((c for c in table.constraints if isinstance(c, ForeignKeyConstraint)), key=lambda c: str(c.name))


def _existing(conn, table: str) -> tuple[set[str], set[str]]:
    """Names of the indexes and foreign keys ``table`` has in the database."""
    if conn.dialect.name == "postgresql":
        idx = {r[0] for r in conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = :t "
                                               "AND schemaname = current_schema()"), {"t": table})}
        fks = {r[0] for r in conn.execute(text(
            "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(:t) AND contype = 'f'"),
            {"t": table})}
        return idx, fks
    idx = {r[1] for r in conn.exec_driver_sql(f'PRAGMA index_list("{table}")')}
    return idx, set()


def should_relax(engine: Engine, table: str, file_rows: int) -> bool:
    """True when ``file_rows`` is large and at least as many rows as ``table`` holds now."""
    if file_rows < MIN_ROWS:
        return False
    with engine.connect() as conn:
        held = conn.execute(text(f'SELECT count(*) FROM (SELECT 1 FROM "{table}" LIMIT :n) s'),
                            {"n": file_rows}).scalar_one()
    return int(held) < file_rows


def relax(engine: Engine, tables: Sequence[str]) -> list[str]:
    """Drop the secondary indexes (and PostgreSQL foreign keys) of ``tables``; returns what was dropped."""
    dropped: list[str] = []
    with engine.begin() as conn:
        pg = conn.dialect.name == "postgresql"
        for name in tables:
            table = _table(name)
            idx, fks = _existing(conn, name)
            if pg:
                for fk in _foreign_keys(table):
                    if fk.name in fks:
                        conn.exec_driver_sql(f'ALTER TABLE "{name}" DROP CONSTRAINT "{fk.name}"')
                        dropped.append(str(fk.name))
            for ix in _indexes(table):
                if ix.name in idx:
                    conn.exec_driver_sql(f'DROP INDEX "{ix.name}"')
                    dropped.append(str(ix.name))
    return dropped


def restore(engine: Engine, tables: Sequence[str]) -> list[str]:
    """Create the model's indexes and foreign keys of ``tables`` that are missing; returns them."""
    created: list[str] = []
    with engine.begin() as conn:
        pg = conn.dialect.name == "postgresql"
        for name in tables:
            table = _table(name)
            idx, fks = _existing(conn, name)
            for ix in _indexes(table):
                if ix.name not in idx:
                    conn.execute(CreateIndex(ix))
                    created.append(str(ix.name))
            if pg:
                for fk in _foreign_keys(table):
                    if fk.name not in fks:
                        conn.execute(AddConstraint(fk))
                        created.append(str(fk.name))
            elif created:
                _check_foreign_keys(conn, name)
    return created


def _check_foreign_keys(conn, table: str) -> None:
    """SQLite: every reference of ``table`` must exist (bulk batches load with the checks off)."""
    bad = conn.exec_driver_sql(f'PRAGMA foreign_key_check("{table}")').fetchmany(5)
    if bad:
        shown = ", ".join(f"row {r[1]} -> {r[2]}" for r in bad)
        raise RuntimeError(f"{table}: rows point to missing rows ({shown}); the bulk load is refused")


def missing(engine: Engine, tables: Sequence[str]) -> list[str]:
    """The model's indexes and (PostgreSQL) foreign keys of ``tables`` the database lacks."""
    out: list[str] = []
    with engine.connect() as conn:
        pg = conn.dialect.name == "postgresql"
        for name in tables:
            table = _table(name)
            idx, fks = _existing(conn, name)
            out += [str(ix.name) for ix in table.indexes if ix.name not in idx]
            if pg:
                out += [str(fk.name) for fk in _foreign_keys(table) if fk.name not in fks]
    return out
