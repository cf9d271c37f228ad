"""Reporting periods: parse labels like ``2026-10`` or ``2026-Q4``; bucket timestamps by grain."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import ibis.expr.types as ir

GRAINS = ("day", "week", "month", "quarter", "year")

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """A half-open interval of local time ``[start, end)`` with a display label."""

    label: str
    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period: end {self.end} must be after start {self.start}")

    @property
    def months(self) -> list[dt.date]:
        """First days of every calendar month the period touches."""
        out: list[dt.date] = []
        cur = dt.date(self.start.year, self.start.month, 1)
        while dt.datetime.combine(cur, dt.time()) < self.end:
            out.append(cur)
            cur = _add_months(cur, 1)
        return out


def _add_months(day: dt.date, n: int) -> dt.date:
    idx = day.year * 12 + day.month - 1 + n
    return dt.date(idx // 12, idx % 12 + 1, 1)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def parse_period(text: str) -> Period:
    """Parse ``2026``, ``2026-10``, ``2026-Q4``, ``2026-W41``, ``2026-10-05`` or ``a..b`` (two days)."""
    s = text.strip()
    if m := _YEAR.match(s):
        y = int(m[1])
        return Period(s, _at(dt.date(y, 1, 1)), _at(dt.date(y + 1, 1, 1)))
    if m := _MONTH.match(s):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise ValueError(f"period: month must be 01..12, got {text!r}")
        first = dt.date(y, mo, 1)
        return Period(s, _at(first), _at(_add_months(first, 1)))
    if m := _QUARTER.match(s):
        y, q = int(m[1]), int(m[2])
        first = dt.date(y, 3 * (q - 1) + 1, 1)
        return Period(f"{y}-Q{q}", _at(first), _at(_add_months(first, 3)))
    if m := _WEEK.match(s):
        try:
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError as exc:
            raise ValueError(f"period: no ISO week {text!r}") from exc
        return Period(s.upper(), _at(monday), _at(monday + dt.timedelta(days=7)))
    if _DAY.match(s):
        day = dt.date.fromisoformat(s)
        return Period(s, _at(day), _at(day + dt.timedelta(days=1)))
    if m := _RANGE.match(s):
        a, b = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        return Period(s, _at(a), _at(b))
    raise ValueError(
        "period: expected YYYY, YYYY-MM, YYYY-Qn, YYYY-Wnn, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, "
        f"got {text!r}"
    )


def period_key(ts: ir.TimestampValue, grain: str) -> ir.IntegerValue:
    """An integer bucket key for ``ts`` at ``grain``, computed identically on every backend."""
    if grain == "year":
        return ts.year().cast("int64")
    if grain == "quarter":
        return ts.year().cast("int64") * 10 + ts.quarter().cast("int64")
    if grain == "month":
        return ts.year().cast("int64") * 100 + ts.month().cast("int64")
    if grain == "day":
        return ts.date().epoch_days().cast("int64")
    if grain == "week":
        # 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
        return ((ts.date().epoch_days().cast("int64") + 3) / 7).floor().cast("int64")
    raise ValueError(f"grain: expected one of {', '.join(GRAINS)}, got {grain!r}")


_EPOCH = dt.date(1970, 1, 1)


def key_label(key: int, grain: str) -> str:
    """The display label of an integer period key produced by :func:`period_key`."""
    k = int(key)
    if grain == "year":
        return str(k)
    if grain == "quarter":
        return f"{k // 10}-Q{k % 10}"
    if grain == "month":
        return f"{k // 100}-{k % 100:02d}"
    if grain == "day":
        return (_EPOCH + dt.timedelta(days=k)).isoformat()
    if grain == "week":
        monday = _EPOCH + dt.timedelta(days=7 * k - 3)
        iso = monday.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    raise ValueError(f"grain: expected one of {', '.join(GRAINS)}, got {grain!r}")
