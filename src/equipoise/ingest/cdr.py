"""Call detail records from a telephone system or ACD: one row per call, vectorised per batch.

Each call becomes one contact. Times of day are put on the row's date (a time earlier than the one
before it is on the next day); an empty or all-zero time means the step did not happen. A call that
never reached a queue or an agent is a contact on the IVR channel. Wait = answer (or queue exit, or the end) −
queue start; handle = service exit − service start; cost = handle hours × agent hourly cost ÷
channel concurrency + channel technology cost.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Engine
from sqlalchemy import text as sa_text

from equipoise.db.bulk import reserve_ids, write_columns
from equipoise.ingest.cdrcases import RESOLVING, CallsIn, CaseGrouper, CasesOut
from equipoise.ingest.dims import TIERS, lookup, slug
from equipoise.ingest.mapping import FieldSpec, FileRefused, KindSpec, Mapping
from equipoise.ingest.runner import BatchResult, ImportContext, Progress
from equipoise.ingest.source import Batch, SourceInfo
from equipoise.ingest.vector import RowErrors, by_unique, present, text

TIME_FIELDS = ("ivr_entry", "ivr_exit", "queue_start", "queue_exit", "service_start", "service_exit")
OUTCOMES = ("resolved", "unresolved", "contained", "escalated", "transferred", "abandoned")
ALIASES = {"answered": "resolved", "handled": "resolved", "abandon": "abandoned",
           "hang": "abandoned", "hangup": "abandoned", "transfer": "transferred"}
_SERVED = ("resolved", "unresolved", "escalated", "transferred")

SPEC = KindSpec(
    name="cdr", title="Call detail records (telephone system / ACD)", file_types=("csv", "parquet"),
    fields=(
        FieldSpec("call_id", True, "Unique id of the call in the telephone system."),
        FieldSpec("customer_id", False, "The caller's customer id (anonymous values: options)."),
        FieldSpec("call_type", False, "Type or queue of the call; becomes the contact reason."),
        FieldSpec("priority", False, "Priority class; values.priority maps it to a customer tier."),
        FieldSpec("date", False, "Date of the call (required when the times are times of day)."),
        FieldSpec("ivr_entry", False, "Entered the IVR."),
        FieldSpec("ivr_exit", False, "Left the IVR."),
        FieldSpec("queue_start", False, "Entered the agent queue."),
        FieldSpec("queue_exit", False, "Left the queue (answered or abandoned)."),
        FieldSpec("service_start", False, "An agent answered."),
        FieldSpec("service_exit", False, "The call ended (including wrap-up if recorded)."),
        FieldSpec("outcome", False, "answered / abandoned / ... (values.outcome maps raw codes)."),
        FieldSpec("agent", False, "Agent id or login; matched to agents.code or created."),
        FieldSpec("channel", False, "Channel code (default: defaults.channel)."),
        FieldSpec("direction", False, "inbound or outbound (default inbound)."),
        FieldSpec("case_id", False, "Case or ticket id: calls with the same id are one case (without it, "
                                    "a customer's calls of one type within options.case_window_days)."),
    ),
    value_maps=("outcome", "priority", "call_type", "channel", "direction"),
    options={"ref_prefix": "cdr:", "ivr_channel": "ivr", "anonymous_customers": ["", "0"],
             "anonymous_customer": "anonymous", "max_call_hours": 12, "customer_prefix": "",
             "no_agent_values": [], "case_prefix": "cdr-case:", "case_window_days": 7},
    formats={"date": "YYYY-MM-DD", "time": "HH:MM:SS"},
)


def _outcome(mapping: Mapping, raw: str) -> str | None:
    key = raw.strip().lower()
    value = mapping.value("outcome", raw) or ALIASES.get(key, key)
    return ALIASES.get(value, value) if ALIASES.get(value, value) in OUTCOMES else None


class CdrImporter:
    """Imports call detail records into contacts, grouped into cases."""

    spec = SPEC
    multiline = False
    #: Tables a large import writes in bulk mode (see equipoise.ingest.bulkmode).
    bulk_tables = ("contacts", "cases")

    def __init__(self) -> None:
        self._groupers: dict[int, CaseGrouper] = {}

    def check(self, info: SourceInfo, mapping: Mapping) -> None:
        """Refuse mappings that cannot work: no times, times of day without a date, bad value maps."""
        times = [f for f in TIME_FIELDS if f in info.present]
        if not times:
            raise FileRefused(f"file: {info.path.name}: no call times found; map at least one of "
                              f"{', '.join(TIME_FIELDS)}", field="file")
        if "date" in info.present and not mapping.fmt("time").has_time:
            raise FileRefused("mapping: formats.time must contain an hour (H or HH)", field="mapping")
        if "date" not in info.present and not mapping.fmt("datetime").has_date:
            raise FileRefused(f"file: {info.path.name}: without a date column the times need "
                              "formats.datetime with a date part", field="file")
        for raw, value in mapping.values.get("outcome", {}).items():
            if ALIASES.get(value, value) not in OUTCOMES:
                raise FileRefused(f"mapping: values.outcome: {raw!r} maps to {value!r}; expected one "
                                  f"of answered, {', '.join(OUTCOMES)}", field="mapping")
        window = mapping.options["case_window_days"]
        if isinstance(window, bool) or not isinstance(window, int | float) or window < 0:
            raise FileRefused(f"mapping: options.case_window_days: expected a number of days >= 0, got "
                              f"{window!r}", field="mapping")
        for raw, value in mapping.values.get("priority", {}).items():
            if value not in TIERS:
                raise FileRefused(f"mapping: values.priority: {raw!r} maps to {value!r}; expected a "
                                  f"tier ({', '.join(TIERS)})", field="mapping")

    def finish(self, engine: Engine, ctx: ImportContext, progress: Progress | None) -> None:
        """Nothing to do after the rows: cases were written with their calls."""
        self._groupers.pop(ctx.file_id, None)

    def write_batch(self, conn: Connection, ctx: ImportContext, batch: Batch) -> BatchResult:
        """Validate, derive and insert one batch of calls."""
        mp, opts, t = ctx.mapping, ctx.mapping.options, batch.table
        n = len(batch)
        err = RowErrors(batch.row_numbers)
        call = text(t, "call_id")
        err.add(~present(call), "call_id", call, "required value missing")
        ref_text = pc.binary_join_element_wise(str(opts["ref_prefix"]), call, "")
        refs = ref_text.to_numpy(zero_copy_only=False)
        err.add(np.asarray(pc.greater(pc.utf8_length(ref_text), 100)), "call_id", call,
                "longer than 100 characters with the prefix")
        case = text(t, "case_id")
        if case is not None:
            long_case = np.asarray(pc.greater(pc.utf8_length(case), 100 - len(str(opts["case_prefix"]))))
            err.add(long_case, "case_id", case, "longer than 100 characters with options.case_prefix")
        secs, given = self._times(t, mp, err, n)
        outcome = self._outcomes(t, mp, err, given, n)
        ivr_only = given["ivr_entry"] | given["ivr_exit"]
        ivr_only &= ~given["queue_start"] & ~given["queue_exit"] & ~given["service_start"]
        if opts.get("ivr_channel"):
            outcome = np.where(ivr_only & np.isin(outcome, ["resolved", "contained"]), "contained", outcome)
        good = err.good
        # Duplicates: first occurrence in the batch wins; refs already stored are skipped.
        dup = np.zeros(n, dtype=bool)
        dup[good] = pd.Series(refs[good]).duplicated().to_numpy()
        cand = refs[good & ~dup].tolist()
        existing = {r[0] for r in lookup(conn, "contacts", "external_ref", (), cand)}
        if existing:
            dup |= good & np.isin(refs, list(existing))
        keep = np.flatnonzero(good & ~dup)
        result = BatchResult(duplicates=int(dup.sum()), rejects=err.rejects)
        if keep.size:
            result.imported, new_cases = self._insert(conn, ctx, t.take(pa.array(keep)), refs[keep],
                                                      {k: v[keep] for k, v in secs.items()},
                                                      {k: v[keep] for k, v in given.items()}, outcome[keep],
                                                      ivr_only[keep])
            result.counts["cases"] += new_cases
        return result

    def _times(self, t: pa.Table, mp: Mapping, err: RowErrors, n: int):
        dated = "date" in t.column_names
        base = np.zeros(n, dtype=np.int64)
        if dated:
            fmt = mp.fmt("date")
            raw = text(t, "date")
            base, missing, invalid = fmt.parse_array(raw)
            err.add(missing, "date", raw, "required value missing")
            err.add(invalid, "date", raw, f"expected a date like {fmt.describe()}")
        fmt = mp.fmt("time" if dated else "datetime")
        secs: dict[str, np.ndarray] = {}
        given: dict[str, np.ndarray] = {}
        last = np.full(n, -1, dtype=np.int64)
        first = np.full(n, -1, dtype=np.int64)
        for name in TIME_FIELDS:
            raw = text(t, name)
            if raw is None:
                secs[name], given[name] = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
                continue
            value, missing, invalid = fmt.parse_array(raw)
            err.add(invalid, name, raw, f"expected {'a time like' if dated else 'a date-time like'} "
                                        f"{fmt.describe()}")
            has = ~missing & ~invalid
            value = value + base
            if dated:
                value = np.where(has & (last >= 0) & (value < last), value + 86_400, value)
            else:
                before = has & (last >= 0) & (value < last)
                err.add(before, name, raw, "is before an earlier step of the call")
            secs[name], given[name] = value, has
            first = np.where(has & (first < 0), value, first)
            last = np.where(has, value, last)
        anytime = first >= 0
        err.add(~anytime, "ivr_entry", None, f"no call time given ({', '.join(TIME_FIELDS)})")
        limit = float(mp.options["max_call_hours"]) * 3600
        err.add(anytime & (last - first > limit), "times", None,
                f"the call would last more than {mp.options['max_call_hours']} h: times out of order?")
        return secs, given

    def _outcomes(self, t: pa.Table, mp: Mapping, err: RowErrors, given, n: int) -> np.ndarray:
        raw = text(t, "outcome")
        if raw is None:
            derived = np.where(given["service_start"], "resolved",
                               np.where(given["queue_start"], "abandoned", "contained"))
            return derived.astype(object)
        outcome = by_unique(raw, lambda v: _outcome(mp, v) if v else None)
        err.add(outcome == None, "outcome", raw,  # noqa: E711 - element-wise on an object array
                lambda v: f"unknown outcome {v!r}: map it under values.outcome (to answered, "
                          f"{', '.join(OUTCOMES)})" if v else "required value missing")
        served = np.isin(outcome, _SERVED)
        err.add(served & ~given["service_start"], "service_start", None,
                "an answered call needs a service start")
        err.add((outcome == "abandoned") & given["service_start"], "outcome", raw,
                "an abandoned call has a service start")
        return outcome

    def _insert(self, conn: Connection, ctx: ImportContext, t: pa.Table, refs: np.ndarray,
                secs: dict[str, np.ndarray], given: dict[str, np.ndarray], outcome: np.ndarray,
                ivr_only: np.ndarray) -> tuple[int, int]:
        """Write the batch's calls and their cases; returns (contacts, new cases)."""
        mp, opts, dims = ctx.mapping, ctx.mapping.options, ctx.dims
        n = refs.size
        # Customers: anonymous values share one customer; priority gives a new customer's tier.
        cust = text(t, "customer_id")
        anonymous = {str(a) for a in opts["anonymous_customers"]}
        anon_ref = str(opts["anonymous_customer"])
        prefix = str(opts["customer_prefix"])
        cref = (by_unique(cust, lambda v: anon_ref if v in anonymous else prefix + v)
                if cust is not None else np.full(n, anon_ref, dtype=object))
        prio = text(t, "priority")
        tiers: dict[str, str] = {}
        if prio is not None:
            tier = by_unique(prio, lambda v: mp.value("priority", v) or (v.lower() if v.lower() in TIERS
                                                                         else None))
            first = pd.DataFrame({"c": cref, "t": tier}).dropna().drop_duplicates("c")
            tiers = dict(zip(first["c"].tolist(), first["t"].tolist(), strict=True))
        cmap = dims.customers(conn, set(cref.tolist()), tiers)
        customer_id = _lookup(cref, cmap)
        ctype = text(t, "call_type")
        default_reason = str(mp.defaults["reason"])
        rcode = (by_unique(ctype, lambda v: (mp.value("call_type", v) or slug(v)) if v else default_reason)
                 if ctype is not None else np.full(n, default_reason, dtype=object))
        reason_id = _lookup(rcode, dims.reasons(conn, set(rcode.tolist())))
        ch = text(t, "channel")
        default_channel = str(mp.defaults["channel"])
        ccode = (by_unique(ch, lambda v: (mp.value("channel", v) or slug(v, 32)) if v else default_channel)
                 if ch is not None else np.full(n, default_channel, dtype=object))
        if opts.get("ivr_channel"):
            ccode = np.where(ivr_only, str(opts["ivr_channel"]), ccode)
        chmap = dims.channels(conn, set(ccode.tolist()))
        channel_id = _lookup(ccode, {k: v.id for k, v in chmap.items()})
        staffed = _lookup(ccode, {k: v.staffed for k, v in chmap.items()}, bool)
        concurrency = _lookup(ccode, {k: v.concurrency for k, v in chmap.items()}, float)
        tech = _lookup(ccode, {k: v.tech_cost for k, v in chmap.items()}, float)
        ag = text(t, "agent")
        acode = ag.to_numpy(zero_copy_only=False).astype(object) if ag is not None else np.full(n, "", object)
        no_agent = {str(v) for v in opts["no_agent_values"]} | {""}
        acode = np.where(np.isin(acode, list(no_agent)) | (outcome == "abandoned"), "", acode)
        amap = dims.agents(conn, {a for a in set(acode.tolist()) if a})
        agent_id = _lookup(acode, {k: v.id for k, v in amap.items()} | {"": -1})
        team_id = _lookup(acode, {k: v.team_id for k, v in amap.items()} | {"": -1})
        hourly = _lookup(acode, {k: v.hourly_cost for k, v in amap.items()} | {"": 0.0}, float)
        direction = text(t, "direction")
        dirs = (by_unique(direction, lambda v: (mp.value("direction", v) or v.lower() or "inbound"))
                if direction is not None else np.full(n, "inbound", dtype=object))
        dirs = np.where(np.isin(dirs, ["inbound", "outbound"]), dirs, "inbound")
        first = np.full(n, np.iinfo(np.int64).max)
        last = np.full(n, -1, dtype=np.int64)
        for name in TIME_FIELDS:
            first = np.where(given[name], np.minimum(first, secs[name]), first)
            last = np.where(given[name], np.maximum(last, secs[name]), last)
        qs, ss = secs["queue_start"], secs["service_start"]
        # Left the queue: answered, else the queue exit, else (no exit recorded) the call's end.
        q_end = np.where(given["service_start"], ss, np.where(given["queue_exit"], secs["queue_exit"], last))
        wait = np.where(given["queue_start"], q_end - qs, 0).astype(float)
        handle = np.where(given["service_start"] & given["service_exit"], secs["service_exit"] - ss, 0)
        handle = handle.astype(float)
        abandoned = outcome == "abandoned"
        answered = given["service_start"] & ~abandoned
        cost = np.where(staffed, handle / 3600.0 * hourly / concurrency + tech, tech).round(6)
        contact_id = reserve_ids(conn, "contacts", n)
        # Cases: by the file's case id, else a customer's calls of one type close together.
        case_col = text(t, "case_id")
        anon_id = cmap.get(anon_ref, -1)
        if case_col is not None:
            raw_case = case_col.to_numpy(zero_copy_only=False).astype(object)
            alone = raw_case == ""
            key = np.char.add(str(opts["case_prefix"]), raw_case.astype(str)).astype(object)
        else:
            alone = customer_id == anon_id
            if reason_id.size and int(reason_id.max()) >= 1 << 21:
                raise ValueError("contact reason ids beyond 2**21: cannot key call groups")
            key = customer_id * (1 << 21) + reason_id
        grouper = self._grouper(conn, ctx, key, alone, first, anon_id, case_col is not None)
        calls = CallsIn(key=key, alone=alone, arrived=first, ended=last, answered=np.where(answered, ss, -1),
                        contact_id=contact_id, abandoned=abandoned, resolving=np.isin(outcome, RESOLVING),
                        agent_id=agent_id, team_id=team_id)
        cases = grouper.assign(calls, lambda k: reserve_ids(conn, "cases", k))
        new = np.flatnonzero(cases.is_new_case)
        if new.size:
            r0 = cases.new_case_first[new]
            case_refs = key[r0] if case_col is not None else refs[r0]
            write_columns(conn, "cases", self._case_columns(cases, new, case_refs, customer_id[r0],
                                                            reason_id[r0], channel_id[r0], first[r0], last,
                                                            outcome))
        old = np.flatnonzero(~cases.is_new_case)
        if old.size:
            self._update_cases(conn, cases, old, last, outcome)
        case_id = cases.case_ids[cases.case_slot]
        columns = {
            "id": pa.array(contact_id), "external_ref": pa.array(refs.tolist(), pa.string()),
            "case_id": pa.array(case_id), "customer_id": pa.array(customer_id),
            "channel_id": pa.array(channel_id), "reason_id": pa.array(reason_id),
            "agent_id": pa.array(agent_id, mask=agent_id < 0), "team_id": pa.array(team_id, mask=team_id < 0),
            "direction": pa.array(dirs.tolist(), pa.string()),
            "previous_contact_id": pa.array(cases.previous, mask=cases.previous < 0),
            "kind": pa.array(cases.kind.tolist(), pa.string()),
            "arrived_at": _stamps(first), "queued_at": _stamps(qs, given["queue_start"]),
            "answered_at": _stamps(ss, answered), "ended_at": _stamps(last),
            "wait_seconds": pa.array(wait), "handle_seconds": pa.array(handle),
            "abandoned": pa.array(abandoned), "transferred": pa.array(outcome == "transferred"),
            "outcome": pa.array(outcome.tolist(), pa.string()), "cost": pa.array(cost),
            "source": pa.array(np.full(n, "cdr", dtype=object).tolist(), pa.string())}
        # A call's previous call goes in first (SQLite checks that reference row by row).
        order = np.lexsort((contact_id, first))
        if (np.diff(order) < 0).any():
            columns = {k: v.take(pa.array(order)) for k, v in columns.items()}
        write_columns(conn, "contacts", columns)
        return n, int(new.size)

    def _grouper(self, conn: Connection, ctx: ImportContext, key: np.ndarray, alone: np.ndarray,
                 arrived: np.ndarray, anon_id: int, by_ref: bool) -> CaseGrouper:
        """The import's case grouper, seeded from the database with the groups it may continue."""
        grouper = self._groupers.get(ctx.file_id)
        opts = ctx.mapping.options
        if grouper is None:
            window = None if by_ref else float(opts["case_window_days"]) * 86_400
            grouper = self._groupers[ctx.file_id] = CaseGrouper(window)
        if by_ref:
            unknown = grouper.unknown(np.unique(key[~alone]))
            if unknown.size:
                grouper.seed(_cases_by_ref(conn, unknown.tolist()))
        elif not grouper.seeded and arrived.size:
            since = int(arrived.min()) - int(grouper.window)
            grouper.seed(_recent_groups(conn, since, anon_id))
        return grouper

    @staticmethod
    def _case_columns(cases: CasesOut, new: np.ndarray, refs: np.ndarray, customer_id: np.ndarray,
                      reason_id: np.ndarray, channel_id: np.ndarray, opened: np.ndarray,
                      ended: np.ndarray, outcome: np.ndarray) -> dict[str, pa.Array]:
        k = new.size
        last_row = cases.last_row[new]
        resolved = np.isin(outcome[last_row], RESOLVING)
        status = np.where(resolved, "resolved", "open").tolist()
        done = _stamps(ended[last_row], resolved)
        team, agent, answered = cases.first_team[new], cases.last_agent[new], cases.first_answered[new]
        const = lambda v, typ: pa.array([v] * k, typ)  # noqa: E731
        return {
            "id": pa.array(cases.case_ids[new]), "external_ref": pa.array(refs.tolist(), pa.string()),
            "customer_id": pa.array(customer_id), "reason_id": pa.array(reason_id),
            "channel_id": pa.array(channel_id), "team_id": pa.array(team, mask=team < 0),
            "assigned_agent_id": pa.array(agent, mask=agent < 0), "subject": const("", pa.string()),
            "priority": const("normal", pa.string()), "status": pa.array(status, pa.string()),
            "status_category": pa.array(status, pa.string()), "tags": const("[]", pa.string()),
            "is_complaint": const(False, pa.bool_()), "opened_at": _stamps(opened),
            "first_response_at": _stamps(answered, answered >= 0), "resolved_at": done, "closed_at": done,
            "reopen_count": pa.array(cases.reopened[new]), "version": const(1, pa.int64()),
            "source": const("cdr", pa.string())}

    @staticmethod
    def _update_cases(conn: Connection, cases: CasesOut, old: np.ndarray, ended: np.ndarray,
                      outcome: np.ndarray) -> None:
        """Continued cases take the status of their latest call; a first answer and an agent fill in."""
        last_row = cases.last_row[old]
        resolved = np.isin(outcome[last_row], RESOLVING)
        status = np.where(resolved, "resolved", "open").tolist()
        agent, answered = cases.last_agent[old], cases.first_answered[old]
        pg = conn.dialect.name == "postgresql"
        ts, big = ("timestamp", "bigint") if pg else ("TEXT", "INTEGER")
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS cdr_case_update (id {big}, status varchar(32), done {ts}, "
            f"agent {big}, answered {ts}, reopened {big})")
        conn.exec_driver_sql("DELETE FROM cdr_case_update")
        write_columns(conn, "cdr_case_update", {
            "id": pa.array(cases.case_ids[old]), "status": pa.array(status, pa.string()),
            "done": _stamps(ended[last_row], resolved), "agent": pa.array(agent, mask=agent < 0),
            "answered": _stamps(answered, answered >= 0), "reopened": pa.array(cases.reopened[old])})
        conn.exec_driver_sql(
            "UPDATE cases SET status = u.status, status_category = u.status, resolved_at = u.done, "
            "closed_at = u.done, assigned_agent_id = COALESCE(u.agent, cases.assigned_agent_id), "
            "first_response_at = COALESCE(cases.first_response_at, u.answered), "
            "reopen_count = cases.reopen_count + u.reopened, version = cases.version + 1 "
            "FROM cdr_case_update u WHERE cases.id = u.id")
        conn.exec_driver_sql("DELETE FROM cdr_case_update")


