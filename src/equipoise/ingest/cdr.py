"""Call detail records from a telephone system or ACD: one row per call, vectorised per batch.

Each call becomes one contact. Times of day are put on the row's date (a time earlier than the one
before it is on the next day); an empty or all-zero time means the step did not happen. A call that
never reached a queue or an agent is a contact on the IVR channel. Wait = answer (or queue exit, or the end) −
queue start; handle = service exit − service start; cost = handle hours × agent hourly cost ÷
channel concurrency + channel technology cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Engine

from equipoise.db.bulk import bulk_insert
from equipoise.ingest.dims import TIERS, contact_cost, lookup, slug
from equipoise.ingest.mapping import FieldSpec, FileRefused, KindSpec, Mapping
from equipoise.ingest.runner import BatchResult, ImportContext, Progress
from equipoise.ingest.source import Batch, SourceInfo
from equipoise.ingest.vector import RowErrors, by_unique, present, raw_table, stamp_texts, text

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
    ),
    value_maps=("outcome", "priority", "call_type", "channel", "direction"),
    options={"ref_prefix": "cdr:", "ivr_channel": "ivr", "anonymous_customers": ["", "0"],
             "anonymous_customer": "anonymous", "max_call_hours": 12, "customer_prefix": "",
             "no_agent_values": []},
    formats={"date": "YYYY-MM-DD", "time": "HH:MM:SS"},
)


def _outcome(mapping: Mapping, raw: str) -> str | None:
    key = raw.strip().lower()
    value = mapping.value("outcome", raw) or ALIASES.get(key, key)
    return ALIASES.get(value, value) if ALIASES.get(value, value) in OUTCOMES else None


class CdrImporter:
    """Imports call detail records into contacts."""

    spec = SPEC
    multiline = False

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
        for raw, value in mapping.values.get("priority", {}).items():
            if value not in TIERS:
                raise FileRefused(f"mapping: values.priority: {raw!r} maps to {value!r}; expected a "
                                  f"tier ({', '.join(TIERS)})", field="mapping")

    def finish(self, engine: Engine, ctx: ImportContext, progress: Progress | None) -> None:
        """Nothing to do after the rows: each call is complete in itself."""

    def write_batch(self, conn: Connection, ctx: ImportContext, batch: Batch) -> BatchResult:
        """Validate, derive and insert one batch of calls."""
        mp, opts, t = ctx.mapping, ctx.mapping.options, batch.table
        n = len(batch)
        err = RowErrors(batch.row_numbers)
        call = text(t, "call_id")
        err.add(~present(call), "call_id", call, "required value missing")
        refs = np.array([f"{opts['ref_prefix']}{c}" for c in call.to_pylist()], dtype=object)
        err.add(np.fromiter((len(r) > 100 for r in refs), bool, n), "call_id", call,
                "longer than 100 characters with the prefix")
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
            result.imported = self._insert(conn, ctx, t.take(pa.array(keep)), refs[keep],
                                           {k: v[keep] for k, v in secs.items()},
                                           {k: v[keep] for k, v in given.items()}, outcome[keep],
                                           ivr_only[keep])
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
                ivr_only: np.ndarray) -> int:
        mp, opts, dims = ctx.mapping, ctx.mapping.options, ctx.dims
        n = refs.size
        # Customers: anonymous values share one customer; priority gives a new customer's tier.
        cust = text(t, "customer_id")
        anonymous = {str(a) for a in opts["anonymous_customers"]}
        prefix = str(opts["customer_prefix"])
        cref = (by_unique(cust, lambda v: str(opts["anonymous_customer"]) if v in anonymous else prefix + v)
                if cust is not None else np.full(n, str(opts["anonymous_customer"]), dtype=object))
        prio = text(t, "priority")
        tiers: dict[str, str] = {}
        if prio is not None:
            tier = by_unique(prio, lambda v: mp.value("priority", v) or (v.lower() if v.lower() in TIERS
                                                                         else None))
            for r, tr in zip(cref.tolist(), tier.tolist(), strict=True):
                if tr and r not in tiers:
                    tiers[r] = tr
        cmap = dims.customers(conn, set(cref.tolist()), tiers)
        customer_id = [cmap[r] for r in cref.tolist()]
        ctype = text(t, "call_type")
        default_reason = str(mp.defaults["reason"])
        rcode = (by_unique(ctype, lambda v: (mp.value("call_type", v) or slug(v)) if v else default_reason)
                 if ctype is not None else np.full(n, default_reason, dtype=object))
        rmap = dims.reasons(conn, set(rcode.tolist()))
        ch = text(t, "channel")
        default_channel = str(mp.defaults["channel"])
        ccode = (by_unique(ch, lambda v: (mp.value("channel", v) or slug(v, 32)) if v else default_channel)
                 if ch is not None else np.full(n, default_channel, dtype=object))
        if opts.get("ivr_channel"):
            ccode = np.where(ivr_only, str(opts["ivr_channel"]), ccode)
        chmap = dims.channels(conn, set(ccode.tolist()))
        ag = text(t, "agent")
        acode = ag.to_numpy(zero_copy_only=False).astype(object) if ag is not None else np.full(n, "", object)
        no_agent = {str(v) for v in opts["no_agent_values"]} | {""}
        acode = np.where(np.isin(acode, list(no_agent)) | (outcome == "abandoned"), "", acode)
        amap = dims.agents(conn, {a for a in set(acode.tolist()) if a})
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
        always = np.ones(n, dtype=bool)
        agent_info = [amap.get(a) if a else None for a in acode.tolist()]
        rows = zip(
            refs.tolist(), customer_id, [chmap[c].id for c in ccode.tolist()],
            [rmap[r] for r in rcode.tolist()], [a.id if a else None for a in agent_info],
            [a.team_id if a else None for a in agent_info], dirs.tolist(), ["first"] * n,
            stamp_texts(first, always), stamp_texts(qs, given["queue_start"]),
            stamp_texts(ss, answered), stamp_texts(last, always), wait.tolist(),
            handle.tolist(), abandoned.tolist(), (outcome == "transferred").tolist(), outcome.tolist(),
            [round(contact_cost(h, a.hourly_cost if a else 0.0, chmap[c]), 6)
             for h, a, c in zip(handle.tolist(), agent_info, ccode.tolist(), strict=True)],
            ["cdr"] * n, strict=True)
        return bulk_insert(conn, raw_table("contacts", _COLUMNS), _COLUMNS, rows)


_COLUMNS = ("external_ref", "customer_id", "channel_id", "reason_id", "agent_id", "team_id", "direction",
            "kind", "arrived_at", "queued_at", "answered_at", "ended_at", "wait_seconds", "handle_seconds",
            "abandoned", "transferred", "outcome", "cost", "source")

