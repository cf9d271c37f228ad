"""Write the audit log. Every service that changes data calls :func:`record` in the same unit of work."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from equipoise.core.audit import repository
from equipoise.models.audit import AuditEntry

#: Columns never copied into the log (secrets and their digests).
REDACTED = frozenset({"password_hash", "secret_hash", "csrf_token", "password", "token", "secret"})


def local_now(timezone: str | None = None) -> dt.datetime:
    """The current naive local time in ``timezone`` (default: the configured company zone)."""
    if timezone is None:
        from equipoise.config import get_settings

        timezone = get_settings().timezone
    return dt.datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)


def jsonable(value: Any) -> Any:
    """``value`` converted to plain JSON types (dates as ISO strings, sets as sorted lists)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump())
    if isinstance(value, Mapping):
        return {str(k): (None if str(k) in REDACTED else jsonable(v)) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(obj: Any) -> dict[str, Any] | None:
    """The column values of an ORM object (secrets left out), ready for the log."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return jsonable(obj)
    mapper = sa_inspect(obj).mapper
    return {attr.key: jsonable(getattr(obj, attr.key)) for attr in mapper.column_attrs
            if attr.key not in REDACTED}


def record(session: Session, principal: Any, action: str, entity: str, entity_id: Any,
           before: Any, after: Any, *, at: dt.datetime | None = None, flush: bool = True) -> AuditEntry:
    """Add one audit entry for ``action`` on ``entity``/``entity_id`` by ``principal`` (None: the system).

    ``before`` and ``after`` may be ORM objects, mappings or pydantic models; only the fields that
    differ are kept when both are given, so the log shows exactly what changed. With ``flush=False``
    the entry is written by the unit of work's next flush (at the latest its commit), together with
    the other rows pending then, instead of in a flush of its own.
    """
    if not action or not entity:
        raise ValueError("action and entity must be non-empty strings")
    old = before if before is None or isinstance(before, dict) else snapshot(before)
    new = after if after is None or isinstance(after, dict) else snapshot(after)
    old, new = jsonable(old), jsonable(new)
    if old is not None and new is not None:
        changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        old = {k: old.get(k) for k in sorted(changed)}
        new = {k: new.get(k) for k in sorted(changed)}
    entry = AuditEntry(
        at=at or local_now(),
        user_id=getattr(principal, "user_id", None),
        via=getattr(principal, "via", None) or "system",
        action=action, entity=entity, entity_id=str(entity_id),
        before=old, after=new,
    )
    repository.add(session, entry)
    if flush:
        session.flush()
    return entry


def history(session: Session, entity: str, entity_id: Any, *, limit: int = 200) -> list[AuditEntry]:
    """Every recorded change of one entity, oldest first."""
    return repository.for_entity(session, entity, str(entity_id), limit=limit)
