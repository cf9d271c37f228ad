"""Configurable date and time formats, parsed vectorised (Arrow) or one value at a time.

A format is written with tokens: ``YYYY`` ``YY`` (year), ``MM`` ``M`` (month; minutes once an hour
token came before), ``DD`` ``D`` (day), ``HH`` ``H`` (hour), ``SS`` (seconds), ``.ffffff`` (optional
fraction of a second) — anything else is literal. Examples: ``YYMMDD``, ``DD/MM/YYYY``, ``H:MM:SS``,
``YYYY-MM-DD HH:MM:SS``. ``iso`` accepts ISO 8601 (``YYYY-MM-DD[ T]HH:MM[:SS[.f]]``, no offset).
Values are returned as whole seconds since 1970-01-01 of the naive local time (times of day: since
midnight). A time whose every digit is zero means "did not happen" when ``zero_is_missing``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_DATE_TOKENS = {"YYYY": ("Y", r"\d{4}"), "YY": ("y", r"\d{2}"), "MM": ("M", r"\d{2}"),
                "M": ("M", r"\d{1,2}"), "DD": ("D", r"\d{2}"), "D": ("D", r"\d{1,2}")}
_TIME_TOKENS = {"HH": ("h", r"\d{2}"), "H": ("h", r"\d{1,2}"), "MM": ("m", r"\d{2}"),
                "SS": ("s", r"\d{2}"), ".ffffff": ("f", None)}
_ORDER = ("YYYY", ".ffffff", "YY", "MM", "DD", "HH", "SS", "M", "D", "H")
ISO = "iso"
_ISO_RE = (r"^(?P<Y>\d{4})-(?P<M>\d{2})-(?P<D>\d{2})(?:[T ](?P<h>\d{2}):(?P<m>\d{2})"
           r"(?::(?P<s>\d{2})(?P<f>\.\d{1,9})?)?)?$")


def _compile(fmt: str) -> tuple[str, tuple[str, ...]]:
    """Token format → anchored regex with named groups, and the group names."""
    if fmt.strip().lower() == ISO:
        return _ISO_RE, ("Y", "M", "D", "h", "m", "s", "f")
    out, groups, i, seen_hour = [], [], 0, False
    while i < len(fmt):
        for tok in _ORDER:
            if fmt.startswith(tok, i):
                if tok in ("HH", "H"):
                    seen_hour = True
                table = _TIME_TOKENS if (tok in _TIME_TOKENS and (seen_hour or tok not in _DATE_TOKENS)) \
                    else _DATE_TOKENS
                name, pattern = table[tok]
                if name in groups:
                    raise ValueError(f"format {fmt!r}: token {tok!r} appears twice")
                groups.append(name)
                out.append(r"(?P<f>\.\d{1,9})?" if name == "f" else f"(?P<{name}>{pattern})")
                i += len(tok)
                break
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    if not groups:
        raise ValueError(f"format {fmt!r}: expected tokens such as YYYY, MM, DD, HH, MM, SS")
    return "^" + "".join(out) + "$", tuple(groups)


@dataclass(frozen=True)
class TimeFormat:
    """A compiled date, time or date-time format."""

    text: str
    zero_is_missing: bool = True
    regex: str = field(init=False)
    groups: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        regex, groups = _compile(self.text)
        object.__setattr__(self, "regex", regex)
        object.__setattr__(self, "groups", groups)

    @property
    def has_date(self) -> bool:
        return "Y" in self.groups or "y" in self.groups

    @property
    def has_time(self) -> bool:
        return "h" in self.groups

    def describe(self) -> str:
        return "ISO 8601 (YYYY-MM-DD HH:MM:SS)" if self.text.lower() == ISO else self.text

    def parse_array(self, values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Parse strings; returns (seconds int64, missing mask, invalid mask)."""
        values = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
        n = len(values)
        missing = np.asarray(pc.fill_null(pc.equal(values, ""), True), dtype=bool)
        parts = pc.extract_regex(values, self.regex)
        matched = np.asarray(parts.is_valid(), dtype=bool)
        comp = {}
        for name in self.groups:
            col = parts.field(name)
            col = pc.if_else(pc.and_(parts.is_valid(), pc.not_equal(col, "")), col,
                             ".0" if name == "f" else "0")
            comp[name] = (np.asarray(pc.cast(col, pa.float64()), dtype=float) if name == "f"
                          else np.asarray(pc.cast(col, pa.int64()), dtype=np.int64))
        zero = np.zeros(n, dtype=np.int64)
        h, m, s = comp.get("h", zero), comp.get("m", zero), comp.get("s", zero)
        ok = matched & (h < 24) & (m < 60) & (s < 60)
        secs = h * 3600 + m * 60 + s
        if self.has_date:
            year = comp["Y"] if "Y" in comp else np.where(comp["y"] < 69, 2000 + comp["y"], 1900 + comp["y"])
            month, day = comp.get("M", zero + 1), comp.get("D", zero + 1)
            ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
            ym = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
            days = ym.astype("datetime64[D]") + (np.clip(day, 1, 31) - 1).astype("timedelta64[D]")
            ok &= days.astype("datetime64[M]") == ym
            secs = secs + days.astype(np.int64) * 86_400
        elif self.zero_is_missing:
            all_zero = matched & (h == 0) & (m == 0) & (s == 0)
            missing = missing | all_zero
        invalid = ~ok & ~missing
        return np.where(ok & ~missing, secs, 0), missing, invalid

    def parse_one(self, text: object) -> dt.datetime | dt.time | None:
        """Parse one value (a ``datetime``/``date`` passes through); ValueError when it does not fit."""
        if text is None:
            return None
        if isinstance(text, dt.datetime):
            return text.replace(tzinfo=None) if text.tzinfo is None else _to_naive(text)
        if isinstance(text, dt.date):
            return dt.datetime.combine(text, dt.time())
        s = str(text).strip()
        if not s:
            return None
        if self.text.strip().lower() == ISO:
            try:
                return _to_naive(dt.datetime.fromisoformat(s))
            except ValueError:
                raise ValueError(f"does not match the format {self.describe()}") from None
        match = re.match(self.regex, s)
        if match is None:
            raise ValueError(f"does not match the format {self.describe()}")
        g = {k: v for k, v in match.groupdict().items() if v}
        h, m, sec = int(g.get("h", 0)), int(g.get("m", 0)), int(g.get("s", 0))
        micro = int(round(float(g["f"]) * 1e6)) if "f" in g else 0
        clock = dt.time(h, m, sec, min(micro, 999_999)) if h < 24 and m < 60 and sec < 60 else None
        if clock is None:
            raise ValueError(f"is not a valid time of day ({self.describe()})")
        if not self.has_date:
            return None if (self.zero_is_missing and h == m == sec == 0) else clock
        year = int(g["Y"]) if "Y" in g else (lambda y: 2000 + y if y < 69 else 1900 + y)(int(g["y"]))
        try:
            return dt.datetime.combine(dt.date(year, int(g.get("M", 1)), int(g.get("D", 1))), clock)
        except ValueError as exc:
            raise ValueError(f"is not a valid date ({exc})") from None


def _to_naive(value: dt.datetime) -> dt.datetime:
    return to_local(value)


def to_local(value: dt.datetime, zone: str | None = None) -> dt.datetime:
    """An aware datetime as a naive local time in ``zone`` (default: the configured time zone)."""
    if value.tzinfo is None:
        return value
    if zone is None:
        from equipoise.config import get_settings

        zone = get_settings().timezone
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
