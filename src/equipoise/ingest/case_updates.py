"""Bring cases imported earlier up to date with a later, fuller picture of their lifecycle.

Event logs arrive in pieces: a second file may hold later events of cases already imported. The
case is rebuilt from all its events, then :func:`update_cases` writes what changed — status,
first response, resolution, closing, reopens, complaint flag, assignee and the SLA outcome — and
adds the contacts that are new or completes those that were still open (answered since, resolved
since). Contacts are matched by their reference (``<case>#<n>``, numbered in time order). Running it
again with the same picture changes nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, bindparam, func, select, update

from equipoise.db.bulk import bulk_insert
from equipoise.ingest.business_time import SlaPolicies
from equipoise.ingest.dims import Dimensions
from equipoise.ingest.tickets import _CONTACT_COLS, CaseRecord, contact_row, write_status_changes
from equipoise.models import Case, Contact, Customer
from equipoise.models.case_extras import CaseStatusChange

CASE_FIELDS = ("status", "status_category", "first_response_at", "resolved_at", "closed_at", "reopen_count",
               "is_complaint", "complained_at", "assigned_agent_id", "sla_policy_id", "first_response_due_at",
               "resolution_due_at", "first_response_met", "resolution_met")
#: Contact columns a later event can change (the contact's identity and arrival stay).
CONTACT_FIELDS = ("answered_at", "ended_at", "wait_seconds", "handle_seconds", "agent_id", "team_id", "outcome",
                  "cost")
CHUNK = 500


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    return a == b or (a in (0, 1) and b in (False, True) and bool(a) == b) or \
        (b in (0, 1) and a in (False, True) and bool(b) == a)


def update_cases(conn: Connection, dims: Dimensions, records: list[CaseRecord], source: str,
                 as_of: dt.datetime, policies: SlaPolicies) -> tuple[int, int, int]:
    """Update cases of ``source`` from their rebuilt records; returns (cases, new contacts, contacts updated)."""
    if not records:
        return 0, 0, 0
    k, c = Case.__table__, Contact.__table__
    refs = [r.ref for r in records]
    stored: dict[str, dict] = {}
    for i in range(0, len(refs), CHUNK):
        stmt = select(k.c.id, k.c.external_ref, k.c.customer_id, k.c.reason_id, k.c.channel_id, k.c.priority,
                      *(k.c[f] for f in CASE_FIELDS)).where(k.c.external_ref.in_(refs[i:i + CHUNK]),
                                                          k.c.source == source)
        stored.update({r.external_ref: dict(r._mapping) for r in conn.execute(stmt)})
    records = [r for r in records if r.ref in stored]
    if not records:
        return 0, 0, 0
    ids = [stored[r.ref]["id"] for r in records]
    contacts: dict[str, dict] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(c.c.id, c.c.external_ref, *(c.c[f] for f in CONTACT_FIELDS)).where(
            c.c.case_id.in_(ids[i:i + CHUNK]))
        contacts.update({r.external_ref: dict(r._mapping) for r in conn.execute(stmt)})
    channels = dims.channels(conn, {r.channel for r in records} |
                             {x.channel for r in records for x in r.contacts if x.channel})
    agents = dims.agents(conn, {a for r in records for a in [r.agent, *(x.agent for x in r.contacts)] if a})
    cu = Customer.__table__
    customer_ids = sorted({stored[r.ref]["customer_id"] for r in records})
    tiers: dict[int, str] = {}
    for i in range(0, len(customer_ids), CHUNK):
        tiers.update((int(i_), t) for i_, t in conn.execute(
            select(cu.c.id, cu.c.tier).where(cu.c.id.in_(customer_ids[i:i + CHUNK]))))
    case_changes, new_contacts, contact_changes = [], [], []
    for r in records:
        old = stored[r.ref]
        ch = channels[r.channel]
        sla = policies.outcome(channel=ch, tier=tiers.get(old["customer_id"]), priority=old["priority"],
                               opened_at=r.opened_at, first_response_at=r.first_response_at,
                               resolved_at=r.resolved_at, status_changes=r.status_changes, as_of=as_of)
        agent = agents.get(r.agent) if r.agent else None
        new = {"status": r.status[:32], "status_category": r.status_category,
               "first_response_at": r.first_response_at, "resolved_at": r.resolved_at, "closed_at": r.closed_at,
               "reopen_count": r.reopen_count, "is_complaint": r.is_complaint,
               "complained_at": old["complained_at"] or (r.opened_at if r.is_complaint else None),
               "assigned_agent_id": agent.id if agent else old["assigned_agent_id"],
               "sla_policy_id": sla.policy_id, "first_response_due_at": sla.first_response_due_at,
               "resolution_due_at": sla.resolution_due_at, "first_response_met": sla.first_response_met,
               "resolution_met": sla.resolution_met}
        if any(not _same(old[f], new[f]) for f in CASE_FIELDS):
            case_changes.append({"b_id": old["id"], **new})
        for x in r.contacts:
            xch = channels[x.channel or r.channel]
            row = contact_row(x, old["id"], old["customer_id"], xch, old["reason_id"],
                              agents.get(x.agent) if x.agent else None, source)
            have = contacts.get(x.ref or "")
            if have is None:
                new_contacts.append(row)
                continue
            values = dict(zip(_CONTACT_COLS, row, strict=True))
            if any(not _same(have[f], values[f]) for f in CONTACT_FIELDS):
                contact_changes.append({"b_id": have["id"], **{f: values[f] for f in CONTACT_FIELDS}})
    if case_changes:
        conn.execute(update(k).where(k.c.id == bindparam("b_id"))
                     .values(version=k.c.version + 1, **{f: bindparam(f) for f in CASE_FIELDS}), case_changes)
    if contact_changes:
        conn.execute(update(c).where(c.c.id == bindparam("b_id")).values(
            **{f: bindparam(f) for f in CONTACT_FIELDS}), contact_changes)
    if new_contacts:
        bulk_insert(conn, c, _CONTACT_COLS, new_contacts)
    h = CaseStatusChange.__table__
    last: dict[int, dt.datetime] = {}
    for i in range(0, len(ids), CHUNK):
        last.update((int(cid), at) for cid, at in conn.execute(
            select(h.c.case_id, func.max(h.c.at)).where(h.c.case_id.in_(ids[i:i + CHUNK])).group_by(h.c.case_id)))
    write_status_changes(conn, [(stored[r.ref]["id"], r.status_changes) for r in records if r.status_changes],
                         after=last)
    return len(case_changes), len(new_contacts), len(contact_changes)
