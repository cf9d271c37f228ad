"""Calls into cases: which case each imported call belongs to, its kind, and what the cases become.

Two rules (see docs/import/cdr.md):

* the mapping names a ``case_id`` column: calls with the same value are one case
  (``cases.external_ref`` = ``options.case_prefix`` + value; an existing case with that reference is
  continued);
* otherwise a customer's calls of the same type (contact reason) are one case while each call
  comes within ``options.case_window_days`` of the previous one; a later call opens a new case.
  Calls of the shared anonymous customer are each their own case.

The first call of a case is ``kind=first``; a later one is ``retry`` when the call before it was
abandoned, else ``repeat``, and points at that call (``previous_contact_id``). A case is resolved
(at the end of its last call) when its last call resolved or was contained, else open; a call
after a resolving one counts as a reopening.

Everything is computed per batch on arrays. Calls are taken in time order within a batch and
batches in file order, so files should come sorted by time (as telephone systems export them).
The state carried between batches — per group: its case, last call, and whether that call was
abandoned or resolving — is seeded from the database (calls of earlier imports or of the
committed batches of a crashed run) and pruned to the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

RESOLVING = ("resolved", "contained")
_MAX_STATE = 400_000
_STATE_COLS = ("key", "last_secs", "case_id", "last_contact", "last_abandoned", "last_resolving")


@dataclass
class CallsIn:
    """The calls of one batch (kept rows only), as arrays of equal length."""

    key: np.ndarray          # group key: int64 (customer, reason) code or object (case reference)
    alone: np.ndarray        # bool: a case of its own (anonymous caller)
    arrived: np.ndarray      # int64 seconds
    ended: np.ndarray        # int64 seconds
    answered: np.ndarray     # int64 seconds, -1 when not answered
    contact_id: np.ndarray   # int64 (reserved ids)
    abandoned: np.ndarray    # bool
    resolving: np.ndarray    # bool
    agent_id: np.ndarray     # int64, -1 when none
    team_id: np.ndarray      # int64, -1 when none


@dataclass
class CasesOut:
    """Per call: case index and kind; per new case and per continued case: what to write."""

    case_slot: np.ndarray       # per call: index into ``case_ids``
    case_ids: np.ndarray        # int64: the batch's cases (new ones first get ids from the caller)
    is_new_case: np.ndarray     # per case
    new_case_first: np.ndarray  # per case: row index (into the calls) of its first call in the batch
    kind: np.ndarray            # per call: first / repeat / retry
    previous: np.ndarray        # per call: previous contact id, -1 for none
    # Per case (aligned with case_ids): the batch's facts about it.
    last_row: np.ndarray
    first_answered: np.ndarray  # seconds, -1 none
    last_agent: np.ndarray      # -1 none
    first_team: np.ndarray      # -1 none
    reopened: np.ndarray        # calls after a resolving call


class CaseGrouper:
    """Assigns calls to cases batch by batch, carrying the open groups between batches."""

    def __init__(self, window_seconds: float | None) -> None:
        #: None: group by case reference without a window.
        self.window = window_seconds
        self.state = pd.DataFrame({c: pd.Series(dtype=object if c == "key" else "int64") for c in _STATE_COLS})
        self.seeded = False

    def seed(self, rows: pd.DataFrame) -> None:
        """Add known groups (columns as the state: key, last_secs, case_id, last_contact, ...)."""
        self._merge(rows)
        self.seeded = True

    def _merge(self, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        both = pd.concat([self.state, rows[list(_STATE_COLS)]], ignore_index=True)
        both = both.sort_values("last_secs", kind="stable").drop_duplicates("key", keep="last")
        self.state = both.reset_index(drop=True)

    def assign(self, calls: CallsIn, new_ids) -> CasesOut:
        """Group ``calls``; ``new_ids(n)`` returns ids for the n new cases."""
        n = calls.arrived.size
        order = np.lexsort((calls.contact_id, calls.arrived, _codes(calls.key)))
        key = calls.key[order]
        t = calls.arrived[order]
        alone = calls.alone[order]
        codes = _codes(key)
        first_of_group = np.ones(n, dtype=bool)
        first_of_group[1:] = (codes[1:] != codes[:-1]) | alone[1:] | alone[:-1]
        # Previous call: the one before in the group, or the state's last call for the group's first.
        prev_t = np.empty(n, dtype=np.int64)
        prev_t[1:] = t[:-1]
        prev_contact = np.empty(n, dtype=np.int64)
        prev_contact[1:] = calls.contact_id[order][:-1]
        prev_ab = np.zeros(n, dtype=bool)
        prev_ab[1:] = calls.abandoned[order][:-1]
        prev_res = np.zeros(n, dtype=bool)
        prev_res[1:] = calls.resolving[order][:-1]
        has_prev = ~first_of_group
        state_case = np.full(n, -1, dtype=np.int64)
        heads = np.flatnonzero(first_of_group & ~alone)
        if heads.size and not self.state.empty:
            found = pd.DataFrame({"key": key[heads]}).merge(self.state, on="key", how="left")
            ok = found["case_id"].notna().to_numpy()
            idx = heads[ok]
            prev_t[idx] = found["last_secs"].to_numpy()[ok].astype(np.int64)
            prev_contact[idx] = found["last_contact"].to_numpy()[ok].astype(np.int64)
            prev_ab[idx] = found["last_abandoned"].to_numpy()[ok].astype(bool)
            prev_res[idx] = found["last_resolving"].to_numpy()[ok].astype(bool)
            state_case[idx] = found["case_id"].to_numpy()[ok].astype(np.int64)
            has_prev[idx] = True
        gap = t - prev_t
        joins = has_prev & ~alone
        if self.window is not None:
            joins &= (gap >= 0) & (gap <= self.window)
        new_case = ~joins
        n_new = int(new_case.sum())
        ids_new = np.asarray(new_ids(n_new), dtype=np.int64)
        case_of = np.full(n, -1, dtype=np.int64)
        case_of[new_case] = ids_new
        cont = first_of_group & joins
        case_of[cont] = state_case[cont]
        # Forward-fill within groups: every group starts with a known case.
        case_of = pd.Series(np.where(case_of >= 0, case_of, np.nan)).ffill().to_numpy().astype(np.int64)
        previous = np.where(new_case, -1, prev_contact)
        kind = np.where(previous < 0, "first", np.where(prev_ab, "retry", "repeat")).astype(object)
        reopen = joins & prev_res
        # Per case facts, in the calls' time order.
        case_ids, first_idx, slot_sorted = np.unique(case_of, return_index=True, return_inverse=True)
        frame = pd.DataFrame({"slot": slot_sorted, "row": order, "answered": calls.answered[order],
                              "agent": calls.agent_id[order], "team": calls.team_id[order],
                              "reopen": reopen.astype(np.int64)})
        g = frame.groupby("slot", sort=True)
        answered = frame["answered"].where(frame["answered"] >= 0)
        first_answered = answered.groupby(frame["slot"]).min().reindex(range(case_ids.size)).fillna(-1)
        agent = frame["agent"].where(frame["agent"] >= 0)
        last_agent = agent.groupby(frame["slot"]).last().reindex(range(case_ids.size)).fillna(-1)
        team = frame["team"].where(frame["team"] >= 0)
        first_team = team.groupby(frame["slot"]).first().reindex(range(case_ids.size)).fillna(-1)
        is_new = np.isin(case_ids, ids_new)
        slot = np.empty(n, dtype=np.int64)
        slot[order] = slot_sorted
        out = CasesOut(
            case_slot=slot, case_ids=case_ids, is_new_case=is_new, new_case_first=order[first_idx],
            kind=np.empty(n, dtype=object), previous=np.empty(n, dtype=np.int64),
            last_row=g["row"].last().to_numpy(), first_answered=first_answered.to_numpy().astype(np.int64),
            last_agent=last_agent.to_numpy().astype(np.int64), first_team=first_team.to_numpy().astype(np.int64),
            reopened=g["reopen"].sum().to_numpy())
        out.kind[order] = kind
        out.previous[order] = previous
        # Carry each group's last call to the next batch (anonymous calls are never continued).
        grouped = ~alone
        last_in_group = np.ones(n, dtype=bool)
        last_in_group[:-1] = first_of_group[1:]
        take = last_in_group & grouped
        rows = order[take]
        self._merge(pd.DataFrame({
            "key": key[take], "last_secs": t[take], "case_id": case_of[take],
            "last_contact": calls.contact_id[rows], "last_abandoned": calls.abandoned[rows],
            "last_resolving": calls.resolving[rows]}))
        if self.window is not None and n:
            self.state = self.state[self.state["last_secs"] >= int(t.min()) - self.window].reset_index(drop=True)
        elif len(self.state) > _MAX_STATE:  # by reference: forgotten cases are read back from the database
            self.state = self.state.nlargest(_MAX_STATE // 2, "last_secs").reset_index(drop=True)
        return out

    def unknown(self, keys: np.ndarray) -> np.ndarray:
        """Of ``keys``, those the state does not hold (to be looked up in the database)."""
        return keys[~np.isin(keys, self.state["key"].to_numpy())]


def _codes(key: np.ndarray) -> np.ndarray:
    """Integer codes ordering equal keys together (ints as they are, other keys by factorising)."""
    if key.dtype.kind in "iu":
        return key.astype(np.int64)
    codes, _ = pd.factorize(key, sort=True)
    return codes.astype(np.int64)
