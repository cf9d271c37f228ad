"""Ticket event logs in the process-mining layout (case id, activity, timestamp, resource).

Events of one case may be anywhere in the file, so the import runs in two resumable phases:
rows are staged in ``import_events`` batch by batch, then cases are rebuilt from the staged events
in groups of cases, each group one transaction.

A case is rebuilt from its events in *every* event-log file imported so far (an event repeated in a
later file counts once), so a second file with later events of cases already imported brings them up
to date — status, resolution, reopens, SLA outcome — and adds their new contacts
(:mod:`equipoise.ingest.case_updates`). Activities map to lifecycle steps:

* ``create``, ``message`` — the customer got in touch: an inbound contact;
* ``reply`` — an agent answered (first response; answers the open contact);
* ``assign``, ``pause``, ``resume``, ``resolve``, ``close``, ``reopen``, ``complaint``, ``ignore``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from equipoise.db.bulk import bulk_insert
from equipoise.ingest.case_updates import update_cases
from equipoise.ingest.mapping import FieldSpec, FileRefused, KindSpec, Mapping
from equipoise.ingest.rowwise import RowError, RowImporter, blank, code, number, priority, required, stamp
from equipoise.ingest.runner import BatchResult, ImportContext, Progress
from equipoise.ingest.source import Batch, Reject, SourceInfo
from equipoise.ingest.tickets import CaseRecord, ContactRecord, SlaPolicies, write_cases
from equipoise.models import Case
from equipoise.models.imports import ImportBatch, ImportEvent, ImportFile, ImportReject

STEPS = ("create", "message", "reply", "assign", "pause", "resume", "resolve", "close", "reopen",
         "complaint", "ignore")
KNOWN = {
    "create": ("create", "created", "open", "opened", "new", "new ticket", "ticket created", "register"),
    "message": ("message", "customer message", "customer reply", "inbound", "call", "email received",
                "customer contact"),
    "reply": ("reply", "agent reply", "respond", "response", "answer", "answered", "first response"),
    "assign": ("assign", "assigned", "assignment", "take in charge"),
    "pause": ("pause", "pending", "hold", "on hold", "wait", "waiting"),
    "resume": ("resume", "resumed", "unpause"),
    "resolve": ("resolve", "resolved", "solve", "solved", "resolution"),
    "close": ("close", "closed"),
    "reopen": ("reopen", "reopened"),
    "complaint": ("complaint", "complain", "escalate complaint"),
}
_DEFAULT_STEP = {alias: step for step, aliases in KNOWN.items() for alias in aliases}
CASE_GROUP = 1000

SPEC = KindSpec(
    name="events", title="Ticket event log (process-mining layout)", file_types=("csv", "parquet"),
    fields=(
        FieldSpec("case_id", True, "The case (ticket) the event belongs to."),
        FieldSpec("activity", True, "What happened; values.activity maps it to a lifecycle step."),
        FieldSpec("timestamp", True, "When it happened."),
        FieldSpec("resource", False, "Who did it (an agent code; customers/systems: options)."),
        FieldSpec("customer_id", False, "The customer (first non-empty value of the case wins)."),
        FieldSpec("channel", False, "Channel of the case or of this contact."),
        FieldSpec("reason", False, "Contact reason of the case."),
        FieldSpec("priority", False, "low / normal / high / urgent."),
        FieldSpec("duration_seconds", False, "Agent handling time of a reply (default: options)."),
    ),
    value_maps=("activity", "channel", "reason", "priority"),
    options={"ref_prefix": "", "unknown_activity": "reject", "not_agents": ["customer", "system"],
             "handle_seconds": 300, "anonymous_customer": "anonymous"},
    columns={"case_id": "case_id", "activity": "activity", "timestamp": "timestamp", "resource": "resource"},
)


class EventsImporter(RowImporter):
    """Stages events, then rebuilds cases and contacts with their lifecycle."""

    spec = SPEC
    multiline = True
    source = "events"

    def check(self, info: SourceInfo, mapping: Mapping) -> None:
        """Value maps must name lifecycle steps."""
        for raw, step in mapping.values.get("activity", {}).items():
            if step not in STEPS:
                raise FileRefused(f"mapping: values.activity: {raw!r} maps to {step!r}; expected one of "
                                  f"{', '.join(STEPS)}", field="mapping")
        if mapping.options["unknown_activity"] not in ("reject", "ignore"):
            raise FileRefused("mapping: options.unknown_activity: expected reject or ignore", field="mapping")

    def write_batch(self, conn: Connection, ctx: ImportContext, batch: Batch) -> BatchResult:
        """Phase 1: validate and stage the rows."""
        mp = ctx.mapping
        staged, rejects = [], []
        for n, row in zip(batch.row_numbers.tolist(), batch.dicts(), strict=True):
            try:
                staged.append((ctx.file_id, n, *self._event(mp, row)))
            except RowError as exc:
                rejects.append(Reject(n, exc.field, None if exc.value is None else str(exc.value)[:500],
                                      exc.reason))
        if staged:
            bulk_insert(conn, ImportEvent.__table__, ("file_id", "row_number", "case_ref", "step", "activity",
                                                      "occurred_at", "resource", "attrs"),
                        [(*s[:-1], _json(conn, s[-1])) for s in staged])
        return BatchResult(imported=len(staged), rejects=rejects)

    def _event(self, mp: Mapping, row: dict[str, Any]) -> tuple:
        case = f"{mp.options['ref_prefix']}{required(row, 'case_id')}"
        if len(case) > 100:
            raise RowError("case_id", row.get("case_id"), "longer than 100 characters with the prefix")
        activity = str(required(row, "activity"))
        step = mp.value("activity", activity) or _DEFAULT_STEP.get(activity.strip().lower())
        if step is None:
            if mp.options["unknown_activity"] == "reject":
                raise RowError("activity", activity, "unknown activity: map it under values.activity to "
                                                      f"one of {', '.join(STEPS)}")
            step = "ignore"
        when = stamp(mp, row, "timestamp", need=True)
        attrs: dict[str, Any] = {}
        for name in ("customer_id", "channel", "reason"):
            if not blank(row.get(name)):
                attrs[name] = str(row[name]).strip()
        if not blank(row.get("priority")):
            attrs["priority"] = priority(mp, row.get("priority"))
        duration = number(row, "duration_seconds")
        if duration is not None:
            attrs["duration_seconds"] = duration
        resource = None if blank(row.get("resource")) else str(row["resource"]).strip()[:100]
        return case, step, activity[:200], when, resource, attrs

    def finish(self, engine: Engine, ctx: ImportContext, progress: Progress | None) -> None:
        """Phase 2: rebuild cases in groups; each group commits with its bookkeeping row."""
        e, b = ImportEvent.__table__, ImportBatch.__table__
        with engine.connect() as conn:
            refs = list(conn.execute(select(e.c.case_ref).where(e.c.file_id == ctx.file_id)
                                     .group_by(e.c.case_ref).order_by(e.c.case_ref)).scalars())
            done = set(conn.execute(select(b.c.batch_no).where(b.c.file_id == ctx.file_id, b.c.batch_no < 0))
                       .scalars())
        for g in range(0, len(refs), CASE_GROUP):
            number_ = -(g // CASE_GROUP) - 1
            if number_ in done:
                continue
            group = refs[g:g + CASE_GROUP]
            with engine.begin() as conn:
                result = self._build(conn, ctx, group)
                if result.rejects:
                    bulk_insert(conn, ImportReject.__table__, ("file_id", "row_number", "field", "value", "reason"),
                                [(ctx.file_id, r.row, r.field, r.value, r.reason) for r in result.rejects])
                counts = {"rejected": len(result.rejects), **result.counts,
                          **{f"created_{k}": v for k, v in ctx.dims.take_created().items()}}
                conn.execute(insert(b), [{"file_id": ctx.file_id, "batch_no": number_, "first_row": 0,
                                          "last_row": 0, "counts": counts,
                                          "committed_at": dt.datetime.now().replace(microsecond=0)}])
            if progress:
                progress(min(g + CASE_GROUP, len(refs)), len(refs))

    def _build(self, conn: Connection, ctx: ImportContext, refs: list[str]) -> BatchResult:
        e, f, k = ImportEvent.__table__, ImportFile.__table__, Case.__table__
        files = list(conn.execute(select(f.c.id).where(f.c.kind == self.spec.name)).scalars())
        stmt = (select(e.c.file_id, e.c.case_ref, e.c.row_number, e.c.step, e.c.activity, e.c.occurred_at,
                       e.c.resource, e.c.attrs)
                .where(e.c.file_id.in_(files), e.c.case_ref.in_(refs))
                .order_by(e.c.case_ref, e.c.occurred_at, e.c.file_id, e.c.row_number))
        by_case: dict[str, list] = {}
        for row in conn.execute(stmt):
            by_case.setdefault(row.case_ref, []).append(row)
        records = [self._case(ctx.mapping, ref, _once(events)) for ref, events in by_case.items()]
        existing = set(conn.execute(select(k.c.external_ref).where(k.c.external_ref.in_(list(by_case))))
                       .scalars())
        if self._policies is None:
            self._policies = SlaPolicies(conn)
        cases, contacts, dups = write_cases(conn, ctx.dims, [r for r in records if r.ref not in existing],
                                            self.source, ctx.as_of, self._policies)
        updated, added, completed = update_cases(conn, ctx.dims, [r for r in records if r.ref in existing],
                                                 self.source, ctx.as_of, self._policies)
        result = BatchResult()
        result.counts.update({"cases": cases, "contacts": contacts + added, "cases_updated": updated,
                              "contacts_updated": completed,
                              "cases_existing": dups + len(existing) - updated})
        return result

    def _case(self, mp: Mapping, ref: str, events: list) -> CaseRecord:
        opts = mp.options
        not_agents = {str(x).lower() for x in opts["not_agents"]}
        attrs: dict[str, Any] = {}
        for ev in events:
            for k, v in (ev.attrs or {}).items():
                attrs.setdefault(k, v)
        channel = code(mp, attrs.get("channel"), "channel", mp.defaults["channel"], 32)
        rec = CaseRecord(row=events[0].row_number, ref=ref,
                         customer_ref=attrs.get("customer_id") or str(opts["anonymous_customer"]),
                         channel=channel, reason=code(mp, attrs.get("reason"), "reason", mp.defaults["reason"]),
                         opened_at=events[0].occurred_at, priority=attrs.get("priority", "normal"))
        status, open_contact, resolved_at, closed_at = "open", None, None, None
        changes = [(rec.opened_at, "open")]
        for ev in events:
            agent = ev.resource if ev.resource and ev.resource.lower() not in not_agents else None
            if ev.step in ("create", "message"):
                ch = (ev.attrs or {}).get("channel")
                open_contact = ContactRecord(arrived_at=ev.occurred_at, ref=f"{ref}#{len(rec.contacts) + 1}"[:100],
                                             channel=code(mp, ch, "channel", channel, 32) if ch else None,
                                             kind="first" if not rec.contacts else "repeat", outcome="unresolved",
                                             ended_at=ev.occurred_at)
                rec.contacts.append(open_contact)
            elif ev.step in ("reply", "resolve") and agent and open_contact is not None:
                handle = float((ev.attrs or {}).get("duration_seconds", opts["handle_seconds"]))
                open_contact.answered_at, open_contact.agent = ev.occurred_at, agent
                open_contact.handle_seconds = handle
                open_contact.ended_at = ev.occurred_at + dt.timedelta(seconds=handle)
                open_contact = None
            if ev.step == "reply" and rec.first_response_at is None:
                rec.first_response_at = ev.occurred_at
            if agent and ev.step in ("assign", "reply", "resolve"):
                rec.agent = agent
            if ev.step == "pause":
                status = "pending"
            elif ev.step in ("resume", "reopen"):
                status, resolved_at, closed_at = "open", None, None
                rec.reopen_count += ev.step == "reopen"
            elif ev.step == "resolve":
                status, resolved_at = "solved", ev.occurred_at
            elif ev.step == "close":
                closed_at = ev.occurred_at
                status = "solved" if resolved_at else "closed_unresolved"
            elif ev.step == "complaint":
                rec.is_complaint = True
            if status != changes[-1][1]:
                changes.append((ev.occurred_at, status))
        if not rec.contacts:
            rec.contacts.append(ContactRecord(arrived_at=rec.opened_at, ended_at=rec.opened_at,
                                              ref=f"{ref}#1"[:100], outcome="unresolved"))
        if resolved_at is not None:
            rec.contacts[-1].outcome = "resolved"
        rec.status, rec.resolved_at, rec.closed_at = status, resolved_at, closed_at or resolved_at
        rec.status_changes = changes
        rec.status_category = {"solved": "resolved", "closed_unresolved": "resolved", "pending": "paused"}.get(
            status, "open")
        return rec


def _once(events: list) -> list:
    """The events of one case with those repeated from an earlier file dropped (same step, time, who, what)."""
    first_file: dict[tuple, int] = {}
    kept = []
    for ev in events:
        key = (ev.step, ev.occurred_at, ev.resource, ev.activity)
        owner = first_file.setdefault(key, ev.file_id)
        if owner == ev.file_id:
            kept.append(ev)
    return kept


def _json(conn: Connection, value: dict) -> Any:
    import json

    return json.dumps(value) if conn.dialect.name == "postgresql" else value

