"""Benchmark: the default scorecard plus cost to serve over N synthetic contacts, DuckDB vs pandas.

    .venv/bin/python bench/metrics.py [--contacts 10000000] [--repeats 3] [--seed 7]

Both sides compute the same figures from the same data (checked to agree); the DuckDB side runs
the metric registry's Ibis expressions, the pandas side is a direct vectorised implementation.
Times are medians of the repeats (wall clock, and CPU time of the process beside it, which is
steadier on a shared machine). Memory is the peak resident set of each phase on its own: the
peak is reset (Linux ``/proc/self/clear_refs``) before generation, the DuckDB side and the
pandas side, so the data generation does not count towards the DuckDB side.

The synthetic company: 90 days, customers = contacts / 5 with skewed activity (a lognormal
weight per customer: about a fifth of the customers open half of the cases), 0.6 cases per
contact, one agent per 5,000 contacts (about 60 contacts a working day) in teams of 12, QA reviews
of about 3% of the handled contacts.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import resource
import statistics
import time
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from equipoise.analytics.compute import compute
from equipoise.analytics.facts import Facts
from equipoise.analytics.scorecard import load_scorecard
from equipoise.analytics.scoring import evaluate, weighted

CHANNELS = [(1, "phone", True, 1.0, 30.0), (2, "chat", True, 2.0, 60.0), (3, "email", True, 1.0,
            86400.0), (4, "self_service", False, 1.0, 30.0), (5, "field", True, 1.0, 3600.0)]
TIERS = np.array(["top", "high", "mid", "low", "inactive"])
KINDS = np.array(["repeat", "retry", "escalation", "transfer"])
START = np.datetime64("2026-01-01T00:00:00", "us")
CHUNK = 2_000_000


def _status_mib(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Start a new peak-RSS measurement (Linux); False where the peak cannot be reset."""
    gc.collect()
    try:  # hand memory freed by the previous phase back to the system first
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_mib() -> float:
    """Current resident set size in MiB."""
    return _status_mib("VmRSS") or 0.0


