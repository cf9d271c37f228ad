"""Files in: a checking pre-pass (hash, encoding, header) and streaming readers cut into batches.

Nothing is written before :func:`inspect_file` has read the whole file once: a wrong encoding or
a missing column refuses the file up front. Readers then stream fixed-size batches, numbering
rows from 1 (the first row after the header); CSV rows with the wrong number of cells are
returned as rejects of the batch they fall in.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from equipoise.ingest.mapping import FileRefused, KindSpec, Mapping

_BLOCK = 1 << 22
FILE_TYPES = {".parquet": "parquet", ".pq": "parquet", ".json": "json", ".ndjson": "json",
              ".jsonl": "json"}


@dataclass(frozen=True)
class Reject:
    """One bad row: where, which field, the value and why."""

    row: int
    field: str
    value: str | None
    reason: str


@dataclass(frozen=True)
class SourceInfo:
    """What the pre-pass learned about a file."""

    path: Path
    file_type: str
    sha256: str
    rows_estimate: int
    #: field -> source column, for the fields present in the file.
    present: dict[str, str]
    delimiter: str


@dataclass
class Batch:
    """A slice of consecutive rows, as an Arrow table of the mapped fields or as dicts."""

    row_numbers: np.ndarray
    table: pa.Table | None = None
    records: list[dict[str, Any]] | None = None
    invalid: list[Reject] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.row_numbers.size)

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts of field -> value."""
        return self.records if self.records is not None else self.table.to_pylist()

    @property
    def first_row(self) -> int:
        nums = [int(self.row_numbers.min())] if len(self) else []
        return min(nums + [r.row for r in self.invalid], default=0)

    @property
    def last_row(self) -> int:
        nums = [int(self.row_numbers.max())] if len(self) else []
        return max(nums + [r.row for r in self.invalid], default=0)


def file_type_of(path: Path) -> str:
    return FILE_TYPES.get(path.suffix.lower(), "csv")