def _lookup(codes: np.ndarray, table: dict, dtype=np.int64) -> np.ndarray:
    """``table[code]`` for every row (one dictionary look-up per distinct code)."""
    inverse, uniq = pd.factorize(codes)
    return np.array([table[u] for u in uniq.tolist()], dtype=dtype)[inverse]


def _stamps(seconds: np.ndarray, given: np.ndarray | None = None) -> pa.Array:
    mask = None if given is None or given.all() else ~given
    return pa.array(seconds.astype("datetime64[s]"), type=pa.timestamp("s"), mask=mask)


def _epoch(values: list) -> np.ndarray:
    """Stored date-times (datetime objects or SQLite text) as seconds since 1970."""
    stamps = pd.to_datetime(pd.Series(values, dtype=object), format="mixed")
    return stamps.to_numpy().astype("datetime64[s]").astype(np.int64)


def _state(frame: pd.DataFrame) -> pd.DataFrame:
    """Latest call per key of contacts rows (key, arrived_at, case_id, id, abandoned, outcome)."""
    if frame.empty:
        return frame.assign(last_secs=[], last_contact=[], last_abandoned=[], last_resolving=[])
    frame = frame.assign(last_secs=_epoch(frame["arrived_at"].tolist()))
    frame = frame.sort_values(["last_secs", "id"]).drop_duplicates("key", keep="last")
    return pd.DataFrame({
        "key": frame["key"].to_numpy(), "last_secs": frame["last_secs"].to_numpy(np.int64),
        "case_id": frame["case_id"].to_numpy(np.int64), "last_contact": frame["id"].to_numpy(np.int64),
        "last_abandoned": frame["abandoned"].astype(bool).to_numpy(),
        "last_resolving": frame["outcome"].isin(RESOLVING).to_numpy()})


