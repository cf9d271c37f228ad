"""Equipoise's own documented layout: cases and contacts, as CSV or Parquet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from equipoise.db.bulk import bulk_insert
from equipoise.ingest.dims import TIERS
from equipoise.ingest.mapping import FieldSpec, KindSpec
from equipoise.ingest.rowwise import RowError, RowImporter, blank, code, flag, number, priority, required, stamp
from equipoise.ingest.runner import BatchResult, ImportContext
from equipoise.ingest.source import Batch, Reject
from equipoise.ingest.tickets import _CONTACT_COLS, CaseRecord, ContactRecord, contact_row, status_category
from equipoise.models import Case, Contact

OUTCOMES = ("resolved", "unresolved", "contained", "escalated", "transferred", "abandoned")
KINDS = ("first", "repeat", "retry", "escalation", "transfer")

CASES = KindSpec(
    name="cases", title="Cases (Equipoise layout)", file_types=("csv", "parquet"),
    fields=(
        FieldSpec("case_ref", True, "Unique id of the case in the source system."),
        FieldSpec("customer_ref", True, "The customer's id (customers.external_ref)."),
        FieldSpec("opened_at", True, "When the case was opened."),
        FieldSpec("channel", False, "Channel code of the first contact (default: defaults.channel)."),
        FieldSpec("reason", False, "Contact-reason code (default: defaults.reason)."),
        FieldSpec("priority", False, "low / normal / high / urgent."),
        FieldSpec("status", False, "Status name (default: solved, closed_unresolved or open)."),
        FieldSpec("subject", False, "Subject line."),
        FieldSpec("team", False, "Team code (org_units.code)."),
        FieldSpec("agent", False, "Assigned agent code."),
        FieldSpec("first_response_at", False, "First response to the customer."),
        FieldSpec("resolved_at", False, "When it was resolved."),
        FieldSpec("closed_at", False, "When it was closed."),
        FieldSpec("reopen_count", False, "Times reopened."),
        FieldSpec("is_complaint", False, "true/false."),
        FieldSpec("tags", False, "Tags separated by ';'."),
        FieldSpec("customer_name", False, "Name for a new customer."),
        FieldSpec("customer_tier", False, "Tier for a new customer (top, high, mid, low, ...)."),
    ),
    value_maps=("channel", "reason", "priority", "status"),
)

CONTACTS = KindSpec(
    name="contacts", title="Contacts (Equipoise layout)", file_types=("csv", "parquet"),
    fields=(
        FieldSpec("contact_ref", True, "Unique id of the contact in the source system."),
        FieldSpec("customer_ref", True, "The customer's id (customers.external_ref)."),
        FieldSpec("arrived_at", True, "When the contact arrived."),
        FieldSpec("channel", False, "Channel code (default: defaults.channel)."),
        FieldSpec("case_ref", False, "The case it belongs to (imported before, by the cases kind)."),
        FieldSpec("reason", False, "Contact-reason code (default: defaults.reason)."),
        FieldSpec("agent", False, "Agent code."),
        FieldSpec("direction", False, "inbound / outbound."),
        FieldSpec("kind", False, "first / repeat / retry / escalation / transfer."),
        FieldSpec("queued_at", False, "Entered an agent queue."),
        FieldSpec("answered_at", False, "Answered by an agent or automated channel."),
        FieldSpec("ended_at", False, "Ended (default: answered_at + handle_seconds)."),
        FieldSpec("handle_seconds", False, "Handling seconds incl. wrap-up (default: ended - answered)."),
        FieldSpec("abandoned", False, "true/false."),
        FieldSpec("transferred", False, "true/false."),
        FieldSpec("outcome", False, f"{' / '.join(OUTCOMES)} (default: resolved, or abandoned)."),
    ),
    value_maps=("channel", "reason", "outcome"),
)


def _order(row: dict[str, Any], pairs: list[tuple[str, Any, Any]]) -> None:
    for name, later, earlier in pairs:
        if later is not None and earlier is not None and later < earlier:
            raise RowError(name, row.get(name), "is before the case was opened / the contact arrived")


class CasesImporter(RowImporter):
    """Cases in the Equipoise layout."""

    spec = CASES
    source = "import"

    def parse(self, row: dict[str, Any], number_: int, ctx: ImportContext) -> CaseRecord:
        mp = ctx.mapping
        ref = str(required(row, "case_ref"))
        customer = str(required(row, "customer_ref"))
        opened = stamp(mp, row, "opened_at", need=True)
        first, resolved = stamp(mp, row, "first_response_at"), stamp(mp, row, "resolved_at")
        closed = stamp(mp, row, "closed_at")
        _order(row, [("first_response_at", first, opened), ("resolved_at", resolved, opened),
                     ("closed_at", closed, opened)])
        tier = row.get("customer_tier")
        if not blank(tier) and str(tier).strip().lower() not in TIERS:
            raise RowError("customer_tier", tier, f"expected one of {', '.join(TIERS)}")
        status = row.get("status")
        if blank(status):
            status = "solved" if resolved else ("closed_unresolved" if closed else "open")
        else:
            status = mp.value("status", str(status)) or str(status).strip().lower()
        reopen = number(row, "reopen_count")
        if reopen is not None and reopen != int(reopen):
            raise RowError("reopen_count", row.get("reopen_count"), "expected a whole number")
        tags = row.get("tags")
        return CaseRecord(
            row=number_, ref=ref, customer_ref=customer, opened_at=opened,
            channel=code(mp, row.get("channel"), "channel", mp.defaults["channel"], 32),
            reason=code(mp, row.get("reason"), "reason", mp.defaults["reason"]),
            priority=priority(mp, row.get("priority")), status=status,
            status_category=status_category(status, resolved is not None),
            subject=str(row.get("subject") or ""), tags=[t.strip() for t in str(tags).split(";") if t.strip()]
            if not blank(tags) else [], team=None if blank(row.get("team")) else str(row["team"]).strip(),
            agent=None if blank(row.get("agent")) else str(row["agent"]).strip(),
            customer_name=None if blank(row.get("customer_name")) else str(row["customer_name"]),
            tier=None if blank(tier) else str(tier).strip().lower(), first_response_at=first,
            resolved_at=resolved, closed_at=closed or resolved, reopen_count=int(reopen or 0),
            is_complaint=flag(row, "is_complaint"))


class ContactsImporter(RowImporter):
    """Contacts in the Equipoise layout (optionally linked to imported cases)."""

    spec = CONTACTS
    source = "import"

    def parse_contact(self, row: dict[str, Any], ctx: ImportContext) -> tuple[ContactRecord, str, str, str | None]:
        mp = ctx.mapping
        ref = str(required(row, "contact_ref"))
        customer = str(required(row, "customer_ref"))
        arrived = stamp(mp, row, "arrived_at", need=True)
        queued, answered = stamp(mp, row, "queued_at"), stamp(mp, row, "answered_at")
        ended = stamp(mp, row, "ended_at")
        _order(row, [("queued_at", queued, arrived), ("answered_at", answered, queued or arrived),
                     ("ended_at", ended, answered or queued or arrived)])
        abandoned = flag(row, "abandoned")
        raw = row.get("outcome")
        outcome = "abandoned" if abandoned else "resolved"
        if not blank(raw):
            outcome = mp.value("outcome", str(raw)) or str(raw).strip().lower()
            if outcome not in OUTCOMES:
                raise RowError("outcome", raw, f"unknown outcome (expected {', '.join(OUTCOMES)})")
        if outcome == "abandoned" and answered is not None:
            raise RowError("answered_at", row.get("answered_at"), "an abandoned contact has an answer time")
        kind = str(row.get("kind") or "first").strip().lower()
        if kind not in KINDS:
            raise RowError("kind", row.get("kind"), f"expected one of {', '.join(KINDS)}")
        direction = str(row.get("direction") or "inbound").strip().lower()
        if direction not in ("inbound", "outbound"):
            raise RowError("direction", row.get("direction"), "expected inbound or outbound")
        if ended is None and answered is None and not abandoned:
            ended = arrived
        contact = ContactRecord(
            arrived_at=arrived, ended_at=ended, queued_at=queued, answered_at=answered,
            handle_seconds=number(row, "handle_seconds"), ref=ref,
            channel=code(mp, row.get("channel"), "channel", mp.defaults["channel"], 32),
            agent=None if blank(row.get("agent")) else str(row["agent"]).strip(), direction=direction,
            kind=kind, abandoned=outcome == "abandoned", transferred=flag(row, "transferred"),
            outcome=outcome)
        case = None if blank(row.get("case_ref")) else str(row["case_ref"]).strip()
        return contact, customer, code(mp, row.get("reason"), "reason", mp.defaults["reason"]), case

    def write_batch(self, conn: Connection, ctx: ImportContext, batch: Batch) -> BatchResult:
        """Parse, link to cases, skip contacts already imported, insert the rest."""
        parsed, rejects = [], []
        for n, row in zip(batch.row_numbers.tolist(), batch.dicts(), strict=True):
            try:
                parsed.append((n, *self.parse_contact(row, ctx)))
            except RowError as exc:
                rejects.append(Reject(n, exc.field, None if exc.value is None else str(exc.value)[:500],
                                      exc.reason))
        c, k = Contact.__table__, Case.__table__
        refs = [p[1].ref for p in parsed]
        case_refs = sorted({p[4] for p in parsed if p[4]})
        existing, cases = set(), {}
        for i in range(0, max(len(refs), len(case_refs)), 2000):
            existing.update(conn.execute(select(c.c.external_ref).where(c.c.external_ref.in_(refs[i:i + 2000])))
                            .scalars())
            cases.update(conn.execute(select(k.c.external_ref, k.c.id)
                                      .where(k.c.external_ref.in_(case_refs[i:i + 2000]))).all())
        keep, dups = [], 0
        for n, contact, customer, reason, case in parsed:
            if contact.ref in existing:
                dups += 1
                continue
            if case and case not in cases:
                rejects.append(Reject(n, "case_ref", case, "no such case: import the cases file first"))
                continue
            existing.add(contact.ref)
            keep.append((contact, customer, reason, cases.get(case)))
        dims = ctx.dims
        customers = dims.customers(conn, [k[1] for k in keep])
        channels = dims.channels(conn, {k[0].channel for k in keep})
        reasons = dims.reasons(conn, {k[2] for k in keep})
        agents = dims.agents(conn, {k[0].agent for k in keep if k[0].agent})
        rows = [contact_row(ct, case_id, customers[cu], channels[ct.channel], reasons[re],
                            agents.get(ct.agent) if ct.agent else None, self.source)
                for ct, cu, re, case_id in keep]
        if rows:
            bulk_insert(conn, c, _CONTACT_COLS, rows)
        return BatchResult(imported=len(rows), duplicates=dups, rejects=rejects)
