"""Benchmark: import an N-row call-detail CSV (default 1M) into SQLite and PostgreSQL, side by side
with each database's own bulk load of the same file (``sqlite3 .import`` / PostgreSQL ``COPY``).

    .venv/bin/python bench/ingest.py [--rows 1000000] [--repeats 1] [--pg URL | --no-pg]

Prints rows/s, the ratio to the bulk load, a second ratio to the "floor" (the database's bulk
load of the importer's finished rows into the real, indexed contacts table) and peak memory (max RSS of the
importing process, which runs the real ``equipoise import`` command in a child process). The
bulk loads only copy text into an unindexed table; the importer parses and validates every
field, matches customers/agents/reasons, derives wait, handle time and cost, groups the calls
into cases and writes those too, and leaves both tables with all their indexes and foreign keys —
the ratio is the price of that work.

On SQLite everything runs inside the measured process, so the CPU time (user + system) of the
importer and of the ``sqlite3`` shell is printed as well: on a machine shared with other work the
CPU ratio is the steadier figure. (PostgreSQL's work happens in the server; only wall time there.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import psycopg

from equipoise.db.migrate import upgrade
from equipoise.ingest.synth import HEADER, MAPPING, write_cdr_csv

CONTACT_COLS = ("external_ref", "customer_id", "channel_id", "reason_id", "agent_id", "team_id", "direction",
                "kind", "arrived_at", "queued_at", "answered_at", "ended_at", "wait_seconds", "handle_seconds",
                "abandoned", "transferred", "outcome", "cost", "source")
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _nullif(columns: tuple[str, ...]) -> str:
    """CSV text has no NULL: empty cells of nullable columns become NULL again."""
    nullable = {"agent_id", "team_id", "queued_at", "answered_at"}
    return ", ".join(f"nullif({c}, '')" if c in nullable else c for c in columns)


def _run_child(args: list[str]) -> tuple[float, float, float]:
    """Run a command; returns (seconds, peak RSS in MiB, CPU seconds) of that child."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 3):
            err.seek(0)
            raise SystemExit(f"{args[0]} failed with exit code {code}: {err.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _import_cmd(kind_url: str, path: Path, mapping: Path) -> list[str]:
    return [sys.executable, "-c", "from equipoise.interfaces.cli.ingest import app; app()", "cdr", str(path),
            "--mapping", str(mapping), "--database-url", kind_url, "--json", "--batch-rows", "50000"]


def bench_sqlite(path: Path, mapping: Path, work: Path, rows: int) -> dict:
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        raise SystemExit("sqlite3 command-line shell not found (apt-get install sqlite3)")
    ref_db = work / f"ref_{uuid.uuid4().hex[:6]}.db"
    ref_s, _, ref_cpu = _run_child([sqlite3, str(ref_db), ".mode csv", f".import {path} raw"])
    ours_db = work / f"ours_{uuid.uuid4().hex[:6]}.sqlite3"
    url = f"sqlite:///{ours_db}"
    upgrade(url)
    ours_s, rss, ours_cpu = _run_child(_import_cmd(url, path, mapping))
    # Floor: the shell's own bulk load of the importer's output rows into the real contacts table.
    rows_csv = work / "contacts_rows.csv"
    cols = ", ".join(CONTACT_COLS)
    subprocess.run([sqlite3, str(ours_db), ".mode csv", f".once {rows_csv}", f"SELECT {cols} FROM contacts",
                    "DELETE FROM contacts"], check=True)
    floor_s, _, _ = _run_child([sqlite3, str(ours_db), "PRAGMA foreign_keys=ON", ".mode csv",
                             f"CREATE TEMP TABLE stage AS SELECT {cols} FROM contacts WHERE 0",
                             f".import {rows_csv} stage",
                             f"INSERT INTO contacts ({cols}) SELECT {_nullif(CONTACT_COLS)} FROM stage"])
    ref_db.unlink(missing_ok=True)
    rows_csv.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(ours_db) + suffix).unlink(missing_ok=True)
    return {"ours": ours_s, "ref": ref_s, "rss": rss, "floor": floor_s, "ours_cpu": ours_cpu, "ref_cpu": ref_cpu}


