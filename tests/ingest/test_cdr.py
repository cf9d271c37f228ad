"""Call detail records: derived contacts, rejects with row/field/value/reason, idempotent re-runs."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest

from equipoise.ingest.mapping import FileRefused
from equipoise.ingest.service import run_import
from tests.ingest.conftest import SAMPLES, rows, scalar


def _copy_with(tmp_path, extra_lines: list[str]):
    path = tmp_path / "calls.tsv"
    shutil.copy(SAMPLES / "cdr.tsv", path)
    with path.open("a", encoding="utf-8") as fh:
        for line in extra_lines:
            fh.write("\t".join(line.split("|")) + "\n")
    return path


BAD = [
    "T1|C9-1|7|1|BILLING|241340|8:00:00|8:00:10|8:00:10|8:00:20|ANS|8:00:20|8:03:00|agt014",  # row 11 date
    "T1|C9-2|7|1|BILLING|240313|8:00:00|8:00:10|8:00:10|8:00:20|XYZ|8:00:20|8:03:00|agt014",  # row 12 outcome
    "T1|C9-3|7|1|BILLING|240313|8:00:00|8:00:10|8:00:10|8:00:20|ANS|0:00:00|0:00:00|agt014",  # row 13 no answer
    "T1|C9-4|7|1|BILLING|240313|8:00:00|8:0x:10|8:00:10|8:00:20|ANS|8:00:20|8:03:00|agt014",  # row 14 time
    "T1||7|1|BILLING|240313|8:00:00|8:00:10|8:00:10|8:00:20|ANS|8:00:20|8:03:00|agt014",  # row 15 no id
    "T1|C9-6|7|1|BILLING|240313|8:00:00",  # row 16: too few cells
    "T1|C240311-0001|7|1|BILLING|240313|9:00:00|9:00:10|9:00:10|9:00:20|ANS|9:00:20|9:03:00|agt014",  # dup
]


def test_sample_cdr_imports_every_call_with_derived_fields(engine):
    s = run_import(engine, "cdr", SAMPLES / "cdr.tsv", SAMPLES / "cdr.yaml")
    assert (s.rows, s.imported, s.rejected, s.duplicates) == (10, 10, 0, 0)
    got = rows(engine, "SELECT c.external_ref, ch.code, c.wait_seconds, c.handle_seconds, c.abandoned, "
                       "c.outcome, c.cost, a.code FROM contacts c JOIN channels ch ON ch.id = c.channel_id "
                       "LEFT JOIN agents a ON a.id = c.agent_id ORDER BY c.external_ref")
    by_ref = {r[0]: r[1:] for r in got}
    # Answered: wait = answer - queue start (21 s), handle = 5 min 38 s, cost = 338/3600*30 + 1.80.
    code, wait, handle, abandoned, outcome, cost, agent = by_ref["cdr:C240311-0001"]
    assert (code, wait, handle, bool(abandoned), outcome, agent) == ("phone", 21, 338, False, "resolved", "agt014")
    assert cost == pytest.approx(338 / 3600 * 30 + 1.8)
    # Abandoned: waited until leaving the queue, no agent, technology cost only.
    code, wait, handle, abandoned, outcome, cost, agent = by_ref["cdr:C240311-0002"]
    assert (wait, handle, bool(abandoned), outcome, agent) == (145, 0, True, "abandoned", None)
    assert cost == pytest.approx(1.8)
    # Never reached a queue: contained in the IVR channel.
    assert by_ref["cdr:C240311-0003"][0] == "ivr" and by_ref["cdr:C240311-0003"][4] == "contained"
    # Crossed midnight: talk end 0:08:12 is on the next day.
    arrived, ended = rows(engine, "SELECT arrived_at, ended_at FROM contacts WHERE external_ref = :r",
                          r="cdr:C240311-0006")[0]
    assert _as_dt(ended) - _as_dt(arrived) == dt.timedelta(minutes=10, seconds=42)
    # Anonymous callers share one customer; priority 2 made a high-tier customer.
    assert scalar(engine, "SELECT tier FROM customers WHERE external_ref = '55120'") == "high"
    assert scalar(engine, "SELECT count(*) FROM customers WHERE external_ref = 'anonymous'") == 1


def _as_dt(v):
    return v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)


def test_bad_rows_are_rejected_with_row_field_and_reason_and_good_rows_import(engine, tmp_path):
    path = _copy_with(tmp_path, BAD)
    s = run_import(engine, "cdr", path, SAMPLES / "cdr.yaml")
    assert (s.imported, s.rejected, s.duplicates) == (10, 6, 1)
    assert s.rows == 17
    with open(s.rejects_file, newline="", encoding="utf-8") as fh:
        got = [(int(r["row"]), r["field"], r["value"], r["reason"]) for r in csv.DictReader(fh)]
    assert [(r[0], r[1]) for r in got] == [(11, "date"), (12, "outcome"), (13, "service_start"),
                                           (14, "ivr_exit"), (15, "call_id"), (16, "*")]
    assert got[0][2] == "241340" and "YYMMDD" in got[0][3]
    assert "XYZ" in got[1][3] and "values.outcome" in got[1][3]
    assert scalar(engine, "SELECT count(*) FROM contacts") == 10
    again = run_import(engine, "cdr", path, SAMPLES / "cdr.yaml")
    assert again.already_imported and scalar(engine, "SELECT count(*) FROM contacts") == 10
    assert scalar(engine, "SELECT count(*) FROM import_rejects") == 6


def test_overlapping_file_adds_only_new_calls(engine, tmp_path):
    run_import(engine, "cdr", SAMPLES / "cdr.tsv", SAMPLES / "cdr.yaml")
    path = _copy_with(tmp_path, ["T1|C9-9|7|1|BILLING|240313|8:00:00|8:00:10|8:00:10|8:00:20|ANS|8:00:20|8:03:00|x"])
    s = run_import(engine, "cdr", path, SAMPLES / "cdr.yaml")
    assert (s.imported, s.duplicates, s.rejected) == (1, 10, 0)
    assert scalar(engine, "SELECT count(*) FROM contacts") == 11


@pytest.mark.parametrize("mapping, message", [
    ({"columns": {"call_id": "call_ref", "wrong_field": "x"}}, "unknown field 'wrong_field'"),
    ({"colums": {}}, "unknown key 'colums'"),
    ({"values": {"outcome": {"ANS": "great"}}, "delimiter": "\t",
      "columns": {"call_id": "call_ref", "date": "call_date", "ivr_entry": "ivr_start"},
      "formats": {"date": "YYMMDD", "time": "H:MM:SS"}}, "values.outcome"),
    ({"delimiter": "\t", "columns": {"call_id": "no_such_column"}}, "missing required column(s) 'no_such_column'"),
    ({"delimiter": "\t", "columns": {"call_id": "call_ref", "agent": "missing_col"}}, "not found"),
])
def test_bad_mappings_are_refused_and_nothing_is_written(engine, mapping, message):
    with pytest.raises(FileRefused) as info:
        run_import(engine, "cdr", SAMPLES / "cdr.tsv", mapping)
    assert message in info.value.message
    assert scalar(engine, "SELECT count(*) FROM contacts") == 0
    assert scalar(engine, "SELECT count(*) FROM import_files") == 0


def test_wrong_encoding_is_refused_with_position(engine, tmp_path):
    path = tmp_path / "latin.tsv"
    extra = "T1\tC-\xe9\t0\t0\tX\t240311\t8:00:00\t\t\t\tIVR\t\t\t\n"
    data = (SAMPLES / "cdr.tsv").read_bytes() + extra.encode("latin-1")
    path.write_bytes(data)
    with pytest.raises(FileRefused) as info:
        run_import(engine, "cdr", path, SAMPLES / "cdr.yaml")
    assert "not valid utf-8" in info.value.message and "line 12" in info.value.message
    assert scalar(engine, "SELECT count(*) FROM contacts") == 0
    # Declaring the real encoding imports it.
    import yaml

    mapping = yaml.safe_load((SAMPLES / "cdr.yaml").read_text()) | {"encoding": "latin-1"}
    s = run_import(engine, "cdr", path, mapping)
    assert s.imported == 11
    assert scalar(engine, "SELECT count(*) FROM contacts WHERE external_ref = :r", r="cdr:C-\xe9") == 1


def test_cdr_from_parquet_with_full_timestamps(engine, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "queued": pa.array([dt.datetime(2024, 2, 1, 9, 0), dt.datetime(2024, 2, 1, 9, 5), None]),
        "answered": pa.array([dt.datetime(2024, 2, 1, 9, 0, 40), None, None]),
        "ended": pa.array([dt.datetime(2024, 2, 1, 9, 6, 40), dt.datetime(2024, 2, 1, 9, 7), None]),
    })
    pq.write_table(table, tmp_path / "calls.parquet")
    mapping = {"columns": {"call_id": "id", "queue_start": "queued", "service_start": "answered",
                           "service_exit": "ended"}}
    s = run_import(engine, "cdr", tmp_path / "calls.parquet", mapping)
    assert (s.imported, s.rejected) == (2, 1)
    got = rows(engine, "SELECT external_ref, wait_seconds, handle_seconds, outcome FROM contacts "
                       "ORDER BY external_ref")
    assert got == [("cdr:1", 40, 360, "resolved"), ("cdr:2", 120, 0, "abandoned")]
