"""A second event-log file with later events brings cases already imported up to date, once."""

from __future__ import annotations

from equipoise.ingest.service import run_import
from tests.ingest.conftest import rows, scalar

HEADER = "case_id,activity,timestamp,resource,customer_id,channel,reason,priority,duration_seconds\n"
FIRST = HEADER + (
    "E-1,create,2024-04-01 09:00:00,customer,CU-1,email,billing_question,normal,\n"
    "E-2,create,2024-04-01 10:00:00,customer,CU-2,chat,technical_fault,high,\n"
    "E-2,reply,2024-04-01 10:05:00,ana,,,,,600\n"
    "E-2,resolve,2024-04-01 10:20:00,ana,,,,,\n")
SECOND = HEADER + (
    "E-2,create,2024-04-01 10:00:00,customer,CU-2,chat,technical_fault,high,\n"  # repeated from the first file
    "E-1,reply,2024-04-01 15:00:00,bob,,,,,480\n"
    "E-1,resolve,2024-04-01 15:30:00,bob,,,,,\n"
    "E-2,reopen,2024-04-02 08:00:00,customer,,,,,\n"
    "E-2,message,2024-04-02 08:00:00,customer,,,,,\n"
    "E-2,reply,2024-04-02 08:10:00,ana,,,,,300\n"
    "E-2,resolve,2024-04-02 08:30:00,ana,,,,,\n"
    "E-2,close,2024-04-04 08:30:00,system,,,,,\n"
    "E-3,create,2024-04-02 11:00:00,customer,CU-1,phone,billing_question,normal,\n")
MAPPING = {"options": {"not_agents": ["customer", "system"]}}
CASES = ("SELECT external_ref, status, status_category, resolved_at IS NOT NULL, closed_at IS NOT NULL, "
         "reopen_count, first_response_met, version FROM cases ORDER BY external_ref")
CONTACTS = ("SELECT c.external_ref, c.kind, c.outcome, c.answered_at IS NOT NULL, c.handle_seconds, c.cost > 0 "
            "FROM contacts c ORDER BY c.external_ref")


def _flags(got):
    return [tuple(bool(x) if isinstance(x, int) and i in (3, 4, 6) else x for i, x in enumerate(r)) for r in got]


def test_second_event_file_updates_cases_and_adds_contacts(engine, tmp_path):
    first, second = tmp_path / "day1.csv", tmp_path / "day2.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    s1 = run_import(engine, "events", first, MAPPING)
    assert (s1.written["cases"], s1.written["contacts"]) == (2, 2)
    before = _flags(rows(engine, CASES))
    # E-1 is still open and its first reply is overdue (24 h for email, judged now): a breach already.
    assert before[0] == ("E-1", "open", "open", False, False, 0, False, 1)
    assert before[1][:6] == ("E-2", "solved", "resolved", True, True, 0)

    s2 = run_import(engine, "events", second, MAPPING)
    assert (s2.imported, s2.rejected) == (9, 0)
    assert (s2.written["cases"], s2.written["cases_updated"]) == (1, 2)
    assert (s2.written["contacts"], s2.written["contacts_updated"]) == (2, 2)
    after = _flags(rows(engine, CASES))
    # E-1: answered after 6 h (within 24 h) and resolved; E-2: reopened, answered again, resolved, closed.
    assert after[0] == ("E-1", "solved", "resolved", True, True, 0, True, 2)
    assert after[1][:6] == ("E-2", "solved", "resolved", True, True, 1)
    assert after[2][:3] == ("E-3", "open", "open")
    got = rows(engine, CONTACTS)
    assert [(r[0], r[1], r[2], bool(r[3]), r[4], bool(r[5])) for r in got] == [
        ("E-1#1", "first", "resolved", True, 480, True),      # the open contact, answered by the new events
        ("E-2#1", "first", "unresolved", True, 600, True),    # the reopen shows the first answer did not resolve
        ("E-2#2", "repeat", "resolved", True, 300, True),     # the customer's new message
        ("E-3#1", "first", "unresolved", False, 0, True)]     # unanswered: the channel's per-contact cost
    assert scalar(engine, "SELECT a.code FROM cases k JOIN agents a ON a.id = k.assigned_agent_id "
                          "WHERE k.external_ref = 'E-1'") == "bob"
    history = ("SELECT h.from_status, h.to_status, h.to_category FROM case_status_changes h JOIN cases k "
               "ON k.id = h.case_id WHERE k.external_ref = 'E-2' ORDER BY h.at, h.id")
    assert rows(engine, history) == [(None, "open", "open"), ("open", "solved", "resolved"),
                                     ("solved", "open", "open"), ("open", "solved", "resolved")]

    # Re-running either file adds nothing.
    for path in (first, second):
        assert run_import(engine, "events", path, MAPPING).already_imported
    # A re-export holding the same events in another order (another file) changes nothing either.
    lines = SECOND.splitlines()
    again = tmp_path / "again.csv"
    again.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n" + FIRST.split("\n", 1)[1],
                     encoding="utf-8")
    s3 = run_import(engine, "events", again, MAPPING)
    assert not s3.already_imported and s3.imported == 13
    assert (s3.written["cases"], s3.written["cases_updated"], s3.written["contacts"],
            s3.written["contacts_updated"]) == (0, 0, 0, 0)
    assert _flags(rows(engine, CASES)) == after
    assert rows(engine, CONTACTS) == got
    assert scalar(engine, "SELECT count(*) FROM contacts") == 4
    assert len(rows(engine, history)) == 4


def test_events_do_not_touch_cases_of_other_sources(engine, tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text("case_ref,customer_ref,opened_at\nE-1,CU-1,2024-04-01 09:00:00\n", encoding="utf-8")
    run_import(engine, "cases", cases)
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "E-1,resolve,2024-04-01 15:30:00,bob,,,,,\n", encoding="utf-8")
    s = run_import(engine, "events", log, MAPPING)
    assert (s.written["cases"], s.written["cases_updated"], s.written["cases_existing"]) == (0, 0, 1)
    assert rows(engine, "SELECT status, source FROM cases") == [("open", "import")]
