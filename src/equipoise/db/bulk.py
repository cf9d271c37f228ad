"""Fast bulk inserts: PostgreSQL ``COPY`` through psycopg, ``executemany`` elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                *, chunk_rows: int = 50_000) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` within the caller's transaction."""
    if conn.dialect.name == "postgresql":
        return _copy_postgres(conn, table, columns, rows)
    if conn.dialect.name == "sqlite":
        return _executemany_sqlite(conn, table, columns, rows, chunk_rows)
    stmt = insert(table)
    return _in_chunks((dict(zip(columns, row, strict=True)) for row in rows), chunk_rows,
                      lambda chunk: conn.execute(stmt, chunk))


def _in_chunks(rows: Iterable[Any], chunk_rows: int, run: Callable[[list[Any]], object]) -> int:
    count = 0
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            run(chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        run(chunk)
        count += len(chunk)
    return count


def _executemany_sqlite(conn: Connection, table: Table, columns: Sequence[str],
                        rows: Iterable[Sequence[Any]], chunk_rows: int) -> int:
    """DBAPI ``executemany`` with SQLAlchemy's own value conversions (same stored formats)."""
    found = [(i, table.c[c].type._cached_bind_processor(conn.dialect)) for i, c in enumerate(columns)]
    processors = [(i, p) for i, p in found if p is not None]
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join("?" * len(columns))})'

    def convert(row: Sequence[Any]) -> Sequence[Any]:
        if not processors:
            return row
        out = list(row)
        for i, proc in processors:
            if out[i] is not None:
                out[i] = proc(out[i])
        return out

    cursor = conn.connection.driver_connection.cursor()
    try:
        return _in_chunks((convert(r) for r in rows), chunk_rows, lambda chunk: cursor.executemany(sql, chunk))
    finally:
        cursor.close()


def _copy_postgres(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    raw = conn.connection.driver_connection  # psycopg.Connection
    cols = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def reset_sequence(conn: Connection, table: Table, column: str = "id") -> None:
    """After inserting explicit ids, move a PostgreSQL identity/serial sequence past the maximum."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column}'), "
        f"COALESCE((SELECT MAX(\"{column}\") FROM \"{table.name}\"), 0) + 1, false)"
    )
