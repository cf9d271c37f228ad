"""Cases, contacts, event logs, Zendesk and Freshdesk: sample files, bad rows, idempotence."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from equipoise.ingest.mapping import FileRefused
from equipoise.ingest.service import run_import
from tests.ingest.conftest import SAMPLES, rows, scalar


def _rejects(summary):
    with open(summary.rejects_file, newline="", encoding="utf-8") as fh:
        return [(int(r["row"]), r["field"], r["reason"]) for r in csv.DictReader(fh)]


def test_native_cases_then_contacts(engine, tmp_path):
    cases = tmp_path / "cases.csv"
    shutil.copy(SAMPLES / "cases.csv", cases)
    with cases.open("a", encoding="utf-8") as fh:
        fh.write("K-9,X-1,not a date,phone,,,,,,,,,,,,,,\n")
        fh.write("K-10,X-1,2024-03-04 09:00:00,phone,,sky-high,,,,,,,,,,,,\n")
        fh.write("K-11,X-1,2024-03-04 09:00:00,phone,,,,,,,,2024-03-01 09:00:00,,,,,,\n")
    s = run_import(engine, "cases", cases)
    assert (s.imported, s.rejected) == (4, 3)
    assert [r[:2] for r in _rejects(s)] == [(5, "opened_at"), (6, "priority"), (7, "resolved_at")]
    got = dict((r[0], r[1:]) for r in rows(
        engine, "SELECT external_ref, status, status_category, first_response_met, resolution_met FROM cases"))
    assert got["K-1001"][:2] == ("solved", "resolved")
    assert got["K-1003"][:2] == ("pending", "paused")
    assert got["K-1004"][:2] == ("closed_unresolved", "resolved")
    # K-1002: answered at once, resolved in 6 minutes: both SLA targets met.
    assert [bool(x) for x in got["K-1002"][2:]] == [True, True]
    c = run_import(engine, "contacts", SAMPLES / "contacts.csv")
    assert (c.imported, c.rejected) == (5, 0)
    linked = scalar(engine, "SELECT count(*) FROM contacts c JOIN cases k ON k.id = c.case_id "
                            "WHERE k.external_ref = 'K-1001'")
    assert linked == 2
    wait, handle, cost = rows(engine, "SELECT wait_seconds, handle_seconds, cost FROM contacts "
                                      "WHERE external_ref = 'M-3'")[0]
    assert (wait, handle) == (50, 340)
    assert cost == pytest.approx(340 / 3600 * 30 + 1.8)
    assert run_import(engine, "contacts", SAMPLES / "contacts.csv").already_imported
    assert scalar(engine, "SELECT count(*) FROM contacts") == 5


def test_contacts_reject_unknown_case_and_bad_values(engine, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("contact_ref,case_ref,customer_ref,arrived_at,answered_at,abandoned,outcome\n"
                    "A1,NOPE,C1,2024-01-01 10:00:00,,false,\n"
                    "A2,,C1,2024-01-01 10:00:00,2024-01-01 09:00:00,false,\n"
                    "A3,,C1,2024-01-01 10:00:00,,maybe,\n"
                    "A4,,C1,2024-01-01 10:00:00,2024-01-01 10:01:00,false,resolved\n", encoding="utf-8")
    s = run_import(engine, "contacts", path)
    assert (s.imported, s.rejected) == (1, 3)
    assert sorted(r[:2] for r in _rejects(s)) == [(1, "case_ref"), (2, "answered_at"), (3, "abandoned")]


def test_event_log_rebuilds_cases_with_their_lifecycle(engine):
    s = run_import(engine, "events", SAMPLES / "events.csv", SAMPLES / "events.yaml")
    assert (s.imported, s.rejected, s.written["cases"], s.written["contacts"]) == (13, 0, 3, 4)
    got = {r[0]: r[1:] for r in rows(engine, "SELECT external_ref, status, reopen_count, is_complaint, "
                                             "first_response_at IS NOT NULL FROM cases")}
    assert got["T-501"][0] == "solved" and got["T-503"][0] == "open" and bool(got["T-503"][2])
    kinds = rows(engine, "SELECT c.kind, c.outcome, c.handle_seconds FROM contacts c JOIN cases k "
                         "ON k.id = c.case_id WHERE k.external_ref = 'T-502' ORDER BY c.arrived_at")
    assert kinds == [("first", "unresolved", 900), ("repeat", "resolved", 600)]
    assert run_import(engine, "events", SAMPLES / "events.csv", SAMPLES / "events.yaml").already_imported
    assert scalar(engine, "SELECT count(*) FROM cases") == 3


def test_event_log_unknown_activity_and_bad_timestamp_are_rejected(engine, tmp_path):
    path = tmp_path / "ev.csv"
    path.write_text("case_id,activity,timestamp,resource\nA,create,2024-01-01 10:00:00,cust\n"
                    "A,dance,2024-01-01 10:05:00,x\nA,reply,yesterday,bob\nA,reply,2024-01-01 10:06:00,bob\n",
                    encoding="utf-8")
    s = run_import(engine, "events", path, {"options": {"not_agents": ["cust"]}})
    assert (s.imported, s.rejected) == (2, 2)
    assert [r[:2] for r in _rejects(s)] == [(2, "activity"), (3, "timestamp")]
    assert scalar(engine, "SELECT a.code FROM cases k JOIN agents a ON a.id = k.assigned_agent_id") == "bob"


def test_zendesk_json_and_json_lines(engine, tmp_path):
    s = run_import(engine, "zendesk", SAMPLES / "zendesk.json")
    assert (s.imported, s.rejected) == (3, 0)
    got = {r[0]: r[1:] for r in rows(engine, "SELECT k.external_ref, ch.code, k.priority, k.is_complaint, "
                                             "k.reopen_count FROM cases k JOIN channels ch ON ch.id = k.channel_id")}
    assert got["zendesk:3101"][:2] == ("email", "normal")
    assert got["zendesk:3103"][0] == "phone" and got["zendesk:3103"][3] == 1
    assert bool(got["zendesk:3102"][2])
    tickets = json.loads((SAMPLES / "zendesk.json").read_text())["tickets"]
    lines = tmp_path / "more.jsonl"
    tickets[0]["id"] = 3200
    tickets[1]["created_at"] = "not a time"
    tickets[1]["id"] = 3201
    lines.write_text("\n".join(json.dumps(t) for t in tickets[:2]) + "\n{broken\n", encoding="utf-8")
    s2 = run_import(engine, "zendesk", lines)
    assert (s2.imported, s2.rejected) == (1, 2)
    assert [r[:2] for r in _rejects(s2)] == [(2, "created_at"), (3, "*")]


def test_freshdesk_csv_keeps_its_sla_verdicts(engine):
    s = run_import(engine, "freshdesk", SAMPLES / "freshdesk.csv")
    assert (s.imported, s.rejected) == (4, 0)
    got = {r[0]: r[1:] for r in rows(engine, "SELECT external_ref, status, status_category, priority, "
                                             "resolution_met FROM cases")}
    assert got["freshdesk:4403"][3] is not None and not got["freshdesk:4403"][3]
    assert got["freshdesk:4402"][:3] == ("closed", "resolved", "normal")
    assert got["freshdesk:4404"][:2] == ("waiting_on_customer", "paused")


def test_wrong_file_type_and_missing_required_column_are_refused(engine, tmp_path):
    with pytest.raises(FileRefused, match="take json"):
        run_import(engine, "zendesk", SAMPLES / "freshdesk.csv")
    path = tmp_path / "x.csv"
    path.write_text("Subject,Status\nHello,Open\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="missing required column"):
        run_import(engine, "freshdesk", path)
    assert scalar(engine, "SELECT count(*) FROM import_files") == 0


def test_parquet_cases(engine, tmp_path):
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    table = pcsv.read_csv(SAMPLES / "cases.csv")
    pq.write_table(table, tmp_path / "cases.parquet")
    s = run_import(engine, "cases", tmp_path / "cases.parquet")
    assert (s.imported, s.rejected) == (4, 0)
    assert scalar(engine, "SELECT count(*) FROM cases WHERE is_complaint") == 1
