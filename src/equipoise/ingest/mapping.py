"""What each import kind expects, and the YAML column mapping that adapts a file to it.

A mapping file (all keys optional)::

    kind: cdr                      # checked against the command's KIND
    delimiter: "\\t"                # CSV only; default: tab if the header has one, else comma
    encoding: utf-8                # the file's text encoding
    columns: {call_id: CALLID, date: DATE, ivr_entry: VRU_ENTRY}   # field: column in the file
    formats: {date: YYMMDD, time: "H:MM:SS", datetime: iso, zero_time_is_missing: true}
    values: {outcome: {AGENT: resolved, HANG: abandoned}}          # raw value -> Equipoise value
    defaults: {channel: phone, reason: unspecified}
    options: {ref_prefix: "cdr:"}

Unknown keys, fields, value maps, defaults or options are refused, naming what is allowed.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from equipoise.ingest.timefmt import TimeFormat
from equipoise.kit.errors import InvalidInput


class FileRefused(InvalidInput):
    """The file (or its mapping) cannot be imported at all; nothing was written."""


@dataclass(frozen=True)
class FieldSpec:
    """One target field of an import kind."""

    name: str
    required: bool
    help: str


@dataclass(frozen=True)
class KindSpec:
    """An import kind: its fields, value maps, defaults, options and file types."""

    name: str
    title: str
    fields: tuple[FieldSpec, ...]
    file_types: tuple[str, ...]
    value_maps: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    #: Source column per field when the mapping does not name one (default: the field's name).
    columns: dict[str, str] = field(default_factory=dict)
    formats: dict[str, Any] = field(default_factory=dict)

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


#: Defaults every kind shares: what a created customer, agent, team or reason looks like.
COMMON_DEFAULTS: dict[str, Any] = {
    "tier": "mid", "segment": "small_business", "team": "T-IMPORTED", "agent_hourly_cost": 30.0,
    "reason": "unspecified", "channel": "phone",
}
BASE_FORMATS: dict[str, Any] = {"date": "iso", "time": "HH:MM:SS", "datetime": "iso",
                                "zero_time_is_missing": True}
_TOP_KEYS = ("kind", "delimiter", "encoding", "columns", "formats", "values", "defaults", "options")


@dataclass(frozen=True)
class Mapping:
    """A validated mapping, merged with the kind's defaults."""

    kind: str
    columns: dict[str, str]
    explicit: frozenset[str]
    delimiter: str | None
    encoding: str
    formats: dict[str, Any]
    values: dict[str, dict[str, str]]
    defaults: dict[str, Any]
    options: dict[str, Any]
    sha256: str

    def fmt(self, name: str) -> TimeFormat:
        """The compiled ``date``, ``time`` or ``datetime`` format."""
        return TimeFormat(str(self.formats[name]), bool(self.formats["zero_time_is_missing"]))

    def value(self, field_name: str, raw: str) -> str | None:
        """The mapped value of ``raw`` for ``field_name`` (case-insensitive), or None if unmapped."""
        table = self.values.get(field_name, {})
        return table.get(raw.strip().lower())


def _refuse(message: str) -> FileRefused:
    return FileRefused(f"mapping: {message}", field="mapping")


def _check_keys(where: str, given: dict, allowed: tuple[str, ...] | list[str]) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise _refuse(f"unknown {where} {', '.join(map(repr, unknown))} (allowed: "
                      f"{', '.join(allowed) or 'none'})")


def load_mapping(spec: KindSpec, source: Path | str | dict | None) -> Mapping:
    """Read and validate a mapping (a YAML path, a dict, or None for the kind's defaults)."""
    raw: dict[str, Any]
    if source is None:
        raw = {}
    elif isinstance(source, dict):
        raw = source
    else:
        try:
            raw = yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise _refuse(f"cannot read {source}: {exc}") from None
    if not isinstance(raw, dict):
        raise _refuse("expected a YAML mapping of keys at the top level")
    _check_keys("key", raw, _TOP_KEYS)
    if raw.get("kind") not in (None, spec.name):
        raise _refuse(f"written for kind {raw['kind']!r}, not {spec.name!r}")
    sections = {k: raw.get(k) or {} for k in ("columns", "formats", "values", "defaults", "options")}
    for key, section in sections.items():
        if not isinstance(section, dict):
            raise _refuse(f"{key}: expected a mapping of keys, got {type(section).__name__}")
    _check_keys("field", sections["columns"], spec.field_names())
    formats = {**BASE_FORMATS, **spec.formats}
    _check_keys("format", sections["formats"], list(formats))
    _check_keys("value map", sections["values"], spec.value_maps)
    defaults = {**COMMON_DEFAULTS, **spec.defaults}
    _check_keys("default", sections["defaults"], list(defaults))
    _check_keys("option", sections["options"], list(spec.options))
    columns = {f: spec.columns.get(f, f) for f in spec.field_names()}
    for name, column in sections["columns"].items():
        if column is None:
            columns.pop(name, None)
        else:
            columns[name] = str(column)
    formats.update(sections["formats"])
    for name in ("date", "time", "datetime"):
        try:
            TimeFormat(str(formats[name]))
        except ValueError as exc:
            raise _refuse(f"formats.{name}: {exc}") from None
    values: dict[str, dict[str, str]] = {}
    for name, table in sections["values"].items():
        if not isinstance(table, dict):
            raise _refuse(f"values.{name}: expected raw value: Equipoise value pairs")
        values[name] = {str(k).strip().lower(): str(v) for k, v in table.items()}
    delimiter = raw.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise _refuse(f"delimiter: expected one character such as ',' or '\\t', got {delimiter!r}")
    encoding = str(raw.get("encoding") or "utf-8")
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError:
        raise _refuse(f"encoding: unknown encoding {encoding!r}") from None
    normal = {"kind": spec.name, "columns": columns, "delimiter": delimiter, "encoding": encoding,
              "formats": formats, "values": values, "defaults": {**defaults, **sections["defaults"]},
              "options": {**spec.options, **sections["options"]}}
    digest = hashlib.sha256(json.dumps(normal, sort_keys=True, default=str).encode()).hexdigest()
    return Mapping(kind=spec.name, columns=columns, explicit=frozenset(sections["columns"]),
                   delimiter=delimiter, encoding=encoding, formats=formats, values=values,
                   defaults=normal["defaults"], options=normal["options"], sha256=digest)
