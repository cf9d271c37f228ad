"""Build the demo company into a database (the entry point the CLI and ``make run`` use)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import Engine

from equipoise.demo import writer
from equipoise.demo.build import DemoSpec, Progress, simulate
from equipoise.demo.users import create_demo_users
from equipoise.kit.errors import Conflict


@dataclass(frozen=True)
class BuildResult:
    built: bool
    reason: str
    rows: dict[str, int]
    users: list[dict[str, str]]
    simulate_seconds: float
    write_seconds: float


def build_demo(engine: Engine, spec: DemoSpec, *, if_absent: bool = False, replace: bool = False,
               progress: Progress | None = None) -> BuildResult:
    """Generate the demo company and write it in one transaction.

    An existing dataset is kept with ``if_absent``, wiped first with ``replace`` (every table), and otherwise
    refused. Demo sign-in users are created with the data (see ``demo/users.py``).
    """
    with engine.connect() as conn:
        empty = writer.is_empty(conn)
    if not empty and if_absent:
        return BuildResult(False, "the database already holds data; kept it", {}, [], 0.0, 0.0)
    if not empty and not replace:
        raise Conflict("the database already holds data: pass --replace to rebuild it or --if-absent to keep it")
    t0 = time.perf_counter()
    data = simulate(spec, progress)
    t1 = time.perf_counter()
    with engine.begin() as conn:
        if not empty:
            writer.clear(conn)
        rows = writer.write(conn, data, progress)
        users = create_demo_users(conn, dt.datetime.combine(data.horizon.date_of(data.horizon.end), dt.time()))
    return BuildResult(True, "built", rows, users, t1 - t0, time.perf_counter() - t1)
