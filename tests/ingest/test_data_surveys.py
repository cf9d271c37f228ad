"""Survey answers from helpdesk exports (Zendesk, Freshdesk) and the native surveys kind."""

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


SURVEYS_BY_CASE = ("SELECT k.external_ref, s.csat, s.comment, ct.external_ref, cu.external_ref, s.source "
                   "FROM survey_responses s JOIN cases k ON k.id = s.case_id "
                   "JOIN contacts ct ON ct.id = s.contact_id JOIN customers cu ON cu.id = s.customer_id "
                   "ORDER BY k.external_ref")


def test_zendesk_ratings_become_csat_answers_on_the_ticket(engine, tmp_path):
    s = run_import(engine, "zendesk", SAMPLES / "zendesk.json")
    assert (s.imported, s.rejected) == (3, 0)
    # good -> 5, bad -> 1; the offered (unanswered) rating of 3102 writes nothing.
    assert rows(engine, SURVEYS_BY_CASE) == [
        ("zendesk:3101", 5, "Quick and clear, thanks", "zendesk:3101#1", "zendesk:90011", "zendesk"),
        ("zendesk:3103", 1, "Took two calls", "zendesk:3103#1", "zendesk:90011", "zendesk")]
    # A later export of the same tickets, where 3102 has been rated since and the customer of 3101 changed
    # their rating to bad: one answer added, one replaced (one rating per ticket), no case twice.
    tickets = json.loads((SAMPLES / "zendesk.json").read_text())["tickets"]
    tickets[1]["satisfaction_rating"] = {"score": "good", "created_at": "2024-05-08T10:00:00Z"}
    tickets[0]["satisfaction_rating"] = {"score": "bad", "comment": "Export broke again",
                                         "updated_at": "2024-05-10T09:00:00Z"}
    later = tmp_path / "later.json"
    later.write_text(json.dumps(tickets), encoding="utf-8")
    s2 = run_import(engine, "zendesk", later)
    assert (s2.imported, s2.duplicates) == (0, 3)
    assert scalar(engine, "SELECT count(*) FROM cases") == 3
    after = [r[:3] for r in rows(engine, SURVEYS_BY_CASE)]
    assert after == [("zendesk:3101", 1, "Export broke again"), ("zendesk:3102", 5, None),
                     ("zendesk:3103", 1, "Took two calls")]
    assert run_import(engine, "zendesk", later).already_imported
    again = tmp_path / "again.json"
    again.write_text(json.dumps(tickets, indent=1), encoding="utf-8")  # same tickets, another file
    run_import(engine, "zendesk", again)
    assert [r[:3] for r in rows(engine, SURVEYS_BY_CASE)] == after


def test_zendesk_bad_ratings_are_rejected_and_scale_is_checked(engine, tmp_path):
    tickets = json.loads((SAMPLES / "zendesk.json").read_text())["tickets"]
    tickets[0]["satisfaction_rating"] = {"score": "meh"}
    tickets[1]["satisfaction_rating"] = "good"
    tickets[2]["satisfaction_rating"] = {"score": "bad", "created_at": "2020-01-01T00:00:00Z"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tickets), encoding="utf-8")
    s = run_import(engine, "zendesk", path, {"options": {"csat_good": 4, "csat_bad": 2}})
    assert (s.imported, s.rejected) == (0, 3)
    assert [r[:2] for r in _rejects(s)] == [(1, "satisfaction_rating.score"), (2, "satisfaction_rating"),
                                            (3, "satisfaction_rating.created_at")]
    with pytest.raises(FileRefused, match="csat_good"):
        run_import(engine, "zendesk", SAMPLES / "zendesk.json", {"options": {"csat_good": 3}})
    tickets = json.loads((SAMPLES / "zendesk.json").read_text())["tickets"]
    path.write_text(json.dumps(tickets), encoding="utf-8")
    run_import(engine, "zendesk", path, {"options": {"csat_good": 4, "csat_bad": 2}})
    assert sorted(r[0] for r in rows(engine, "SELECT csat FROM survey_responses")) == [2, 4]


def test_freshdesk_survey_results_under_accepted_column_names(engine, tmp_path):
    with (SAMPLES / "freshdesk.csv").open(newline="", encoding="utf-8") as fh:
        table = [line[:-2] for line in csv.reader(fh)]  # without the sample's own survey columns
    assert table[0][-1] == "Tags"
    table[0] += ["Survey Result", "Feedback"]
    results = [("Extremely Happy", "Great"), ("-102", ""), ("", ""), ("Whatever", "")]
    for line, (rating, comment) in zip(table[1:], results, strict=True):
        line += [rating, comment]
    path = tmp_path / "fd.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(table)
    s = run_import(engine, "freshdesk", path)
    assert (s.imported, s.rejected) == (3, 1)
    assert [r[:2] for r in _rejects(s)] == [(4, "satisfaction_rating")]
    got = rows(engine, "SELECT k.external_ref, s.csat, s.comment, s.responded_at FROM survey_responses s "
                       "JOIN cases k ON k.id = s.case_id ORDER BY k.external_ref")
    assert [g[:3] for g in got] == [("freshdesk:4401", 5, "Great"), ("freshdesk:4402", 1, None)]
    # Without an answer time in the export, the answer is dated at the ticket's resolution.
    assert str(got[0][3]).startswith("2024-06-04 09:00:00")
    # A values map names the export's own labels.
    table[1][0], table[1][-2] = "5001", "Whatever"
    other = tmp_path / "fd2.csv"
    with other.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(table[:2])
    s2 = run_import(engine, "freshdesk", other, {"values": {"satisfaction": {"whatever": 3}}})
    assert (s2.imported, s2.rejected) == (1, 0)
    assert scalar(engine, "SELECT s.csat FROM survey_responses s JOIN cases k ON k.id = s.case_id "
                          "WHERE k.external_ref = 'freshdesk:5001'") == 3


