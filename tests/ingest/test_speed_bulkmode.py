"""Bulk mode: large files load with secondary indexes (and PostgreSQL foreign keys) off, rebuilt after."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from equipoise.ingest import bulkmode
from equipoise.ingest.service import run_import
from equipoise.ingest.synth import MAPPING, write_cdr_csv
from tests.ingest.conftest import SAMPLES, scalar

TABLES = ("contacts", "cases")


def test_relax_drops_and_restore_rebuilds_exactly_the_model_definitions(engine):
    assert bulkmode.missing(engine, TABLES) == []
    dropped = bulkmode.relax(engine, TABLES)
    assert "ix_contacts_customer_id" in dropped and "ix_cases_opened_at" in dropped
    assert "ix_contacts_case_id" not in dropped  # kept: a case's latest call is read through it
    assert sorted(bulkmode.missing(engine, TABLES)) == sorted(dropped)
    if engine.dialect.name == "postgresql":
        assert "fk_contacts_customer_id_customers" in dropped
    assert sorted(bulkmode.restore(engine, TABLES)) == sorted(dropped)
    assert bulkmode.missing(engine, TABLES) == [] and bulkmode.restore(engine, TABLES) == []


def test_an_import_repairs_what_a_killed_bulk_import_left_off(engine):
    bulkmode.relax(engine, TABLES)  # as a SIGKILL during a bulk load leaves it
    s = run_import(engine, "cdr", SAMPLES / "cdr.tsv", SAMPLES / "cdr.yaml")
    assert s.imported == 10
    assert bulkmode.missing(engine, TABLES) == []


def test_bulk_mode_end_refuses_rows_that_point_nowhere(engine):
    run_import(engine, "cdr", SAMPLES / "cdr.tsv", SAMPLES / "cdr.yaml")
    bulkmode.relax(engine, TABLES)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:  # a reference the (relaxed) checks let through
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        conn.execute(text("UPDATE contacts SET customer_id = 999999 WHERE id = (SELECT min(id) FROM contacts)"))
        conn.commit()
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
    with pytest.raises(Exception, match="(?i)foreign key|point to missing rows"):
        bulkmode.restore(engine, TABLES)
    assert bulkmode.missing(engine, TABLES)  # nothing half restored: the next import tries again


def test_threshold_needs_a_large_file_at_least_the_table_size(engine):
    assert not bulkmode.should_relax(engine, "contacts", bulkmode.MIN_ROWS - 1)
    assert bulkmode.should_relax(engine, "contacts", bulkmode.MIN_ROWS)


@pytest.mark.slow
def test_bulk_load_rebuilt_foreign_keys_hold(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(bulkmode, "MIN_ROWS", 1000)
    path = tmp_path / "calls.csv"
    write_cdr_csv(path, 3000, np.random.default_rng(3))
    s = run_import(engine, "cdr", path, MAPPING_DICT(), batch_rows=500)
    assert s.imported == 3000 and bulkmode.missing(engine, TABLES) == []
    # Nothing points nowhere.
    for sql in ("SELECT count(*) FROM contacts c LEFT JOIN cases k ON k.id = c.case_id WHERE k.id IS NULL",
                "SELECT count(*) FROM contacts c LEFT JOIN customers u ON u.id = c.customer_id WHERE u.id IS NULL",
                "SELECT count(*) FROM contacts c LEFT JOIN contacts p ON p.id = c.previous_contact_id "
                "WHERE c.previous_contact_id IS NOT NULL AND p.id IS NULL"):
        assert scalar(engine, sql) == 0
    with engine.connect() as conn, pytest.raises(Exception, match="(?i)foreign key"):
        conn.execute(text("UPDATE contacts SET customer_id = -5 WHERE id = (SELECT min(id) FROM contacts)"))


def MAPPING_DICT():  # noqa: N802 - the synthetic file's mapping as a dict
    import yaml

    return yaml.safe_load(MAPPING)
