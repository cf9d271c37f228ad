"""Vectorised helpers over Arrow string columns: per-unique mapping, row errors, timestamps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from equipoise.ingest.source import Reject


def text(table: pa.Table, name: str) -> pa.Array | None:
    """A column as trimmed strings (None when the field is not in the file)."""
    if name not in table.column_names:
        return None
    col = table.column(name).combine_chunks()
    return pc.fill_null(pc.utf8_trim_whitespace(pc.cast(col, pa.string())), "")


def by_unique(values: pa.Array, fn: Callable[[str], Any]) -> np.ndarray:
    """``fn`` applied once per distinct value, spread back to every row (object array)."""
    encoded = pc.dictionary_encode(values)
    mapped = np.array([fn(v) for v in encoded.dictionary.to_pylist()] + [None], dtype=object)
    idx = np.asarray(pc.fill_null(encoded.indices, len(encoded.dictionary)), dtype=np.int64)
    return mapped[idx]


def present(values: pa.Array) -> np.ndarray:
    """True where a value is given (not empty)."""
    return np.asarray(pc.not_equal(values, ""), dtype=bool)


class RowErrors:
    """The first problem of each row of a batch, kept as rejects."""

    def __init__(self, row_numbers: np.ndarray) -> None:
        self.rows = row_numbers
        self.bad = np.zeros(row_numbers.size, dtype=bool)
        self.rejects: list[Reject] = []

    def add(self, mask: np.ndarray, field: str, values: pa.Array | np.ndarray | None,
            reason: str | Callable[[Any], str]) -> None:
        """Reject rows in ``mask`` not already rejected, with ``reason`` (text or value → text)."""
        new = np.flatnonzero(mask & ~self.bad)
        if not new.size:
            return
        if values is None:
            vals: list[Any] = [None] * new.size
        elif isinstance(values, np.ndarray):
            vals = values[new].tolist()
        else:
            vals = values.take(pa.array(new)).to_pylist()
        for i, v in zip(new.tolist(), vals, strict=True):
            why = reason(v) if callable(reason) else reason
            self.rejects.append(Reject(int(self.rows[i]), field, None if v is None else str(v)[:500], why))
        self.bad[new] = True

    @property
    def good(self) -> np.ndarray:
        return ~self.bad


def datetimes(seconds: np.ndarray, given: np.ndarray) -> list:
    """Seconds since 1970 → naive datetimes (None where not given)."""
    out = seconds.astype("datetime64[s]").astype("datetime64[us]").tolist()
    if not given.all():
        for i in np.flatnonzero(~given).tolist():
            out[i] = None
    return out


def stamp_texts(seconds: np.ndarray, given: np.ndarray) -> list:
    """Seconds since 1970 → the text SQLAlchemy stores for naive datetimes (None where not given).

    ``YYYY-MM-DD HH:MM:SS.ffffff`` is what SQLite keeps and what PostgreSQL's COPY parses, so rows
    can be bulk-loaded without converting each value in Python.
    """
    stamps = pa.array(seconds.astype("datetime64[s]"), type=pa.timestamp("s"),
                      mask=~given if not given.all() else None)
    return pc.strftime(stamps, format="%Y-%m-%d %H:%M:%S.000000").to_pylist()


def raw_table(name: str, columns: tuple[str, ...]):
    """A typeless view of a table for bulk loads of pre-formatted values (no per-value conversion)."""
    import sqlalchemy as sa

    return sa.table(name, *[sa.column(c) for c in columns])
