"""Queries on the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.models.audit import AuditEntry


def add(session: Session, entry: AuditEntry) -> AuditEntry:
    session.add(entry)
    return entry


def for_entity(session: Session, entity: str, entity_id: str, *, limit: int = 200) -> list[AuditEntry]:
    query = (select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
             .order_by(AuditEntry.id).limit(limit))
    return list(session.scalars(query))
