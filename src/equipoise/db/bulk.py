"""Fast bulk inserts: PostgreSQL ``COPY`` through psycopg, ``executemany`` elsewhere.

:func:`bulk_insert` takes rows (tuples); :func:`write_columns` takes whole columns (Arrow arrays)
and never builds a Python object per value on PostgreSQL: the columns are written as CSV by
Arrow and streamed to ``COPY``. :func:`reserve_ids` hands out primary keys ahead of an insert so
rows can point at each other (contacts at their case) without a round trip per row.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from sqlalchemy import Connection, Table, insert

#: Rows per COPY chunk / executemany call of :func:`write_columns` (bounds the CSV buffer).
_COLUMN_CHUNK = 100_000


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
        out = list(row)
        for i, proc in processors:
            if out[i] is not None:
                out[i] = proc(out[i])
        return out

    cursor = conn.connection.driver_connection.cursor()
    try:
        source = (convert(r) for r in rows) if processors else rows
        return _in_chunks(source, chunk_rows, lambda chunk: cursor.executemany(sql, chunk))
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


def write_columns(conn: Connection, table: str, columns: Mapping[str, pa.Array]) -> int:
    """Insert whole columns (equal-length Arrow arrays; nulls are NULL) within the caller's transaction.

    Timestamps (``timestamp[s]``) are stored as SQLAlchemy stores naive datetimes on SQLite
    (``YYYY-MM-DD HH:MM:SS.000000``) and as ``timestamp`` on PostgreSQL.
    """
    names = list(columns)
    if not names:
        return 0
    n = len(columns[names[0]])
    if any(len(a) != n for a in columns.values()):
        raise ValueError(f"write_columns({table}): columns of different lengths")
    if n == 0:
        return 0
    cols = ", ".join(f'"{c}"' for c in names)
    if conn.dialect.name == "postgresql":
        data = pa.table({c: columns[c] for c in names})
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN WITH (FORMAT csv)') as copy:
            for lo in range(0, n, _COLUMN_CHUNK):
                buf = io.BytesIO()
                pcsv.write_csv(data.slice(lo, _COLUMN_CHUNK), buf,
                               pcsv.WriteOptions(include_header=False, quoting_style="needed"))
                copy.write(buf.getbuffer())
        return n
    sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(names))})'
    cursor = conn.connection.driver_connection.cursor()
    try:
        for lo in range(0, n, _COLUMN_CHUNK):
            lists = [_py_values(columns[c].slice(lo, _COLUMN_CHUNK)) for c in names]
            cursor.executemany(sql, zip(*lists, strict=True))
    finally:
        cursor.close()
    return n


def _py_values(arr: pa.Array) -> list:
    """An Arrow column as the Python values the SQLite driver stores (one list, no per-value calls)."""
    if pa.types.is_timestamp(arr.type):
        text = pc.cast(pc.cast(arr, pa.timestamp("s")), pa.string())
        return pc.binary_join_element_wise(text, ".000000", "").to_pylist()
    if arr.null_count == 0 and (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)
                                or pa.types.is_boolean(arr.type)):
        return arr.to_numpy(zero_copy_only=False).tolist()
    return arr.to_pylist()


def reserve_ids(conn: Connection, table: str, n: int, column: str = "id") -> np.ndarray:
    """``n`` primary keys for rows the caller inserts next in this transaction (ascending).

    PostgreSQL draws them from the column's sequence (safe with concurrent writers); SQLite
    continues after the largest id (the database has one writer at a time).
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if conn.dialect.name == "postgresql":
        seq = conn.exec_driver_sql("SELECT pg_get_serial_sequence(%s, %s)", (f'"{table}"', column)).scalar_one()
        ids = conn.exec_driver_sql("SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
                                   (seq, n)).scalar_one()
        return np.sort(np.array(ids.split(","), dtype=np.int64))
    top = conn.exec_driver_sql(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"').scalar()
    return np.arange(int(top) + 1, int(top) + 1 + n, dtype=np.int64)