def inspect_file(path: Path | str, spec: KindSpec, mapping: Mapping) -> SourceInfo:
    """Hash the file, check its encoding and columns; FileRefused explains what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise FileRefused(f"file: {path} does not exist or is not a file", field="file")
    kind = file_type_of(path)
    if kind not in spec.file_types:
        raise FileRefused(f"file: {spec.name} imports take {', '.join(spec.file_types)} files, "
                          f"not {kind} ({path.name})", field="file")
    digest, lines = _hash_and_check(path, mapping.encoding if kind != "parquet" else None)
    delimiter = mapping.delimiter or ","
    if kind == "parquet":
        try:
            meta = pq.ParquetFile(path).metadata
        except (pa.ArrowException, OSError) as exc:
            raise FileRefused(f"file: {path.name} is not a readable Parquet file ({exc})",
                              field="file") from None
        header, rows = list(meta.schema.to_arrow_schema().names), meta.num_rows
    elif kind == "json":
        header, rows = list(spec.columns.values()) or list(mapping.columns.values()), lines
    else:
        first = _first_line(path, mapping.encoding)
        if not first.strip():
            raise FileRefused(f"file: {path.name} is empty (expected a header row)", field="file")
        if mapping.delimiter is None and "\t" in first:
            delimiter = "\t"
        header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter))]
        rows = max(lines - 1, 0)
    present = _present_fields(spec, mapping, header, path.name, check=kind != "json")
    return SourceInfo(path, kind, digest, rows, present, delimiter)


def _hash_and_check(path: Path, encoding: str | None) -> tuple[str, int]:
    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)("strict") if encoding else None
    lines, offset = 0, 0
    with path.open("rb") as fh:
        while chunk := fh.read(_BLOCK):
            sha.update(chunk)
            lines += chunk.count(b"\n")
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    at = offset + exc.start
                    line = lines - chunk.count(b"\n") + chunk[: exc.start].count(b"\n") + 1
                    raise FileRefused(
                        f"file: {path.name} is not valid {encoding}: byte 0x{chunk[exc.start]:02x} "
                        f"at offset {at} (line {line}); convert the file or set `encoding:` in the "
                        "mapping", field="file") from None
            offset += len(chunk)
        if decoder is not None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise FileRefused(f"file: {path.name} ends inside a multi-byte {encoding} "
                                  "character (truncated file?)", field="file") from None
    if offset and not lines:
        lines = 1
    return sha.hexdigest(), lines


def _first_line(path: Path, encoding: str) -> str:
    enc = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open("r", encoding=enc, newline="") as fh:
        return fh.readline().rstrip("\r\n")


def _present_fields(spec: KindSpec, mapping: Mapping, header: list[str], name: str,
                    check: bool) -> dict[str, str]:
    if check and len(set(header)) != len(header):
        dup = sorted({c for c in header if header.count(c) > 1})
        raise FileRefused(f"file: {name} repeats the column(s) {', '.join(dup)}", field="file")
    present: dict[str, str] = {}
    missing_required, missing_mapped = [], []
    for f in spec.fields:
        column = mapping.columns.get(f.name)
        if column is None:
            continue
        if not check or column in header:
            present[f.name] = column
        elif f.required:
            missing_required.append(f"{column!r} ({f.name})")
        elif f.name in mapping.explicit:
            missing_mapped.append(f"{column!r} ({f.name})")
    if missing_required or missing_mapped:
        parts = []
        if missing_required:
            parts.append(f"missing required column(s) {', '.join(missing_required)}")
        if missing_mapped:
            parts.append(f"mapped column(s) {', '.join(missing_mapped)} not found")
        raise FileRefused(f"file: {name}: {'; '.join(parts)} (the file has: "
                          f"{', '.join(header[:30])})", field="file")
    return present


def read_batches(info: SourceInfo, mapping: Mapping, batch_rows: int, *,
                 multiline: bool = False) -> Iterator[Batch]:
    """Stream the file in batches of ``batch_rows`` good rows (the last may be shorter)."""
    if info.file_type == "parquet":
        yield from _parquet(info, batch_rows)
    elif info.file_type == "json":
        yield from _json(info, mapping, batch_rows)
    else:
        yield from _rebatch(_csv(info, mapping, multiline), batch_rows)


def _select(table: pa.Table, present: dict[str, str]) -> pa.Table:
    return pa.table({f: table.column(c) for f, c in present.items()})


def _csv(info: SourceInfo, mapping: Mapping, multiline: bool) -> Iterator[Batch]:
    invalid: list[Reject] = []

    def handler(row: pcsv.InvalidRow) -> str:
        invalid.append(Reject(int(row.number) - 1, "*", (row.text or "")[:500],
                              f"expected {row.expected_columns} cells, got {row.actual_columns}"))
        return "skip"

    columns = sorted(set(info.present.values()))
    reader = pcsv.open_csv(
        info.path,
        read_options=pcsv.ReadOptions(use_threads=False, block_size=_BLOCK,
                                      encoding="utf8" if mapping.encoding == "utf-8" else mapping.encoding),
        parse_options=pcsv.ParseOptions(delimiter=info.delimiter, newlines_in_values=multiline,
                                        invalid_row_handler=handler),
        convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                            include_columns=columns, strings_can_be_null=False,
                                            quoted_strings_can_be_null=False))
    cursor = 1
    for record_batch in reader:
        skip = {r.row for r in invalid}
        n = record_batch.num_rows
        numbers = np.array([x for x in range(cursor, cursor + n + len(skip)) if x not in skip][:n],
                           dtype=np.int64) if skip else np.arange(cursor, cursor + n, dtype=np.int64)
        table = _select(pa.Table.from_batches([record_batch]), info.present)
        yield Batch(numbers, table=table, invalid=list(invalid))
        cursor = int(max([cursor - 1, *(numbers[-1:].tolist()), *skip])) + 1
        invalid.clear()
    if invalid:
        yield Batch(np.zeros(0, dtype=np.int64), table=None, records=[], invalid=list(invalid))


def _rebatch(parts: Iterator[Batch], size: int) -> Iterator[Batch]:
    """Cut a stream of batches into batches of exactly ``size`` rows (the last may be shorter)."""
    tables: list[pa.Table] = []
    numbers: list[np.ndarray] = []
    invalid: list[Reject] = []
    held = 0
    for part in parts:
        invalid.extend(part.invalid)
        if part.table is not None and len(part):
            tables.append(part.table)
            numbers.append(part.row_numbers)
            held += len(part)
        while held >= size:
            table = pa.concat_tables(tables).combine_chunks()
            nums = np.concatenate(numbers)
            yield Batch(nums[:size], table=table.slice(0, size), invalid=invalid)
            tables, numbers, invalid = [table.slice(size)], [nums[size:]], []
            held -= size
    if held or invalid:
        table = pa.concat_tables(tables) if tables else None
        nums = np.concatenate(numbers) if numbers else np.zeros(0, dtype=np.int64)
        yield Batch(nums, table=table, records=None if table is not None else [], invalid=invalid)


def _parquet(info: SourceInfo, batch_rows: int) -> Iterator[Batch]:
    pf = pq.ParquetFile(info.path)
    cursor = 1
    for rb in pf.iter_batches(batch_size=batch_rows, columns=sorted(set(info.present.values()))):
        n = rb.num_rows
        yield Batch(np.arange(cursor, cursor + n, dtype=np.int64),
                    table=_select(pa.Table.from_batches([rb]), info.present))
        cursor += n


def _json(info: SourceInfo, mapping: Mapping, batch_rows: int) -> Iterator[Batch]:
    """JSON lines (one object per line) or one document holding a list (e.g. ``{"tickets": [...]}``)."""
    with info.path.open("r", encoding=mapping.encoding) as fh:
        head = fh.read(4096).lstrip()
        fh.seek(0)
        records: Iterator[tuple[int, Any]]
        if _is_json_lines(head):
            records = ((i, line) for i, line in enumerate(fh, start=1) if line.strip())
            decode = True
        else:
            try:
                doc = json.load(fh)
            except json.JSONDecodeError as exc:
                raise FileRefused(f"file: {info.path.name} is not valid JSON: {exc}", field="file") from None
            items = _list_in(doc)
            if items is None:
                raise FileRefused(f"file: {info.path.name}: expected a list of objects (or an object "
                                  "holding one, such as {\"tickets\": [...]}), or JSON lines",
                                  field="file")
            records = enumerate(items, start=1)
            decode = False
        chunk: list[tuple[int, Any]] = []
        for item in records:
            chunk.append(item)
            if len(chunk) >= batch_rows:
                yield _json_batch(chunk, decode)
                chunk = []
        if chunk:
            yield _json_batch(chunk, decode)


def _is_json_lines(head: str) -> bool:
    first = head.split("\n", 1)[0].strip()
    if not first.startswith("{"):
        return False
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return True


def _list_in(doc: Any) -> list | None:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list) and (not v or isinstance(v[0], dict))]
        if len(lists) >= 1:
            for key in ("tickets", "results", "data", "records"):
                if isinstance(doc.get(key), list):
                    return doc[key]
            return lists[0]
    return None


def _json_batch(chunk: list[tuple[int, Any]], decode: bool) -> Batch:
    records, numbers, invalid = [], [], []
    for row, item in chunk:
        if decode:
            try:
                item = json.loads(item)
            except json.JSONDecodeError as exc:
                invalid.append(Reject(row, "*", str(item)[:500], f"not valid JSON: {exc.msg}"))
                continue
        if not isinstance(item, dict):
            invalid.append(Reject(row, "*", str(item)[:500], "expected a JSON object"))
            continue
        records.append(item)
        numbers.append(row)
    return Batch(np.array(numbers, dtype=np.int64), records=records, invalid=invalid)