def test_freshdesk_sample_survey_columns(engine):
    s = run_import(engine, "freshdesk", SAMPLES / "freshdesk.csv")
    assert (s.imported, s.rejected) == (4, 0)
    assert rows(engine, "SELECT k.external_ref, s.csat, s.comment FROM survey_responses s JOIN cases k "
                        "ON k.id = s.case_id ORDER BY k.external_ref") == [
        ("freshdesk:4401", 5, "Refund arrived the next day"), ("freshdesk:4402", 3, None)]


def test_native_surveys_link_to_contacts_and_cases(engine, tmp_path):
    run_import(engine, "cases", SAMPLES / "cases.csv")
    run_import(engine, "contacts", SAMPLES / "contacts.csv")
    s = run_import(engine, "surveys", SAMPLES / "surveys.csv")
    assert (s.imported, s.rejected, s.duplicates) == (4, 0, 0)
    got = {r[0]: r[1:] for r in rows(
        engine, "SELECT coalesce(ct.external_ref, k.external_ref), k.external_ref, cu.external_ref, s.csat, s.nps, "
                "s.ces, s.expectation, s.perception FROM survey_responses s JOIN customers cu "
                "ON cu.id = s.customer_id LEFT JOIN contacts ct ON ct.id = s.contact_id "
                "LEFT JOIN cases k ON k.id = s.case_id")}
    assert got["M-3"] == ("K-1002", "NORTH-3", 5, 9, 2, 4, 5)
    # A case answer lands on the case's last contact answered by then (K-1001: the phone call M-2).
    assert got["M-2"] == ("K-1001", "ACME-17", 3, 6, 5, 4, 3)
    assert got["M-5"][:5] == ("K-1003", "ACME-17", 2, None, 6)
    # K-1004 has no contact: the answer is on the case only.
    assert got["K-1004"] == ("K-1004", "LEE-88", None, 2, None, None, None)
    # Another file repeating one answer and adding a new one: only the new one is written.
    path = tmp_path / "more.csv"
    shutil.copy(SAMPLES / "surveys.csv", path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("M-1,,ACME-17,2024-03-04 13:00:00,,4,,,,,\n")
    s2 = run_import(engine, "surveys", path)
    assert (s2.imported, s2.duplicates, s2.rejected) == (1, 4, 0)
    assert scalar(engine, "SELECT count(*) FROM survey_responses") == 5


def test_native_surveys_bad_rows_are_rejected(engine, tmp_path):
    run_import(engine, "cases", SAMPLES / "cases.csv")
    run_import(engine, "contacts", SAMPLES / "contacts.csv")
    path = tmp_path / "bad.csv"
    path.write_text(
        "contact_ref,case_ref,customer_ref,answered_at,csat,nps,ces\n"
        "M-3,,NORTH-3,2024-03-04 10:30:00,6,,\n"          # csat out of range
        "M-3,,NORTH-3,2024-03-04 10:31:00,,4.5,\n"        # nps not whole
        "M-3,,NORTH-3,2024-03-04 10:32:00,,,\n"           # no score
        "NOPE,,NORTH-3,2024-03-04 10:33:00,4,,\n"         # unknown contact
        ",K-404,NORTH-3,2024-03-04 10:34:00,4,,\n"        # unknown case
        "M-3,,ACME-17,2024-03-04 10:35:00,4,,\n"          # not that contact's customer
        "M-3,,NORTH-3,2024-03-01 10:36:00,4,,\n"          # before the contact arrived
        ",,NORTH-3,2024-03-04 10:37:00,4,,\n"             # no reference
        "M-3,,NORTH-3,yesterday,4,,\n"                    # bad time
        "M-3,,NORTH-3,2024-03-04 10:39:00,4,10,7\n",      # good
        encoding="utf-8")
    s = run_import(engine, "surveys", path)
    assert (s.imported, s.rejected) == (1, 9)
    assert sorted(r[:2] for r in _rejects(s)) == [
        (1, "csat"), (2, "nps"), (3, "csat"), (4, "contact_ref"), (5, "case_ref"), (6, "customer_ref"),
        (7, "answered_at"), (8, "contact_ref"), (9, "answered_at")]
    none = tmp_path / "none.csv"
    none.write_text("customer_ref,answered_at,csat\nX,2024-01-01 10:00:00,4\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="contact_ref or a case_ref"):
        run_import(engine, "surveys", none)
