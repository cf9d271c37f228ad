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
