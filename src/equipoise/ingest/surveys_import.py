"""Survey answers in the Equipoise layout (CSV or Parquet), linked to imported cases and contacts.

Each row names the contact (``contact_ref``) or the case (``case_ref``) the answer is about; a case
answer is put on the case's last contact answered by then (else its last contact), so per-contact
measures (CSAT by channel, the balance model) see it. ``customer_ref``, when given, must be the
customer of that case or contact. At least one of CSAT (1-5), NPS (0-10) or CES (1-7) is needed;
expectation and perception (1-5) are optional. Re-importing an answer (same customer, same answer
time) adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, select

from equipoise.ingest.mapping import FieldSpec, FileRefused, KindSpec, Mapping
from equipoise.ingest.rowwise import RowError, blank, number, stamp
from equipoise.ingest.runner import BatchResult, ImportContext, Progress
from equipoise.ingest.source import Batch, Reject, SourceInfo
from equipoise.ingest.survey_rows import CHUNK, SurveyRecord, insert_new, survey_row
from equipoise.models import Case, Contact, Customer

SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7), "expectation": (1, 5), "perception": (1, 5)}

SPEC = KindSpec(
    name="surveys", title="Survey answers (Equipoise layout)", file_types=("csv", "parquet"),
    fields=(
        FieldSpec("contact_ref", False, "The contact answered about (contacts.external_ref)."),
        FieldSpec("case_ref", False, "The case answered about (cases.external_ref), when no contact_ref."),
        FieldSpec("customer_ref", False, "The customer (checked against the case's or contact's)."),
        FieldSpec("answered_at", True, "When the customer answered."),
        FieldSpec("sent_at", False, "When the survey was sent (default: answered_at)."),
        FieldSpec("csat", False, "Satisfaction 1 (very dissatisfied) .. 5 (very satisfied)."),
        FieldSpec("nps", False, "Likelihood to recommend 0..10."),
        FieldSpec("ces", False, "Customer effort 1 (very easy) .. 7 (very difficult)."),
        FieldSpec("expectation", False, "What the customer expected, 1..5."),
        FieldSpec("perception", False, "What the customer felt they received, 1..5."),
        FieldSpec("comment", False, "Free text."),
    ),
    options={"source": "import"},
)


def _score(row: dict[str, Any], name: str) -> int | None:
    low, high = SCALES[name]
    value = number(row, name, minimum=float("-inf"))
    if value is None:
        return None
    if value != int(value) or not low <= value <= high:
        raise RowError(name, row.get(name), f"expected a whole number {low}-{high}")
    return int(value)


def _ref(row: dict[str, Any], name: str) -> str | None:
    return None if blank(row.get(name)) else str(row[name]).strip()


class SurveysImporter:
    """Survey answers: validated per row, linked to their case/contact, written once."""

    spec = SPEC
    multiline = True

    def check(self, info: SourceInfo, mapping: Mapping) -> None:
        """A surveys file needs a contact_ref or a case_ref column."""
        if "contact_ref" not in info.present and "case_ref" not in info.present:
            raise FileRefused(f"file: {info.path.name}: needs a contact_ref or a case_ref column (or map one)",
                              field="file")

    def finish(self, engine: Engine, ctx: ImportContext, progress: Progress | None) -> None:
        """Nothing after the rows."""

    def parse(self, row: dict[str, Any], mp: Mapping) -> tuple[str | None, str | None, str | None, SurveyRecord]:
        contact, case = _ref(row, "contact_ref"), _ref(row, "case_ref")
        if contact is None and case is None:
            raise RowError("contact_ref", None, "required value missing: give a contact_ref or a case_ref")
        answered = stamp(mp, row, "answered_at", need=True)
        sent = stamp(mp, row, "sent_at")
        if sent is not None and sent > answered:
            raise RowError("sent_at", row.get("sent_at"), "is after the survey was answered")
        scores = {name: _score(row, name) for name in SCALES}
        if all(scores[n] is None for n in ("csat", "nps", "ces")):
            raise RowError("csat", None, "no score: give csat (1-5), nps (0-10) or ces (1-7)")
        comment = row.get("comment")
        return contact, case, _ref(row, "customer_ref"), SurveyRecord(
            responded_at=answered, sent_at=sent, comment=None if blank(comment) else str(comment), **scores)

    def write_batch(self, conn: Connection, ctx: ImportContext, batch: Batch) -> BatchResult:
        """Parse, link to contacts/cases/customers, skip answers already stored, insert the rest."""
        parsed, rejects = [], []
        for n, row in zip(batch.row_numbers.tolist(), batch.dicts(), strict=True):
            try:
                parsed.append((n, *self.parse(row, ctx.mapping)))
            except RowError as exc:
                rejects.append(Reject(n, exc.field, None if exc.value is None else str(exc.value)[:500],
                                      exc.reason))
        links = _Links(conn, parsed)
        rows = []
        for n, contact_ref, case_ref, customer_ref, rec in parsed:
            try:
                case_id, contact_id, customer_id = links.resolve(contact_ref, case_ref, customer_ref, rec)
            except RowError as exc:
                rejects.append(Reject(n, exc.field, None if exc.value is None else str(exc.value)[:500],
                                      exc.reason))
                continue
            rows.append(survey_row(case_id, contact_id, customer_id, rec, str(ctx.mapping.options["source"])[:32]))
        written = insert_new(conn, rows)
        return BatchResult(imported=written, duplicates=len(rows) - written, rejects=rejects)


class _Links:
    """Cases, contacts and customers named by one batch, read in chunks."""

    def __init__(self, conn: Connection, parsed: list[tuple]) -> None:
        k, c, cu = Case.__table__, Contact.__table__, Customer.__table__
        contact_refs = sorted({p[1] for p in parsed if p[1]})
        case_refs = sorted({p[2] for p in parsed if p[2] and not p[1]})
        self.contacts: dict[str, tuple] = {}
        self.cases: dict[str, tuple] = {}
        for i in range(0, len(contact_refs), CHUNK):
            for r in conn.execute(select(c.c.external_ref, c.c.id, c.c.case_id, c.c.customer_id, c.c.arrived_at)
                                  .where(c.c.external_ref.in_(contact_refs[i:i + CHUNK]))):
                self.contacts[r[0]] = tuple(r[1:])
        for i in range(0, len(case_refs), CHUNK):
            for r in conn.execute(select(k.c.external_ref, k.c.id, k.c.customer_id, k.c.opened_at)
                                  .where(k.c.external_ref.in_(case_refs[i:i + CHUNK]))):
                self.cases[r[0]] = tuple(r[1:])
        ids = sorted({v[0] for v in self.cases.values()})
        self.case_contacts: dict[int, list[tuple[int, dt.datetime, dt.datetime | None]]] = {}
        for i in range(0, len(ids), CHUNK):
            stmt = (select(c.c.case_id, c.c.id, c.c.arrived_at, c.c.answered_at)
                    .where(c.c.case_id.in_(ids[i:i + CHUNK]), c.c.direction == "inbound")
                    .order_by(c.c.case_id, c.c.arrived_at, c.c.id))
            for case_id, cid, arrived, answered in conn.execute(stmt):
                self.case_contacts.setdefault(int(case_id), []).append((int(cid), arrived, answered))
        refs = sorted({p[3] for p in parsed if p[3]})
        self.customers: dict[str, int] = {}
        for i in range(0, len(refs), CHUNK):
            self.customers.update((r, int(i_)) for r, i_ in conn.execute(
                select(cu.c.external_ref, cu.c.id).where(cu.c.external_ref.in_(refs[i:i + CHUNK]))))

    def resolve(self, contact_ref: str | None, case_ref: str | None, customer_ref: str | None,
                rec: SurveyRecord) -> tuple[int | None, int | None, int]:
        if contact_ref is not None:
            found = self.contacts.get(contact_ref)
            if found is None:
                raise RowError("contact_ref", contact_ref, "no such contact: import the contacts first")
            contact_id, case_id, customer_id, started = found
            label, ref = "contact_ref", contact_ref
        else:
            found = self.cases.get(case_ref or "")
            if found is None:
                raise RowError("case_ref", case_ref, "no such case: import the cases first")
            case_id, customer_id, started = found
            contacts = self.case_contacts.get(int(case_id), [])
            answered = [c for c in contacts if c[2] is not None and c[2] <= rec.responded_at]
            chosen = (answered or contacts or [None])[-1]
            contact_id = chosen[0] if chosen else None
            label, ref = "case_ref", case_ref
        if rec.responded_at < started:
            raise RowError("answered_at", rec.responded_at.isoformat(),
                           f"is before the {label.removesuffix('_ref')} {ref} began ({started.isoformat()})")
        if customer_ref is not None and self.customers.get(customer_ref) != int(customer_id):
            raise RowError("customer_ref", customer_ref, f"is not the customer of {label.removesuffix('_ref')} {ref}")
        return (None if case_id is None else int(case_id)), (None if contact_id is None else int(contact_id)), \
            int(customer_id)
