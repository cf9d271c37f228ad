"""Contact history read from the operational database, shaped for the forecast/calibration engine.

Queries only (SQLAlchemy Core selects), no rules. Every function takes a half-open window
``[start, end)`` of naive local times and looks at *inbound* contacts of one channel:

* arrivals: every inbound contact (first contacts, repeats, retries, escalations, transfers)
  counted by the interval its ``arrived_at`` falls in, on a zero-filled grid;
* handle times: answered, not abandoned contacts with ``handle_seconds > 0``;
* queue outcomes: contacts that entered an agent queue (``queued_at`` set), with their wait and
  whether they abandoned — the raw material of the patience estimators.

Arrivals are bucketed in the database (one row per non-empty interval), so the amount of data
moved does not grow with the number of contacts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Connection, Engine, and_, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from equipoise.engine.forecast import grid
from equipoise.engine.forecast.grid import validate_interval
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.models import Channel, Contact

_contacts = Contact.__table__
_channels = Channel.__table__


class _EpochBucket(FunctionElement):
    """floor(seconds since 1970-01-01 of a naive timestamp / width), as an integer."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_bucket"


@compiles(_EpochBucket, "sqlite")
def _bucket_sqlite(element: _EpochBucket, compiler: Any, **kw: Any) -> str:
    column, width = list(element.clauses)
    # strftime('%s') truncates fractional seconds; integer division floors positive epochs.
    return (f"(CAST(strftime('%s', {compiler.process(column, **kw)}) AS INTEGER) "
            f"/ {compiler.process(width, **kw)})")


@compiles(_EpochBucket, "postgresql")
def _bucket_postgresql(element: _EpochBucket, compiler: Any, **kw: Any) -> str:
    column, width = list(element.clauses)
    # EXTRACT(EPOCH) of a timestamp without time zone counts as if it were UTC, like SQLite.
    return (f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(column, **kw)}) "
            f"/ {compiler.process(width, **kw)}) AS BIGINT)")


def epoch_bucket(column: ColumnElement[Any], width_seconds: int) -> ColumnElement[int]:
    """SQL expression: index of the ``width_seconds`` bucket (since 1970) holding ``column``."""
    return _EpochBucket(column, literal_column(str(int(width_seconds))))