def peak_mib() -> float:
    """Peak resident set size since the last reset (or since the start) in MiB."""
    return _status_mib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(con, n: int, rng: np.random.Generator) -> None:
    """Create the logical tables for ``n`` contacts in DuckDB, chunk by chunk."""
    n_cust, n_case, n_reason = max(10, n // 5), max(5, int(n * 0.6)), 12
    n_agent = max(24, n // 5000)
    n_team = max(2, n_agent // 12)
    con.create_table("channels", pa.table({
        "id": [c[0] for c in CHANNELS], "code": [c[1] for c in CHANNELS],
        "staffed": [c[2] for c in CHANNELS], "concurrency": [c[3] for c in CHANNELS],
        "service_level_seconds": [c[4] for c in CHANNELS],
        "fixed_cost_monthly": [1000.0] * len(CHANNELS)}))
    con.create_table("contact_reasons", pa.table({"id": np.arange(1, n_reason + 1),
                                                 "code": [f"r{i}" for i in range(1, n_reason + 1)]}))
    con.create_table("org_units", pa.table({"id": np.arange(1, n_team + 1),
                                           "code": [f"t{i}" for i in range(1, n_team + 1)]}))
    con.create_table("agents", pa.table({"id": np.arange(1, n_agent + 1),
                                        "code": [f"a{i}" for i in range(1, n_agent + 1)],
                                        "team_id": 1 + np.arange(n_agent) % n_team}))
    churn = START.astype("datetime64[D]") + rng.integers(0, 365, n_cust)
    con.create_table("customers", pa.table({
        "id": np.arange(1, n_cust + 1), "tier": TIERS[rng.choice(5, n_cust, p=[.02, .08, .3, .5, .1])],
        "churned_on": pa.array(churn, mask=rng.random(n_cust) > 0.2)}))
    # cases
    weight = rng.lognormal(0.0, 1.0, n_cust)
    cust = rng.choice(n_cust, n_case, p=weight / weight.sum()) + 1
    del weight
    reason = rng.integers(1, n_reason + 1, n_case)
    chan = rng.choice(5, n_case, p=[.45, .2, .15, .15, .05]) + 1
    agent = rng.integers(1, n_agent + 1, n_case)
    opened = START + rng.integers(0, 90 * 86400, n_case).astype("timedelta64[s]")
    resolved_mask = rng.random(n_case) < 0.85
    resolved = opened + (rng.exponential(40 * 3600, n_case)).astype("timedelta64[s]")
    fr = opened + rng.exponential(3 * 3600, n_case).astype("timedelta64[s]")
    met = rng.random((2, n_case))
    con.create_table("cases", pa.table({
        "id": np.arange(1, n_case + 1), "customer_id": cust, "channel_id": chan, "reason_id": reason,
        "team_id": 1 + (agent - 1) % n_team, "assigned_agent_id": agent,
        "status_category": np.where(resolved_mask, "resolved", "open"), "opened_at": opened,
        "first_response_at": fr, "resolved_at": pa.array(resolved, mask=~resolved_mask),
        "reopen_count": (rng.random(n_case) < 0.08).astype(np.int64),
        "is_complaint": rng.random(n_case) < 0.03,
        "first_response_met": met[0] < 0.8, "resolution_met": pa.array(met[1] < 0.7,
                                                                        mask=~resolved_mask)}))
    # contacts: the first n_case open a case each, the rest follow up on random cases
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        ids = np.arange(lo + 1, hi + 1)
        first = ids <= n_case
        case = np.where(first, ids, rng.integers(1, n_case + 1, hi - lo))
        ci = case - 1
        ch = np.where(first, chan[ci], rng.choice(5, hi - lo, p=[.45, .2, .15, .15, .05]) + 1)
        staffed = ch != 4
        arrived = opened[ci] + np.where(first, 0, rng.integers(60, 20 * 86400, hi - lo)).astype(
            "timedelta64[s]")
        abandoned = staffed & (rng.random(hi - lo) < 0.06)
        wait = np.where(staffed, rng.exponential(40, hi - lo).round(), 0.0)
        handle = np.where(abandoned, 0.0, rng.lognormal(6, 0.6, hi - lo).round())
        outcome = np.where(abandoned, "abandoned", np.where(
            ~staffed & (rng.random(hi - lo) < 0.6), "contained", "resolved"))
        chunk = pa.table({
            "id": ids, "case_id": case, "customer_id": cust[ci], "channel_id": ch,
            "reason_id": reason[ci], "agent_id": pa.array(agent[ci], mask=~staffed | abandoned),
            "team_id": pa.array(1 + (agent[ci] - 1) % n_team, mask=~staffed),
            "direction": np.where(rng.random(hi - lo) < 0.03, "outbound", "inbound"),
            "kind": np.where(first, "first", KINDS[rng.integers(0, 4, hi - lo)]),
            "outcome": outcome, "arrived_at": arrived,
            "answered_at": pa.array(arrived + wait.astype("timedelta64[s]"), mask=abandoned),
            "wait_seconds": wait, "handle_seconds": handle, "abandoned": abandoned,
            "transferred": ~abandoned & (rng.random(hi - lo) < 0.07),
            "cost": np.round(handle / 3600 * 30 + np.where(staffed, 0.5, 0.1), 4),
        })
        if lo == 0:
            con.create_table("contacts", chunk)
        else:
            con.insert("contacts", chunk)
    n_s = max(1, n // 10)
    sc = rng.integers(1, n + 1, n_s)
    has = rng.random((3, n_s))
    con.create_table("survey_responses", pa.table({
        "id": np.arange(1, n_s + 1), "customer_id": np.zeros(n_s, np.int64), "contact_id": sc,
        "case_id": pa.array(np.zeros(n_s, np.int64), mask=np.ones(n_s, bool)),
        "responded_at": START + rng.integers(0, 90 * 86400, n_s).astype("timedelta64[s]"),
        "csat": rng.integers(1, 6, n_s), "nps": rng.integers(0, 11, n_s),
        "ces": pa.array(rng.integers(1, 8, n_s), mask=has[0] < 0.3),
        "expectation": pa.array(rng.integers(1, 6, n_s), mask=has[1] < 0.2),
        "perception": pa.array(rng.integers(1, 6, n_s), mask=has[2] < 0.2)}))
    con.raw_sql("UPDATE survey_responses SET customer_id = c.customer_id FROM contacts c "
                "WHERE c.id = survey_responses.contact_id")
    # QA reviews of about 3% of the contacts an agent handled, a day or two later.
    n_q = max(1, n // 30)
    con.create_table("_qa_draw", pa.table({
        "contact_id": rng.integers(1, n + 1, n_q),
        "score": np.clip(rng.normal(82, 9, n_q).round(), 0, 100).astype(np.int64),
        "delay": rng.integers(3600, 3 * 86400, n_q)}))
    con.raw_sql("CREATE TABLE qa_reviews AS SELECT row_number() OVER (ORDER BY q.contact_id) AS id, "
                "q.contact_id, CAST(NULL AS BIGINT) AS case_id, c.agent_id, 'qa lead' AS reviewer, "
                "c.arrived_at + to_seconds(q.delay) AS reviewed_at, q.score, "
                "CAST(NULL AS VARCHAR) AS comment FROM _qa_draw q JOIN contacts c ON c.id = q.contact_id "
                "WHERE c.agent_id IS NOT NULL")
    con.drop_table("_qa_draw")
    # Settle the tables into DuckDB's compressed storage, as a stored snapshot would be.
    con.raw_sql("CHECKPOINT")


# ---- the pandas reference ---------------------------------------------------------------------
def load_frames(con) -> dict[str, pd.DataFrame]:
    """The tables as pandas frames (not timed: both sides start from data in memory)."""
    return {n: con.table(n).to_pandas() for n in ("channels", "customers", "cases", "contacts",
                                                   "survey_responses", "contact_reasons", "qa_reviews")}


def pandas_metrics(f: dict[str, pd.DataFrame]) -> tuple[dict[str, float], dict[str, pd.Series]]:
    """The default scorecard's indicator values and cost to serve, computed directly in pandas."""
    ch = f["channels"].set_index("id")
    c, k, s = f["contacts"], f["cases"], f["survey_responses"]
    code = c["channel_id"].map(ch["code"])
    staffed = c["channel_id"].map(ch["staffed"]).astype(bool)
    inbound = c["direction"] == "inbound"
    answered = staffed & inbound & c["answered_at"].notna() & ~c["abandoned"].astype(bool)
    out = {
        "phone_answer": c.loc[answered & (code == "phone"), "wait_seconds"].mean(),
        "chat_answer": c.loc[answered & (code == "chat"), "wait_seconds"].mean(),
        "transfers": 100.0 * c.loc[answered, "transferred"].astype(bool).mean(),
    }
    k_code = k["channel_id"].map(ch["code"])
    resp = (k["first_response_at"] - k["opened_at"]).dt.total_seconds()
    out["email_response"] = resp[k_code == "email"].mean() / 3600
    resolved = (k["status_category"] == "resolved") & k["resolved_at"].notna()
    res_sec = (k["resolved_at"] - k["opened_at"]).dt.total_seconds()
    out["within_3_days"] = 100.0 * (res_sec[resolved] <= 72 * 3600).mean()
    out["resolution_rate"] = 100.0 * resolved.mean()
    out["complaints"] = 100.0 * k["is_complaint"].astype(bool).mean()
    # FCR: one customer-initiated contact up to resolution, no same-reason repeat within 7 days
    cust = c[inbound & c["kind"].isin(["first", "repeat", "retry"])]
    j = cust[["case_id", "arrived_at"]].merge(
        k[["id"]].assign(r=k["resolved_at"].where(resolved)), left_on="case_id", right_on="id")
    before = j[j["r"].isna() | (j["arrived_at"] <= j["r"])].groupby("case_id").size()
    ones = k["id"].map(before).fillna(0).eq(1)
    rk = k.loc[resolved, ["id", "customer_id", "reason_id", "resolved_at"]].sort_values("resolved_at")
    nxt = pd.merge_asof(rk, cust[["customer_id", "reason_id", "arrived_at"]].sort_values("arrived_at"),
                        left_on="resolved_at", right_on="arrived_at", by=["customer_id", "reason_id"],
                        direction="forward", allow_exact_matches=False)
    repeat = (nxt["arrived_at"] - nxt["resolved_at"]) <= pd.Timedelta(days=7)
    repeated = set(nxt.loc[repeat, "id"])
    fcr = ones & resolved & ~k["id"].isin(repeated)
    out["fcr"] = 100.0 * fcr[resolved].mean()
    csat = s["csat"].dropna()
    out["csat"] = 100.0 * (csat >= 4).mean()
    out["courtesy"] = csat.mean()
    nps = s["nps"].dropna()
    out["positive_feedback"] = 100.0 * ((nps >= 9).sum() - (nps <= 6).sum()) / len(nps)
    both = s[["perception", "expectation"]].dropna()
    out["expectation"] = (both["perception"] - both["expectation"]).mean()
    out["qa"] = f["qa_reviews"]["score"].mean()
    tiers = c["customer_id"].map(f["customers"].set_index("id")["tier"])
    reasons = c["reason_id"].map(f["contact_reasons"].set_index("id")["code"])
    cts = {}
    for name, key in (("tier", tiers), ("channel", code), ("reason", reasons)):
        g = c.groupby(key)
        cts[name] = g["cost"].sum() / g["customer_id"].nunique()
    return {k_: float(v) for k_, v in out.items()}, cts


def pandas_total(values: dict[str, float]) -> float | None:
    """The scorecard total from indicator values, with the same bands and weights."""
    card = load_scorecard()
    dims = []
    for d in card.dimensions:
        dims.append((d.weight, weighted([(i.weight, i.bands.score(values.get(i.key)))
                                         for i in d.indicators])))
    return weighted(dims)


def duckdb_metrics(con) -> tuple[dict[str, float], dict[str, pd.Series], float | None]:
    """The same figures through the metric registry and scorecard on DuckDB."""
    facts = Facts(con)
    res = evaluate(load_scorecard(), facts, "company")
    values = {i.key: i.value for d in res.dimensions for i in d.indicators}
    cts = {}
    for name in ("tier", "channel", "reason"):
        fr = compute(facts, ["cost_to_serve"], by=[name]).frame
        cts[name] = fr.set_index(name)["cost_to_serve"]
    return values, cts, res.total


def timed(fn, repeats: int):
    """Median wall and CPU seconds of ``repeats`` calls, the last result, and the phase's peak RSS."""
    walls, cpus, out = [], [], None
    reset_peak()
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out, peak_mib()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--contacts", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.contacts < 100 or args.repeats < 1:
        ap.error("--contacts must be >= 100 and --repeats >= 1")
    con = ibis.duckdb.connect()
    exact = reset_peak()
    t0 = time.perf_counter()
    build(con, args.contacts, np.random.default_rng(args.seed))
    print(f"generated {args.contacts:,} contacts in DuckDB in {time.perf_counter() - t0:.1f} s "
          f"(peak RSS of generation {peak_mib():,.0f} MiB)")
    reset_peak()
    base = rss_mib()
    t_duck, c_duck, (d_vals, d_cts, d_total), rss_duck = timed(lambda: duckdb_metrics(con),
                                                               args.repeats)
    t0 = time.perf_counter()
    frames = load_frames(con)
    print(f"loaded the tables into pandas in {time.perf_counter() - t0:.1f} s (not timed below)")
    t_pd, c_pd, (p_vals, p_cts), rss_pd = timed(lambda: pandas_metrics(frames), args.repeats)
    p_total = pandas_total(p_vals)
    for key, dv in d_vals.items():
        assert dv is not None and np.isclose(dv, p_vals[key], rtol=1e-9), (key, dv, p_vals[key])
    for name, ser in d_cts.items():
        other = p_cts[name].reindex(ser.index)
        assert np.allclose(ser.to_numpy(float), other.to_numpy(float), rtol=1e-9), name
    assert d_total is not None and np.isclose(d_total, p_total, rtol=1e-12)
    print(f"results agree: scorecard total {d_total:.4f}, {len(d_vals)} indicators, cost to serve "
          f"by tier/channel/reason")
    print(f"DuckDB (Ibis registry): {t_duck:8.2f} s   CPU {c_duck:7.2f} s   median of {args.repeats}")
    print(f"pandas (reference)    : {t_pd:8.2f} s   CPU {c_pd:7.2f} s   median of {args.repeats}")
    print(f"speed-up              : {t_pd / t_duck:8.1f} x   (CPU time {c_pd / c_duck:.1f} x)")
    what = "peak RSS" if exact else "peak RSS since start (cannot reset here)"
    print(f"{what} of the DuckDB side: {rss_duck:,.0f} MiB (of which {base:,.0f} MiB resident "
          f"before it: the database and the interpreter); pandas side: {rss_pd:,.0f} MiB "
          f"(with the frames loaded)")


if __name__ == "__main__":
    main()
