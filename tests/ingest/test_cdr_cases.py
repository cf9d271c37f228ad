"""Imported calls belong to cases: grouped by customer and call type within a window, or by a case column.

The hand-made file below has its expected cases written out; FCR through ``equipoise report`` is
checked against the value computed by hand from the metric's definition.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from equipoise.ingest.service import run_import
from tests.ingest.conftest import rows, scalar

HEADER = "call_id,customer,type,date,queue_start,service_start,service_exit,outcome,agent"
# Sorted by time, as telephone systems export calls.
CALLS = [
    "K1,A,billing,2024-03-01,09:00:00,09:00:30,09:05:00,answered,ag1",   # case A-billing #1: first
    "K4,B,billing,2024-03-01,11:00:00,,,abandoned,",                      # case B-billing: first (abandoned)
    "K5,B,billing,2024-03-01,11:10:00,11:10:20,11:15:00,answered,ag2",   # same case: retry after abandoning
    "K7,0,billing,2024-03-01,12:00:00,12:00:10,12:03:00,answered,ag1",   # anonymous: a case of its own
    "K8,0,billing,2024-03-01,12:05:00,12:05:10,12:08:00,answered,ag2",   # anonymous: another case
    "K6,B,orders,2024-03-02,10:00:00,10:00:05,10:04:00,answered,ag2",    # other type: own case
    "K2,A,billing,2024-03-03,10:00:00,10:00:40,10:06:00,answered,ag2",   # 2 days after K1: repeat, reopens
    "K9,C,tech,2024-03-05,08:00:00,,,abandoned,",                         # abandoned, never called back: open
    "K3,A,billing,2024-03-12,10:00:00,10:00:15,10:07:00,answered,ag1",   # 9 days after K2: new case
    "K10,A,orders,2024-03-20,15:00:00,15:00:05,15:03:00,answered,ag1",   # own case
]
MAPPING = {"columns": {"customer_id": "customer", "call_type": "type"},
           "options": {"anonymous_customers": ["0"]}}
# (calls of the case in time order with their kinds, status, reopen_count)
EXPECTED = {
    ("K1", "K2"): (("first", "repeat"), "resolved", 1),
    ("K4", "K5"): (("first", "retry"), "resolved", 0),
    ("K7",): (("first",), "resolved", 0),
    ("K8",): (("first",), "resolved", 0),
    ("K6",): (("first",), "resolved", 0),
    ("K9",): (("first",), "open", 0),
    ("K3",): (("first",), "resolved", 0),
    ("K10",): (("first",), "resolved", 0),
}


def _write(tmp_path, lines, name="calls.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _cases(engine):
    got = rows(engine, "SELECT c.external_ref, c.kind, c.case_id, p.external_ref, k.status, k.status_category, "
                       "k.reopen_count, k.external_ref FROM contacts c JOIN cases k ON k.id = c.case_id "
                       "LEFT JOIN contacts p ON p.id = c.previous_contact_id ORDER BY c.arrived_at, c.id")
    by_case: dict[int, list] = {}
    for ref, kind, case_id, prev, status, category, reopen, case_ref in got:
        by_case.setdefault(case_id, []).append((ref.removeprefix("cdr:"), kind, prev, status, category, reopen,
                                                case_ref))
    out = {}
    for calls in by_case.values():
        ids = tuple(c[0] for c in calls)
        out[ids] = (tuple(c[1] for c in calls), calls[0][3], calls[0][5])
        assert calls[0][3] == calls[0][4]  # status and its category agree (resolved / open)
        assert calls[0][6] == f"cdr:{ids[0]}"  # a grouped case is named after its first call
        assert calls[0][2] is None and all(c[2] == f"cdr:{p[0]}" for p, c in zip(calls, calls[1:], strict=False))
    return out


@pytest.mark.parametrize("batch_rows", [1000, 3, 1])
def test_calls_are_grouped_into_the_expected_cases(engine, tmp_path, batch_rows):
    s = run_import(engine, "cdr", _write(tmp_path, CALLS), MAPPING, batch_rows=batch_rows)
    assert (s.imported, s.rejected) == (10, 0)
    assert s.written["cases"] == 8
    assert _cases(engine) == EXPECTED
    # The case carries the calls' facts: opened at the first call, resolved at the end of the last,
    # first answer, the last answering agent.
    got = rows(engine, "SELECT k.opened_at, k.first_response_at, k.resolved_at, k.closed_at, a.code, "
                       "k.customer_id = c.customer_id, k.reason_id = c.reason_id FROM cases k "
                       "JOIN contacts c ON c.external_ref = 'cdr:K4' AND c.case_id = k.id "
                       "LEFT JOIN agents a ON a.id = k.assigned_agent_id")
    assert [tuple(str(v)[:19] if v is not None else None for v in r[:4]) + r[4:] for r in got] == [
        ("2024-03-01 11:00:00", "2024-03-01 11:10:20", "2024-03-01 11:15:00", "2024-03-01 11:15:00", "ag2", 1, 1)]
    open_case = rows(engine, "SELECT k.resolved_at, k.first_response_at, k.assigned_agent_id FROM cases k "
                             "JOIN contacts c ON c.case_id = k.id WHERE c.external_ref = 'cdr:K9'")
    assert open_case == [(None, None, None)]


def test_calls_out_of_order_within_a_batch_are_grouped_in_time_order(engine, tmp_path):
    shuffled = [CALLS[i] for i in (8, 6, 2, 0, 9, 1, 4, 3, 7, 5)]
    s = run_import(engine, "cdr", _write(tmp_path, shuffled), MAPPING)
    assert s.imported == 10
    assert _cases(engine) == EXPECTED


def test_a_later_file_continues_the_open_groups(engine, tmp_path):
    run_import(engine, "cdr", _write(tmp_path, CALLS[:7], "part1.csv"), MAPPING)
    s = run_import(engine, "cdr", _write(tmp_path, CALLS[7:], "part2.csv"), MAPPING)
    assert s.imported == 3
    assert _cases(engine) == EXPECTED
    # K9 (tech, C) joins nothing; a call from C about tech 6 days later continues its case as a retry.
    more = _write(tmp_path, ["K11,C,tech,2024-03-11,08:00:00,08:00:30,08:09:00,answered,ag1"], "part3.csv")
    run_import(engine, "cdr", more, MAPPING)
    got = rows(engine, "SELECT c.kind, k.status, k.first_response_at IS NOT NULL, k.reopen_count FROM contacts c "
                       "JOIN cases k ON k.id = c.case_id WHERE c.external_ref = 'cdr:K11'")
    assert got == [("retry", "resolved", True, 0)]
    assert scalar(engine, "SELECT count(*) FROM cases") == 8


def test_window_is_configurable(engine, tmp_path):
    mapping = {**MAPPING, "options": {**MAPPING["options"], "case_window_days": 10}}
    run_import(engine, "cdr", _write(tmp_path, CALLS), mapping)
    got = _cases(engine)
    assert got[("K1", "K2", "K3")] == (("first", "repeat", "repeat"), "resolved", 2)
    assert scalar(engine, "SELECT count(*) FROM cases") == 7


def test_a_case_column_groups_calls_by_its_value(engine, tmp_path):
    lines = [HEADER + ",ticket",
             "T1,A,billing,2024-03-01,09:00:00,,,abandoned,,900",
             "T2,B,billing,2024-03-01,09:30:00,09:30:05,09:35:00,answered,ag1,901",
             "T3,A,billing,2024-03-20,09:00:00,09:00:05,09:09:00,answered,ag2,900",  # weeks later, same ticket
             "T4,A,billing,2024-03-20,10:00:00,10:00:05,10:09:00,answered,ag2,"]      # no ticket: own case
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = {"columns": {"customer_id": "customer", "call_type": "type", "case_id": "ticket"}}
    s = run_import(engine, "cdr", path, mapping, batch_rows=2)
    assert s.written["cases"] == 3
    got = rows(engine, "SELECT c.external_ref, c.kind, k.external_ref, k.status FROM contacts c "
                       "JOIN cases k ON k.id = c.case_id ORDER BY c.external_ref")
    assert [g[:2] for g in got] == [("cdr:T1", "first"), ("cdr:T2", "first"), ("cdr:T3", "retry"),
                                    ("cdr:T4", "first")]
    assert [g[2:] for g in got[:3]] == [("cdr-case:900", "resolved"), ("cdr-case:901", "resolved"),
                                        ("cdr-case:900", "resolved")]
    # A later file adding a call to ticket 901 continues that case.
    more = tmp_path / "more.csv"
    more.write_text("\n".join([lines[0], "T5,B,billing,2024-03-02,09:00:00,,,abandoned,,901"]) + "\n")
    run_import(engine, "cdr", more, mapping)
    got = rows(engine, "SELECT c.kind, p.external_ref, k.status, k.reopen_count FROM contacts c "
                       "JOIN cases k ON k.id = c.case_id JOIN contacts p ON p.id = c.previous_contact_id "
                       "WHERE c.external_ref = 'cdr:T5'")
    assert got == [("repeat", "cdr:T2", "open", 1)]


def test_report_fcr_on_imported_calls_matches_the_hand_computed_value(engine, database_url, tmp_path):
    from equipoise.interfaces.cli.report import app

    run_import(engine, "cdr", _write(tmp_path, CALLS), MAPPING)
    result = CliRunner().invoke(app, ["report", "--period", "2024-03", "--metrics", "cases,fcr", "--json",
                                      "--database-url", database_url])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    # 7 resolved cases (K9's is open). First-contact resolved: K3, K6, K8, K10 — not K1+K2 nor
    # K4+K5 (two calls), nor K7 (the anonymous caller called about billing again 2 minutes later).
    assert row["cases"] == 8
    assert row["fcr"] == pytest.approx(100 * 4 / 7)