def _as_datetime(value: dt.date | dt.datetime, name: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise InvalidInput(f"{name}: expected a naive local time, got {value.isoformat()}",
                               field=name)
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    raise InvalidInput(f"{name}: expected a date or datetime, got {value!r}", field=name)


def check_window(start: dt.date | dt.datetime,
                 end: dt.date | dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Validate a half-open window; dates mean midnight."""
    s, e = _as_datetime(start, "start"), _as_datetime(end, "end")
    if e <= s:
        raise InvalidInput(f"end: expected after start {s.isoformat()}, got {e.isoformat()}",
                           field="end")
    return s, e


def channel_id(conn: Connection, channel_code: str) -> int:
    """Id of the channel ``channel_code``; NotFound names the known codes."""
    found = conn.execute(select(_channels.c.id).where(_channels.c.code == channel_code)).scalar()
    if found is None:
        known = conn.execute(select(_channels.c.code).order_by(_channels.c.code)).scalars().all()
        raise NotFound(f"channel: no channel with code {channel_code!r} (known: "
                       f"{', '.join(known) or 'none'})", field="channel")
    return int(found)


def channel_codes(engine: Engine) -> list[str]:
    """Codes of every channel, sorted."""
    with engine.connect() as conn:
        return list(conn.execute(select(_channels.c.code).order_by(_channels.c.code)).scalars())


def _inbound(cid: int) -> ColumnElement[bool]:
    return and_(_contacts.c.channel_id == cid, _contacts.c.direction == "inbound")


def arrival_span(engine: Engine, channel_code: str) -> tuple[dt.datetime, dt.datetime] | None:
    """First and last inbound arrival on the channel, or None when it has no contacts."""
    with engine.connect() as conn:
        cid = channel_id(conn, channel_code)
        arrived = _contacts.c.arrived_at
        row = conn.execute(select(func.min(arrived), func.max(arrived)).where(_inbound(cid))).one()
    return None if row[0] is None else (row[0], row[1])


@dataclass(frozen=True, eq=False)
class ArrivalSeries:
    """Inbound arrivals of one channel per interval, on a regular zero-filled grid."""

    channel_code: str
    interval_minutes: int
    #: Interval starts, ``datetime64[m]``.
    timestamps: np.ndarray
    counts: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """A two-column frame: interval start and arrivals."""
        return pd.DataFrame({"interval_start": self.timestamps, "arrivals": self.counts})


def check_interval(interval_minutes: int) -> int:
    """Validate an interval length (a divisor of a day, in minutes) for the user."""
    try:
        return validate_interval(interval_minutes)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="interval_minutes") from exc


def _grid_for(start: dt.datetime, end: dt.datetime, interval_minutes: int) -> np.ndarray:
    step = dt.timedelta(minutes=check_interval(interval_minutes))
    for name, value in (("start", start), ("end", end)):
        if (value - dt.datetime(1970, 1, 1)) % step:
            raise InvalidInput(f"{name}: expected a multiple of {interval_minutes} minutes past "
                               f"midnight, got {value.isoformat()}", field=name)
    return grid(np.datetime64(start, "m"), (end - start) // step, interval_minutes)


def _bucket_counts(conn: Connection, start: dt.datetime, end: dt.datetime, interval_minutes: int,
                   channel_ids: list[int]) -> list[tuple[int, int, int]]:
    bucket = epoch_bucket(_contacts.c.arrived_at, interval_minutes * 60).label("bucket")
    stmt = (select(_contacts.c.channel_id, bucket, func.count().label("n"))
            .where(_contacts.c.channel_id.in_(channel_ids), _contacts.c.direction == "inbound",
                   _contacts.c.arrived_at >= start, _contacts.c.arrived_at < end)
            .group_by(_contacts.c.channel_id, bucket))
    return [(int(c), int(b), int(n)) for c, b, n in conn.execute(stmt)]


def _fill(times: np.ndarray, rows: list[tuple[int, int]], interval_minutes: int) -> np.ndarray:
    counts = np.zeros(times.size)
    if rows:
        first = times[0].astype(np.int64) // interval_minutes
        idx = np.array([b for b, _ in rows], dtype=np.int64) - first
        np.add.at(counts, idx, np.array([n for _, n in rows], dtype=float))
    return counts


def arrival_counts(engine: Engine, channel_code: str, start: dt.date | dt.datetime,
                   end: dt.date | dt.datetime, interval_minutes: int) -> ArrivalSeries:
    """Inbound arrivals of ``channel_code`` per interval over ``[start, end)``, zero-filled."""
    s, e = check_window(start, end)
    times = _grid_for(s, e, interval_minutes)
    with engine.connect() as conn:
        cid = channel_id(conn, channel_code)
        rows = _bucket_counts(conn, s, e, interval_minutes, [cid])
    counts = _fill(times, [(b, n) for _, b, n in rows], interval_minutes)
    return ArrivalSeries(channel_code, interval_minutes, times, counts)


def arrival_counts_by_channel(engine: Engine, start: dt.date | dt.datetime,
                              end: dt.date | dt.datetime, interval_minutes: int,
                              channels: list[str] | None = None) -> pd.DataFrame:
    """Arrivals per interval (rows) and channel (columns) over ``[start, end)``, zero-filled."""
    s, e = check_window(start, end)
    times = _grid_for(s, e, interval_minutes)
    with engine.connect() as conn:
        codes = channels if channels is not None else list(
            conn.execute(select(_channels.c.code).order_by(_channels.c.code)).scalars())
        ids = {code: channel_id(conn, code) for code in codes}
        rows = _bucket_counts(conn, s, e, interval_minutes, list(ids.values())) if ids else []
    data = {code: _fill(times, [(b, n) for c, b, n in rows if c == cid], interval_minutes)
            for code, cid in ids.items()}
    frame = pd.DataFrame(data, index=pd.DatetimeIndex(times, name="interval_start"))
    return frame.astype("int64")


def handle_times(engine: Engine, channel_code: str, start: dt.date | dt.datetime,
                 end: dt.date | dt.datetime) -> np.ndarray:
    """Handle seconds of answered inbound contacts arriving in ``[start, end)`` (positive only)."""
    s, e = check_window(start, end)
    with engine.connect() as conn:
        cid = channel_id(conn, channel_code)
        stmt = (select(_contacts.c.handle_seconds)
                .where(_inbound(cid), _contacts.c.arrived_at >= s, _contacts.c.arrived_at < e,
                       _contacts.c.abandoned.is_(False), _contacts.c.answered_at.is_not(None),
                       _contacts.c.handle_seconds > 0)
                .order_by(_contacts.c.id))
        return np.fromiter(conn.execute(stmt).scalars(), dtype=float)


@dataclass(frozen=True, eq=False)
class QueueOutcomes:
    """Queued inbound contacts: arrival time, seconds waited, and whether the customer left."""

    arrived_at: np.ndarray  # datetime64[s]
    wait_seconds: np.ndarray
    abandoned: np.ndarray  # bool

    def __len__(self) -> int:
        return int(self.wait_seconds.size)


def queue_outcomes(engine: Engine, channel_code: str, start: dt.date | dt.datetime,
                   end: dt.date | dt.datetime) -> QueueOutcomes:
    """Waits and abandonment flags of contacts that entered an agent queue in ``[start, end)``."""
    s, e = check_window(start, end)
    with engine.connect() as conn:
        cid = channel_id(conn, channel_code)
        stmt = (select(_contacts.c.arrived_at, _contacts.c.wait_seconds, _contacts.c.abandoned)
                .where(_inbound(cid), _contacts.c.arrived_at >= s, _contacts.c.arrived_at < e,
                       _contacts.c.queued_at.is_not(None))
                .order_by(_contacts.c.arrived_at, _contacts.c.id))
        rows = conn.execute(stmt).all()
    return QueueOutcomes(
        arrived_at=np.array([r[0] for r in rows], dtype="datetime64[s]"),
        wait_seconds=np.array([r[1] for r in rows], dtype=float),
        abandoned=np.array([bool(r[2]) for r in rows], dtype=bool),
    )