def bench_postgres(path: Path, mapping: Path, base: str, rows: int) -> dict:
    from sqlalchemy.engine import make_url

    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"eqbench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        cols = ", ".join(f"{c} text" for c in HEADER)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE TABLE raw_cdr ({cols})")
        ref_s, _, _ = _run_child(["psql", "-q", dsn, "-c", f"\\copy raw_cdr FROM '{path}' WITH (FORMAT csv, HEADER)"])
        upgrade(url)
        ours_s, rss, _ = _run_child(_import_cmd(url, path, mapping))
        # Floor: COPY of the importer's output rows into the real contacts table.
        cols = ", ".join(CONTACT_COLS)
        rows_csv = path.with_name("contacts_rows.csv")
        subprocess.run(["psql", "-q", dsn, "-c", f"\\copy (SELECT {cols} FROM contacts) TO '{rows_csv}' CSV",
                        "-c", "TRUNCATE contacts CASCADE"], check=True)
        floor_s, _, _ = _run_child(["psql", "-q", dsn, "-c", f"\\copy contacts ({cols}) FROM '{rows_csv}' CSV"])
        rows_csv.unlink(missing_ok=True)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {"ours": ours_s, "ref": ref_s, "rss": rss, "floor": floor_s}


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--pg", default=os.environ.get("EQUIPOISE_TEST_DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="eq_bench_ingest_"))
    try:
        path, mapping = work / "calls.csv", work / "calls.yaml"
        t = time.perf_counter()
        write_cdr_csv(path, args.rows, np.random.default_rng(args.seed))
        mapping.write_text(MAPPING)
        print(f"generated {args.rows:,} calls ({path.stat().st_size / 2**20:,.0f} MiB) in "
              f"{time.perf_counter() - t:.1f} s")
        targets = [("SQLite", "sqlite3 .import", lambda: bench_sqlite(path, mapping, work, args.rows))]
        if not args.no_pg:
            targets.append(("PostgreSQL", "COPY", lambda: bench_postgres(path, mapping, args.pg, args.rows)))
        print(f"load average before: {_loadavg()}")
        print(f"{'database':<11} {'reference':<16} {'ref rows/s':>11} {'import rows/s':>14} {'ratio':>7} "
              f"{'floor rows/s':>13} {'vs floor':>9} {'peak RSS':>10} {'CPU s ref/ours':>15} {'CPU ratio':>10}")
        for label, ref_name, run in targets:
            runs = [run() for _ in range(args.repeats)]
            ours = statistics.median(r["ours"] for r in runs)
            ref = statistics.median(r["ref"] for r in runs)
            floor = statistics.median(r["floor"] for r in runs)
            rss = max(r["rss"] for r in runs)
            cpu = ""
            if all("ours_cpu" in r for r in runs):
                ours_cpu = statistics.median(r["ours_cpu"] for r in runs)
                ref_cpu = statistics.median(r["ref_cpu"] for r in runs)
                cpu = f" {ref_cpu:>7.1f}/{ours_cpu:<7.1f} {ref_cpu / ours_cpu:>10.1%}"
            print(f"{label:<11} {ref_name:<16} {args.rows / ref:>11,.0f} {args.rows / ours:>14,.0f} "
                  f"{ref / ours:>7.1%} {args.rows / floor:>13,.0f} {floor / ours:>9.1%} {rss:>7,.0f} MiB{cpu}",
                  flush=True)
        print("ratio    = import rows/s / bulk load of the raw file into an unindexed text table (target >= 30%)")
        print("vs floor = import rows/s / bulk load of the importer's own output rows into the indexed,\n"
              "           constrained contacts table (what any loader of this schema pays)")
        print("medians of repeats; peak RSS = max resident memory of the importing process")
        print(f"load average after: {_loadavg()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
