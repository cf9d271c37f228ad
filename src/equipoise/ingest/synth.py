"""Synthetic call detail record files for tests, samples and benchmarks (seeded, vectorised)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

HEADER = ("line", "call_no", "cust", "prio", "kind", "day", "ivr_in", "ivr_out", "q_in", "q_out",
          "result", "agent_in", "agent_out", "agent_id")
#: The YAML mapping that reads files written by :func:`write_cdr_csv`.
MAPPING = """kind: cdr
columns:
  call_id: call_no
  customer_id: cust
  priority: prio
  call_type: kind
  date: day
  ivr_entry: ivr_in
  ivr_exit: ivr_out
  queue_start: q_in
  queue_exit: q_out
  outcome: result
  service_start: agent_in
  service_exit: agent_out
  agent: agent_id
formats: {date: YYMMDD, time: "H:MM:SS", zero_time_is_missing: true}
values:
  outcome: {AG: answered, AB: abandoned, IV: contained}
  priority: {"0": low, "1": mid, "2": high}
  call_type: {BIL: billing_question, ORD: order_status, TEC: technical_fault, ACC: account_access}
options: {anonymous_customers: ["0"], no_agent_values: ["NONE"]}
"""
_TYPES = np.array(["BIL", "ORD", "TEC", "ACC"])


def _clock(seconds: np.ndarray, given: np.ndarray) -> list[str]:
    s = seconds % 86_400
    return [f"{v // 3600}:{v // 60 % 60:02d}:{v % 60:02d}" if g else "0:00:00"
            for v, g in zip(s.tolist(), given.tolist(), strict=True)]


def write_cdr_csv(path: Path | str, rows: int, rng: np.random.Generator, *, bad_every: int = 0,
                  start: dt.date = dt.date(2024, 1, 1), days: int = 56, delimiter: str = ",",
                  chunk: int = 100_000) -> int:
    """Write ``rows`` calls; every ``bad_every``-th row has an invalid date. Returns the bad rows."""
    if rows < 0:
        raise ValueError(f"rows: expected >= 0, got {rows}")
    bad = 0
    labels = [(start + dt.timedelta(days=d)).strftime("%y%m%d") for d in range(days)]
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        fh.write(delimiter.join(HEADER) + "\n")
        for lo in range(0, rows, chunk):
            n = min(chunk, rows - lo)
            ids = np.arange(lo + 1, lo + n + 1)
            # Calls in time order (as telephone systems export them), 07:00-22:00 each day.
            position = np.sort(rng.uniform(lo, lo + n, n)) / max(rows, 1) * days
            day = np.minimum(position.astype(np.int64), days - 1)
            arrive = (7 * 3600 + (position - day) * 15 * 3600).astype(np.int64)
            ivr_out = arrive + rng.integers(5, 60, n)
            ivr_only = rng.random(n) < 0.1
            wait = rng.exponential(45.0, n).astype(np.int64)
            patience = rng.exponential(200.0, n).astype(np.int64)
            abandon = ~ivr_only & (patience < wait)
            q_out = ivr_out + np.where(abandon, patience, wait)
            served = ~ivr_only & ~abandon
            handle = np.maximum(rng.lognormal(5.3, 0.6, n).astype(np.int64), 1)
            s_out = q_out + handle
            cust = np.where(rng.random(n) < 0.25, 0, rng.integers(1, max(rows // 4, 2), n))
            prio = np.where(cust == 0, 0, rng.integers(1, 3, n))
            kind = _TYPES[rng.integers(0, _TYPES.size, n)]
            agent = np.char.add("AG", rng.integers(1, 60, n).astype(str))
            daytext = [labels[d] for d in day.tolist()]
            if bad_every:
                for i in np.flatnonzero((ids % bad_every) == 0).tolist():
                    daytext[i] = "2401xx"
                    bad += 1
            queued = ~ivr_only
            cols = [["L1"] * n, ids.astype(str).tolist(), cust.astype(str).tolist(),
                    prio.astype(str).tolist(), kind.tolist(), daytext, _clock(arrive, np.ones(n, bool)),
                    _clock(ivr_out, np.ones(n, bool)), _clock(ivr_out, queued), _clock(q_out, queued),
                    np.where(ivr_only, "IV", np.where(abandon, "AB", "AG")).tolist(),
                    _clock(q_out, served), _clock(s_out, served),
                    np.where(served, agent, "NONE").tolist()]
            fh.write("".join(delimiter.join(r) + "\n" for r in zip(*cols, strict=True)))
    return bad
