"""Fast bulk inserts: PostgreSQL ``COPY`` through psycopg, ``executemany`` elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    count = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(dict(zip(columns, row, strict=True)))
        if len(chunk) >= chunk_rows:
            conn.execute(stmt, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.execute(stmt, chunk)
        count += len(chunk)
    return count


def _executemany_sqlite(conn: Connection, table: Table, columns: Sequence[str],
                        rows: Iterable[Sequence[Any]], chunk_rows: int) -> int:
    """DBAPI ``executemany`` with SQLAlchemy's own value conversions (same stored formats)."""
    processors = [(i, table.c[c].type._cached_bind_processor(conn.dialect)) for i, c in enumerate(columns)]
    processors = [(i, p) for i, p in processors if p is not None]
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join("?" * len(columns))})'
    cursor = conn.connection.driver_connection.cursor()
    count = 0
    chunk: list[Sequence[Any]] = []
    for row in rows:
        if processors:
            row = list(row)
            for i, proc in processors:
                if row[i] is not None:
                    row[i] = proc(row[i])
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            cursor.executemany(sql, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        cursor.executemany(sql, chunk)
        count += len(chunk)
    cursor.close()
    return count


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
