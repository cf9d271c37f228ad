"""Ticket exports of hosted helpdesks: Zendesk (JSON) and Freshdesk (CSV).

Field names follow each vendor's public documentation: Zendesk's Tickets API object (``id``,
``created_at``, ``status``, ``priority``, ``via.channel``, ``requester_id``, ``assignee_id``,
``group_id``, ``tags``, optional side-loaded ``metric_set``), as in the JSON (or JSON lines) export;
Freshdesk's ticket export columns (``Ticket ID``, ``Created time``, ``Status``, ``Priority``,
``Source``, ``Agent``, ``Group``, ``Resolved time``, ``Initial response time``, ...). Each ticket
becomes a case with one inbound contact on its channel; handle time is not in these exports, so
the contact's handle time is ``options.handle_seconds``.

Satisfaction: Zendesk's ``satisfaction_rating`` object (``score`` good / bad / offered / unoffered,
``comment``, ``created_at``/``updated_at``) and Freshdesk's satisfaction survey result column become
survey answers on the ticket's contact (CSAT 1-5: Zendesk good -> ``options.csat_good`` (5), bad ->
``options.csat_bad`` (1); Freshdesk's survey labels and rating codes as in :data:`FRESHDESK_RATINGS`).
Offered or unoffered ratings carry no answer and write nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from equipoise.ingest.mapping import FieldSpec, FileRefused, KindSpec, Mapping
from equipoise.ingest.rowwise import RowError, RowImporter, blank, code, priority, required, stamp
from equipoise.ingest.runner import ImportContext
from equipoise.ingest.source import SourceInfo
from equipoise.ingest.tickets import CaseRecord, ContactRecord, SurveyRecord, status_category

ZENDESK_CHANNELS = {"voice": "phone", "phone": "phone", "chat": "chat", "native_messaging": "chat",
                    "messaging": "chat", "email": "email", "web": "email", "web_form": "email", "api": "email",
                    "mobile": "email", "mobile_sdk": "email", "help_center": "self_service",
                    "twitter": "social", "facebook": "social", "instagram_dm": "social", "whatsapp": "social",
                    "sms": "social"}
FRESHDESK_CHANNELS = {"email": "email", "portal": "email", "phone": "phone", "chat": "chat",
                      "feedback widget": "email", "outbound email": "email", "forum": "social",
                      "twitter": "social", "facebook": "social", "whatsapp": "social", "mobihelp": "email",
                      "e-commerce": "email", "bot": "self_service"}
FRESHDESK_STATUS = {"open": "open", "pending": "pending", "resolved": "solved", "closed": "closed",
                    "waiting on customer": "waiting_on_customer",
                    "waiting on third party": "waiting_on_third_party"}
#: Freshdesk satisfaction survey results -> CSAT 1-5: the 7-point survey labels and their API rating
#: codes (103 extremely happy .. -103 extremely unhappy), the classic 3-point labels, and 1-5 as is.
FRESHDESK_RATINGS = {"extremely happy": 5, "very happy": 5, "happy": 4, "neutral": 3, "unhappy": 2,
                     "very unhappy": 1, "extremely unhappy": 1, "awesome": 5, "just okay": 3, "okay": 3,
                     "not good": 1, "103": 5, "102": 5, "101": 4, "100": 3, "-101": 2, "-102": 1, "-103": 1,
                     "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
#: Column names accepted for Freshdesk's survey fields when the mapping does not name one (first found).
FRESHDESK_SURVEY_COLUMNS = {
    "satisfaction_rating": ("Satisfaction rating", "Satisfaction Rating", "Survey result", "Survey Result",
                            "Satisfaction survey result", "Customer satisfaction", "Rating"),
    "satisfaction_comment": ("Satisfaction comment", "Satisfaction Comment", "Survey comment", "Survey Comment",
                             "Feedback", "Customer feedback"),
    "satisfaction_at": ("Survey responded time", "Survey response time", "Rated time", "Rated at"),
}
ZENDESK_SCORES = {"good": "csat_good", "good_with_comment": "csat_good", "bad": "csat_bad",
                  "bad_with_comment": "csat_bad"}
ZENDESK_NO_ANSWER = ("offered", "unoffered", "")
_HELPDESK_OPTIONS = {"ref_prefix": "", "customer_prefix": "", "agent_prefix": "", "handle_seconds": 420,
                     "complaint_tags": ["complaint"]}


def _f(name: str, required_: bool, text: str) -> FieldSpec:
    return FieldSpec(name, required_, text)


ZENDESK = KindSpec(
    name="zendesk", title="Zendesk ticket export (JSON)", file_types=("json",),
    fields=(_f("id", True, "Ticket id."), _f("created_at", True, "ISO 8601 time (UTC)."),
            _f("status", False, "new, open, pending, hold, solved, closed."),
            _f("priority", False, "low, normal, high, urgent (null = normal)."),
            _f("subject", False, "Subject."), _f("type", False, "problem, incident, question, task → reason."),
            _f("via", False, "Object with the channel (via.channel)."),
            _f("requester_id", False, "The customer (a Zendesk user id)."),
            _f("assignee_id", False, "The assigned agent (a Zendesk user id)."),
            _f("group_id", False, "The agent group → team."), _f("tags", False, "List of tags."),
            _f("updated_at", False, "Last update (closing time of closed tickets)."),
            _f("metric_set", False, "Side-loaded ticket metrics (reply time, solved_at, reopens)."),
            _f("satisfaction_rating", False, "Object: score (good, bad, offered, unoffered), comment, "
                                             "created_at/updated_at.")),
    value_maps=("channel", "reason", "priority", "status"),
    options={**_HELPDESK_OPTIONS, "ref_prefix": "zendesk:", "customer_prefix": "zendesk:",
             "agent_prefix": "zendesk:", "csat_good": 5, "csat_bad": 1},
)

FRESHDESK = KindSpec(
    name="freshdesk", title="Freshdesk ticket export (CSV)", file_types=("csv",),
    fields=(_f("ticket_id", True, "Ticket ID"), _f("created_at", True, "Created time"),
            _f("subject", False, "Subject"), _f("status", False, "Status"), _f("priority", False, "Priority"),
            _f("source", False, "Source (Email, Portal, Phone, Chat, ...) → channel"),
            _f("type", False, "Type → reason"), _f("agent", False, "Agent"), _f("group", False, "Group"),
            _f("resolved_at", False, "Resolved time"), _f("closed_at", False, "Closed time"),
            _f("first_response_at", False, "Initial response time"),
            _f("resolution_status", False, "Resolution status (Within SLA / SLA Violated)"),
            _f("first_response_status", False, "First response status"),
            _f("contact_id", False, "Contact ID"), _f("email", False, "Email"),
            _f("full_name", False, "Full name"), _f("tags", False, "Tags (comma separated)"),
            _f("satisfaction_rating", False, "Satisfaction survey result (label, rating code or 1-5)"),
            _f("satisfaction_comment", False, "The customer's survey comment"),
            _f("satisfaction_at", False, "When the survey was answered (default: resolved/closed time)")),
    value_maps=("channel", "reason", "priority", "status", "satisfaction"),
    options={**_HELPDESK_OPTIONS, "ref_prefix": "freshdesk:", "agent_prefix": ""},
    columns={"ticket_id": "Ticket ID", "created_at": "Created time", "subject": "Subject", "status": "Status",
             "priority": "Priority", "source": "Source", "type": "Type", "agent": "Agent", "group": "Group",
             "resolved_at": "Resolved time", "closed_at": "Closed time",
             "first_response_at": "Initial response time", "resolution_status": "Resolution status",
             "first_response_status": "First response status", "contact_id": "Contact ID",
             "email": "Email", "full_name": "Full name", "tags": "Tags",
             "satisfaction_rating": "Satisfaction rating", "satisfaction_comment": "Satisfaction comment",
             "satisfaction_at": "Survey responded time"},
)


def survey_columns(kind: str, path: Path | str, mapping: Path | str | dict | None) -> Path | str | dict | None:
    """For Freshdesk CSVs: name the survey columns the header has under an accepted name.

    Fields the mapping names explicitly are left alone; the mapping comes back unchanged when the
    header uses the default names (or is unreadable: the import's own checks then explain why).
    """
    if kind != "freshdesk" or Path(path).suffix.lower() in (".parquet", ".pq", ".json", ".jsonl", ".ndjson"):
        return mapping
    if isinstance(mapping, dict):
        raw = dict(mapping)
    elif mapping is None:
        raw = {}
    else:
        import yaml

        try:
            raw = yaml.safe_load(Path(mapping).read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return mapping
        if not isinstance(raw, dict):
            return mapping
    columns = raw.get("columns") or {}
    if not isinstance(columns, dict):
        return mapping
    try:
        with Path(path).open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = fh.readline()
    except OSError:
        return mapping
    delimiter = raw.get("delimiter") or ("\t" if "\t" in first else ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        return mapping
    header = {c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])}
    found = {}
    for name, names in FRESHDESK_SURVEY_COLUMNS.items():
        if name in columns or FRESHDESK.columns[name] in header:
            continue
        hit = next((n for n in names if n in header), None)
        if hit is not None:
            found[name] = hit
    if not found:
        return mapping
    return {**raw, "columns": {**columns, **found}}


def _check_csat_options(mp: Mapping) -> None:
    good, bad = mp.options["csat_good"], mp.options["csat_bad"]
    for name, value, low, high in (("csat_good", good, 4, 5), ("csat_bad", bad, 1, 3)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FileRefused(f"mapping: options.{name}: expected a whole number {low}-{high} (CSAT 4-5 counts "
                              f"as satisfied), got {value!r}", field="mapping")


def _when(mp: Mapping, row: dict[str, Any], name: str, label: str) -> dt.datetime | None:
    try:
        return stamp(mp, row, name)
    except RowError as exc:
        raise RowError(label, exc.value, exc.reason) from None


def _answered_at(label: str, at: dt.datetime | None, record: CaseRecord) -> dt.datetime:
    """The answer time, else the resolution (closing, creation) time; never before the ticket."""
    at = at or record.resolved_at or record.closed_at or record.opened_at
    if at < record.opened_at:
        raise RowError(label, at.isoformat(), "the survey was answered before the ticket was created")
    return at


def _sent(record: CaseRecord, answered: dt.datetime) -> dt.datetime:
    """Surveys go out on resolution; without one (or a later one) the answer time stands in."""
    done = record.resolved_at or record.closed_at
    return done if done is not None and done <= answered else answered


def zendesk_survey(mp: Mapping, rating: Any, record: CaseRecord) -> SurveyRecord | None:
    """A Zendesk ``satisfaction_rating`` as a survey answer (None when offered or unoffered)."""
    if blank(rating):
        return None
    if not isinstance(rating, dict):
        raise RowError("satisfaction_rating", rating, "expected an object with a score (good, bad, offered, "
                                                      "unoffered)")
    raw = rating.get("score")
    score = "" if blank(raw) else str(raw).strip().lower()
    if score in ZENDESK_NO_ANSWER:
        return None
    if score not in ZENDESK_SCORES:
        raise RowError("satisfaction_rating.score", raw, "expected good, bad, offered or unoffered")
    at = (_when(mp, rating, "updated_at", "satisfaction_rating.updated_at")
          or _when(mp, rating, "created_at", "satisfaction_rating.created_at"))
    comment = rating.get("comment")
    at = _answered_at("satisfaction_rating.created_at", at, record)
    return SurveyRecord(responded_at=at, csat=int(mp.options[ZENDESK_SCORES[score]]),
                        comment=None if blank(comment) else str(comment), sent_at=_sent(record, at))


def freshdesk_survey(mp: Mapping, row: dict[str, Any], record: CaseRecord) -> SurveyRecord | None:
    """Freshdesk's satisfaction survey result columns as a survey answer (None when empty)."""
    raw = row.get("satisfaction_rating")
    if blank(raw):
        return None
    text = str(raw).strip()
    mapped = mp.value("satisfaction", text)
    key = text.lower()
    if key.endswith(".0") and key[:-2].lstrip("-").isdigit():
        key = key[:-2]
    csat = int(mapped) if mapped is not None and mapped.strip().isdigit() else FRESHDESK_RATINGS.get(key)
    if mapped is not None and (csat is None or not 1 <= csat <= 5):
        raise RowError("satisfaction_rating", raw, f"values.satisfaction maps it to {mapped!r}; expected 1-5")
    if csat is None:
        raise RowError("satisfaction_rating", raw, "unknown survey result: expected a Freshdesk label (Extremely "
                                                   "happy .. Extremely unhappy, Awesome / Just okay / Not good), "
                                                   "a rating code (103 .. -103) or 1-5; map others under "
                                                   "values.satisfaction")
    comment = row.get("satisfaction_comment")
    at = _answered_at("satisfaction_at", _when(mp, row, "satisfaction_at", "satisfaction_at"), record)
    return SurveyRecord(responded_at=at, csat=csat, comment=None if blank(comment) else str(comment),
                        sent_at=_sent(record, at))


def _sla(value: Any) -> bool | None:
    text = "" if blank(value) else str(value).strip().lower()
    if text in ("within sla", "within_sla", "met"):
        return True
    if text in ("sla violated", "violated", "breached", "missed"):
        return False
    return None


def _case(mp: Mapping, number: int, ref: str, opened: dt.datetime, *, customer: str, channel: str, reason: str,
          prio: str, status: str, subject: str, tags: list[str], agent: str | None, team: str | None,
          first: dt.datetime | None, resolved: dt.datetime | None, closed: dt.datetime | None,
          reopens: int = 0, name: str | None = None) -> CaseRecord:
    for label, value in (("first_response_at", first), ("resolved_at", resolved), ("closed_at", closed)):
        if value is not None and value < opened:
            raise RowError(label, value.isoformat(), "is before the ticket was created")
    handle = float(mp.options["handle_seconds"])
    done = resolved is not None or status in ("solved", "closed")
    answered = first or resolved
    contact = ContactRecord(arrived_at=opened, answered_at=answered, agent=agent if answered else None,
                            handle_seconds=handle if answered else 0.0, ref=f"{ref}#1"[:100],
                            outcome="resolved" if done else "unresolved",
                            ended_at=(answered + dt.timedelta(seconds=handle)) if answered else opened)
    complaint_tags = {str(t).lower() for t in mp.options["complaint_tags"]}
    return CaseRecord(row=number, ref=ref[:100], customer_ref=customer[:100], channel=channel, reason=reason,
                      opened_at=opened, priority=prio, status=status, subject=subject,
                      status_category=status_category(status, resolved is not None), tags=tags, agent=agent,
                      team=team, first_response_at=first, resolved_at=resolved, closed_at=closed or resolved,
                      reopen_count=reopens, is_complaint=bool(complaint_tags & {t.lower() for t in tags}),
                      customer_name=name, contacts=[contact])


class ZendeskImporter(RowImporter):
    """Zendesk tickets (JSON list, ``{"tickets": [...]}`` or JSON lines)."""

    spec = ZENDESK
    source = "zendesk"

    def check(self, info: SourceInfo, mapping: Mapping) -> None:
        """The CSAT values of good and bad ratings must be on the satisfied / dissatisfied sides."""
        _check_csat_options(mapping)

    def parse(self, row: dict[str, Any], number: int, ctx: ImportContext) -> CaseRecord:
        mp, opts = ctx.mapping, ctx.mapping.options
        get = {f: row.get(col) for f, col in mp.columns.items()}
        tid = required(get, "id")
        opened = stamp(mp, get, "created_at", need=True)
        via = get.get("via") if isinstance(get.get("via"), dict) else {}
        raw_channel = str(via.get("channel") or "")
        channel = mp.value("channel", raw_channel) or ZENDESK_CHANNELS.get(raw_channel.lower(),
                                                                             mp.defaults["channel"])
        status = str(get.get("status") or "open").strip().lower()
        status = mp.value("status", status) or status
        metrics = get.get("metric_set") if isinstance(get.get("metric_set"), dict) else {}
        reply = (metrics.get("reply_time_in_minutes") or {}).get("calendar")
        first = opened + dt.timedelta(minutes=float(reply)) if reply not in (None, "") else None
        resolved = stamp(mp, metrics, "solved_at")
        if resolved is None and status in ("solved", "closed"):
            resolved = stamp(mp, get, "updated_at")
        closed = stamp(mp, get, "updated_at") if status == "closed" else None
        agent = None if blank(get.get("assignee_id")) else f"{opts['agent_prefix']}{get['assignee_id']}"
        team = None if blank(get.get("group_id")) else f"zendesk-group:{get['group_id']}"
        customer = get.get("requester_id")
        record = _case(mp, number, f"{opts['ref_prefix']}{tid}", opened,
                     customer=f"{opts['customer_prefix']}{customer}" if not blank(customer)
                     else "anonymous", channel=channel,
                     reason=code(mp, get.get("type"), "reason", mp.defaults["reason"]),
                     prio=priority(mp, get.get("priority")), status=status, subject=str(get.get("subject") or ""),
                     tags=[str(t) for t in get.get("tags") or []], agent=agent, team=team, first=first,
                     resolved=resolved, closed=closed, reopens=int(metrics.get("reopens") or 0))
        record.survey = zendesk_survey(mp, get.get("satisfaction_rating"), record)
        return record


class FreshdeskImporter(RowImporter):
    """Freshdesk ticket export (CSV with the export's column names)."""

    spec = FRESHDESK
    source = "freshdesk"

    def parse(self, row: dict[str, Any], number: int, ctx: ImportContext) -> CaseRecord:
        mp, opts = ctx.mapping, ctx.mapping.options
        tid = required(row, "ticket_id")
        opened = stamp(mp, row, "created_at", need=True)
        raw_source = str(row.get("source") or "").strip()
        channel = mp.value("channel", raw_source) or FRESHDESK_CHANNELS.get(raw_source.lower(),
                                                                              mp.defaults["channel"])
        raw_status = str(row.get("status") or "Open").strip()
        status = mp.value("status", raw_status) or FRESHDESK_STATUS.get(raw_status.lower(),
                                                                          raw_status.lower().replace(" ", "_"))
        customer = row.get("contact_id") if not blank(row.get("contact_id")) else row.get("email")
        agent = None if blank(row.get("agent")) else f"{opts['agent_prefix']}{str(row['agent']).strip()}"
        record = _case(mp, number, f"{opts['ref_prefix']}{tid}", opened,
                       customer=f"{opts['customer_prefix']}{customer}" if not blank(customer) else "anonymous",
                       channel=channel, reason=code(mp, row.get("type"), "reason", mp.defaults["reason"]),
                       prio=priority(mp, row.get("priority")), status=status, subject=str(row.get("subject") or ""),
                       tags=[t.strip() for t in str(row.get("tags") or "").split(",") if t.strip()],
                       agent=agent, team=None if blank(row.get("group")) else str(row["group"]).strip()[:64],
                       first=stamp(mp, row, "first_response_at"), resolved=stamp(mp, row, "resolved_at"),
                       closed=stamp(mp, row, "closed_at"),
                       name=None if blank(row.get("full_name")) else str(row["full_name"]))
        record.first_response_met = _sla(row.get("first_response_status"))
        record.resolution_met = _sla(row.get("resolution_status"))
        record.survey = freshdesk_survey(mp, row, record)
        return record