def _recent_groups(conn: Connection, since: int, anon_id: int) -> pd.DataFrame:
    """Imported calls (with a case) since ``since``: the groups the next calls may continue."""
    stamp = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=since)
    rows = conn.execute(sa_text(
        "SELECT customer_id, reason_id, arrived_at, case_id, id, abandoned, outcome FROM contacts "
        "WHERE source = 'cdr' AND case_id IS NOT NULL AND customer_id <> :anon AND arrived_at >= :since"),
        {"anon": anon_id, "since": stamp}).all()
    frame = pd.DataFrame(rows, columns=["customer_id", "reason_id", "arrived_at", "case_id", "id", "abandoned",
                                        "outcome"])
    frame["key"] = frame["customer_id"].astype(np.int64) * (1 << 21) + frame["reason_id"].astype(np.int64)
    return _state(frame)


def _cases_by_ref(conn: Connection, refs: list[str]) -> pd.DataFrame:
    """Existing cases among ``refs`` with their latest call (a case without calls: no previous call)."""
    found = lookup(conn, "cases", "external_ref", ("id",), refs)
    if not found:
        return _state(pd.DataFrame(columns=["key", "arrived_at", "case_id", "id", "abandoned", "outcome"]))
    ids = {int(i): r for r, i in found}
    rows = lookup(conn, "contacts", "case_id", ("arrived_at", "id", "abandoned", "outcome"), list(ids))
    frame = pd.DataFrame(rows, columns=["case_id", "arrived_at", "id", "abandoned", "outcome"])
    frame["key"] = frame["case_id"].map(ids)
    state = _state(frame)
    bare = [i for i in ids if i not in set(frame["case_id"].tolist())]
    if bare:
        state = pd.concat([state, pd.DataFrame({
            "key": [ids[i] for i in bare], "last_secs": np.full(len(bare), np.iinfo(np.int64).min // 2),
            "case_id": np.array(bare, dtype=np.int64), "last_contact": np.full(len(bare), -1, dtype=np.int64),
            "last_abandoned": np.zeros(len(bare), bool), "last_resolving": np.zeros(len(bare), bool)})],
            ignore_index=True)
    return state
