"""Row-at-a-time importers of ticket-shaped data: parse each row into a case, reject what fails."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine

from equipoise.ingest.dims import slug
from equipoise.ingest.mapping import KindSpec, Mapping
from equipoise.ingest.runner import BatchResult, ImportContext, Progress
from equipoise.ingest.source import Batch, Reject, SourceInfo
from equipoise.ingest.tickets import PRIORITIES, CaseRecord, SlaPolicies, write_cases

TRUE = {"1", "true", "t", "yes", "y"}
FALSE = {"0", "false", "f", "no", "n", ""}


class RowError(ValueError):
    """A row cannot be imported: which field, which value, why."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.value, self.reason = field, value, reason


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def required(row: dict[str, Any], name: str) -> Any:
    value = row.get(name)
    if blank(value):
        raise RowError(name, value, "required value missing")
    return value.strip() if isinstance(value, str) else value


def stamp(mapping: Mapping, row: dict[str, Any], name: str, fmt: str = "datetime",
          need: bool = False) -> dt.datetime | None:
    """A date-time field parsed with the mapping's format (aware values become local time)."""
    value = row.get(name)
    if blank(value):
        if need:
            raise RowError(name, value, "required value missing")
        return None
    f = mapping.fmt(fmt)
    try:
        out = f.parse_one(value)
    except ValueError as exc:
        raise RowError(name, value, f"expected a date-time like {f.describe()}: {exc}") from None
    if isinstance(out, dt.time):
        raise RowError(name, value, "expected a date and a time, got only a time")
    return out


def flag(row: dict[str, Any], name: str, default: bool = False) -> bool:
    value = row.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise RowError(name, value, "expected true/false (or 1/0, yes/no)")


def number(row: dict[str, Any], name: str, minimum: float = 0.0) -> float | None:
    value = row.get(name)
    if blank(value):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise RowError(name, value, "expected a number") from None
    if out != out or out < minimum:
        raise RowError(name, value, f"expected a number >= {minimum:g}")
    return out


def priority(mapping: Mapping, value: Any, name: str = "priority") -> str:
    if blank(value):
        return "normal"
    text = str(value).strip()
    out = mapping.value(name, text) or text.lower()
    out = {"medium": "normal", "med": "normal"}.get(out, out)
    if out not in PRIORITIES:
        raise RowError(name, value, f"unknown priority (map it under values.{name} to "
                                    f"{', '.join(PRIORITIES)})")
    return out


def code(mapping: Mapping, value: Any, name: str, default: str, limit: int = 64) -> str:
    """A channel/reason code: the mapped value, else the value as a code, else the default."""
    if blank(value):
        return default
    text = str(value).strip()
    return mapping.value(name, text) or slug(text, limit)


class RowImporter:
    """Base of row-wise ticket importers: subclasses implement :meth:`parse`."""

    spec: KindSpec
    multiline = True
    source = "import"

    def __init__(self) -> None:
        self._policies: SlaPolicies | None = None

    def check(self, info: SourceInfo, mapping: Mapping) -> None:
        """No checks beyond the columns by default."""

    def finish(self, engine: Engine, ctx: ImportContext, progress: Progress | None) -> None:
        """Nothing after the rows by default."""

    def parse(self, row: dict[str, Any], number: int, ctx: ImportContext) -> CaseRecord:
        raise NotImplementedError

    def write_batch(self, conn: Connection, ctx: ImportContext, batch: Batch) -> BatchResult:
        """Parse every row; write the good ones as cases with contacts, reject the rest."""
        if self._policies is None:
            self._policies = SlaPolicies(conn)
        records, rejects = [], []
        for number, row in zip(batch.row_numbers.tolist(), batch.dicts(), strict=True):
            try:
                records.append(self.parse(row, number, ctx))
            except RowError as exc:
                value = None if exc.value is None else str(exc.value)[:500]
                rejects.append(Reject(number, exc.field, value, exc.reason))
        cases, contacts, dups = write_cases(conn, ctx.dims, records, self.source, ctx.as_of,
                                            self._policies) if records else (0, 0, 0)
        result = BatchResult(imported=cases, duplicates=dups, rejects=rejects)
        result.counts.update({"cases": cases, "contacts": contacts})
        return result
