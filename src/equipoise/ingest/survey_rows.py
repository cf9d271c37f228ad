"""Survey answers written to ``survey_responses``, linked to a case, its contact and its customer.

A survey answer is identified by its customer, its case (its contact when it has no case) and its
answer time: writing the same answer again adds nothing, so re-imports and overlapping exports never
duplicate. Helpdesk exports carry one rating per ticket, which the customer may change later: a
later export's rating replaces the one stored for that ticket from the same source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select, update

from equipoise.db.bulk import bulk_insert
from equipoise.models import Case, Contact
from equipoise.models.surveys import SurveyResponse

SURVEY_COLS = ("case_id", "contact_id", "customer_id", "sent_at", "responded_at", "csat", "nps", "ces",
               "expectation", "perception", "comment", "source")
CHUNK = 500


@dataclass
class SurveyRecord:
    """One survey answer (scales as in survey_responses: CSAT 1-5, NPS 0-10, CES 1-7, items 1-5)."""

    responded_at: dt.datetime
    csat: int | None = None
    nps: int | None = None
    ces: int | None = None
    expectation: int | None = None
    perception: int | None = None
    comment: str | None = None
    sent_at: dt.datetime | None = None


def _key(case_id: int | None, contact_id: int | None, customer_id: int, at: dt.datetime) -> tuple:
    return customer_id, case_id, contact_id if case_id is None else None, at


def existing_answers(conn: Connection, customers: list[int]) -> set[tuple]:
    """Keys of the survey responses already stored for ``customers``."""
    s = SurveyResponse.__table__
    found: set[tuple] = set()
    ids = sorted(set(customers))
    for i in range(0, len(ids), CHUNK):
        stmt = select(s.c.case_id, s.c.contact_id, s.c.customer_id, s.c.responded_at).where(
            s.c.customer_id.in_(ids[i:i + CHUNK]))
        found.update(_key(*r) for r in conn.execute(stmt))
    return found


def survey_row(case_id: int | None, contact_id: int | None, customer_id: int, rec: SurveyRecord,
               source: str) -> tuple:
    return (case_id, contact_id, customer_id, rec.sent_at or rec.responded_at, rec.responded_at, rec.csat,
            rec.nps, rec.ces, rec.expectation, rec.perception, rec.comment, source)


def insert_new(conn: Connection, rows: list[tuple]) -> int:
    """Insert survey rows not stored yet (same customer, case or contact, answer time); returns how many."""
    if not rows:
        return 0
    seen = existing_answers(conn, [r[2] for r in rows])
    fresh = []
    for r in rows:
        key = _key(r[0], r[1], r[2], r[4])
        if key not in seen:
            seen.add(key)
            fresh.append(r)
    if fresh:
        bulk_insert(conn, SurveyResponse.__table__, SURVEY_COLS, fresh)
    return len(fresh)


def attach_surveys(conn: Connection, items: list[tuple[str, str | None, SurveyRecord]], source: str) -> int:
    """Write the one rating per ticket of ``(case ref, contact ref, survey)`` items for cases already written.

    A ticket that already has a rating from ``source`` gets it replaced when the new one differs.
    """
    if not items:
        return 0
    k, c = Case.__table__, Contact.__table__
    case_refs = sorted({i[0] for i in items})
    contact_refs = sorted({i[1] for i in items if i[1]})
    cases: dict[str, tuple[int, int]] = {}
    contacts: dict[str, int] = {}
    for i in range(0, len(case_refs), CHUNK):
        cases.update((ref, (int(cid), int(cu))) for ref, cid, cu in conn.execute(
            select(k.c.external_ref, k.c.id, k.c.customer_id).where(k.c.external_ref.in_(case_refs[i:i + CHUNK]))))
    for i in range(0, len(contact_refs), CHUNK):
        contacts.update((ref, int(cid)) for ref, cid in conn.execute(
            select(c.c.external_ref, c.c.id).where(c.c.external_ref.in_(contact_refs[i:i + CHUNK]))))
    s = SurveyResponse.__table__
    ids = sorted({v[0] for v in cases.values()})
    stored: dict[int, tuple] = {}
    for i in range(0, len(ids), CHUNK):
        for r in conn.execute(select(s.c.case_id, s.c.id, *(s.c[f] for f in SURVEY_COLS))
                              .where(s.c.case_id.in_(ids[i:i + CHUNK]), s.c.source == source)
                              .order_by(s.c.id)):
            stored[int(r[0])] = tuple(r[1:])
    rows, changes = [], []
    for case_ref, contact_ref, rec in items:
        if case_ref not in cases:
            continue
        case_id, customer_id = cases[case_ref]
        row = survey_row(case_id, contacts.get(contact_ref or ""), customer_id, rec, source)
        old = stored.get(case_id)
        if old is None:
            rows.append(row)
        elif tuple(old[1:]) != row:
            changes.append({"b_id": old[0], **dict(zip(SURVEY_COLS, row, strict=True))})
    if changes:
        conn.execute(update(s).where(s.c.id == bindparam("b_id"))
                     .values(**{f: bindparam(f) for f in SURVEY_COLS}), changes)
    return insert_new(conn, rows) + len(changes)

