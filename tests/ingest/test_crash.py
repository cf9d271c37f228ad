"""SIGKILL a large import part-way, re-run it: exactly the file's rows, no duplicates, no loss."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from equipoise.ingest import bulkmode
from equipoise.ingest.synth import MAPPING, write_cdr_csv
from tests.ingest.conftest import scalar

ROWS = 100_000
BATCH = 5_000
RUN = [sys.executable, "-c", "from equipoise.interfaces.cli.ingest import app; app()"]


def _batches(engine) -> int:
    try:
        return scalar(engine, "SELECT count(*) FROM import_batches")
    except Exception:  # noqa: BLE001 - the table may be locked for a moment on SQLite
        return 0


@pytest.mark.slow
def test_sigkill_then_rerun_imports_exactly_the_file(engine, database_url, tmp_path):
    path, mapping = tmp_path / "calls.csv", tmp_path / "map.yaml"
    bad = write_cdr_csv(path, ROWS, np.random.default_rng(7), bad_every=997)
    mapping.write_text(MAPPING)
    args = [*RUN, "cdr", str(path), "--mapping", str(mapping), "--database-url", database_url,
            "--batch-rows", str(BATCH), "--json"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while _batches(engine) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed: use a bigger file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The file is large for an empty database: it was loading in bulk mode, indexes off.
    assert bulkmode.missing(engine, ("contacts", "cases"))
    killed_at = scalar(engine, "SELECT count(*) FROM contacts")
    assert 0 < killed_at < ROWS - bad
    # Only whole batches were committed.
    assert killed_at == scalar(engine, "SELECT count(*) FROM import_batches") * BATCH - scalar(
        engine, "SELECT count(*) FROM import_rejects")
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 3, done.stderr  # rejects were signalled
    assert scalar(engine, "SELECT count(*) FROM contacts") == ROWS - bad
    assert scalar(engine, "SELECT count(DISTINCT external_ref) FROM contacts") == ROWS - bad
    assert scalar(engine, "SELECT count(*) FROM import_rejects") == bad
    assert scalar(engine, "SELECT count(DISTINCT row_number) FROM import_rejects") == bad
    assert scalar(engine, "SELECT min(id) FROM contacts") > 0
    # Every call belongs to a case, each case has calls, and indexes and foreign keys are back.
    assert scalar(engine, "SELECT count(*) FROM contacts WHERE case_id IS NULL") == 0
    assert scalar(engine, "SELECT count(*) FROM cases k WHERE NOT EXISTS "
                          "(SELECT 1 FROM contacts c WHERE c.case_id = k.id)") == 0
    assert scalar(engine, "SELECT count(*) FROM contacts WHERE kind = 'first'") == scalar(
        engine, "SELECT count(*) FROM cases")
    assert bulkmode.missing(engine, ("contacts", "cases")) == []
    # A third run adds nothing.
    again = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert '"already_imported": true' in again.stdout
    assert scalar(engine, "SELECT count(*) FROM contacts") == ROWS - bad
