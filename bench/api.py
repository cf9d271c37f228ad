"""Benchmark: the cases REST API on PostgreSQL holding 1M cases, at a fixed request rate.

Run: .venv/bin/python bench/api.py [--cases 1000000] [--rate 100] [--seconds 20] [--runs 3]
     [--workers 2] [--threads 20] [--server postgresql+psycopg://postgres@127.0.0.1:5432/test]
     [--phases healthz,create,list,mixed] [--no-max] [--keep | --database eqbench_xxxxxxxx]

A throw-away database is created on the server, migrated, filled with an organisation
(20 teams, 200 agents, 20,000 customers) and ``--cases`` cases written by one INSERT ... SELECT
over generate_series, then VACUUM ANALYZEd (the steady state autovacuum keeps a live table in).
``--keep`` keeps it (and the ids the load needs, next to the server log) so that later runs can
reuse it with ``--database`` instead of filling a new one. Uvicorn serves the real app on
127.0.0.1 with ``--workers`` processes, each with ``--threads`` request threads and a connection
pool of the same size: the cases API holds a connection only inside a request thread.

Load is *open loop*: requests are started on a fixed schedule (``--rate`` per second for
``--seconds``) whatever the latency, so slow responses cannot hide behind a slower send rate
(the coordinated-omission error of closed-loop tools). Latency is measured from the scheduled
start. The load client is a minimal keep-alive HTTP/1.1 client on asyncio streams (as wrk is in
C): it shares the two cores with the server and PostgreSQL, and httpx used several times its CPU
per request. The open-loop phases are repeated ``--runs`` times and the median of each figure is
reported (the machine is shared; the load average is printed before and after). Phases: healthz
(the floor of the HTTP stack), create (agents of random teams, routed by skill and tier), list
(team-scoped open cases for agents, everything for a manager), mixed (one create to three lists);
then, unless ``--no-max``, a closed-loop maximum-throughput run of create and list with 8
concurrent clients. The reference, side by side, is the same service calls made in-process
without HTTP (one DB session per call, as a request). Peak memory is the uvicorn process's
maximum RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from equipoise.core.auth import service as auth_service  # noqa: E402
from equipoise.core.auth.schemas import Principal, TokenCreate, UserCreate  # noqa: E402
from equipoise.core.cases import service as case_service  # noqa: E402
from equipoise.core.cases.schemas import CaseCreate  # noqa: E402
from equipoise.db.engine import make_engine, session_scope  # noqa: E402
from equipoise.db.migrate import upgrade  # noqa: E402
from equipoise.models import Agent, BusinessCalendar, Channel, ContactReason, OrgUnit, SlaPolicy  # noqa: E402

TEAMS, AGENTS_PER_TEAM, CUSTOMERS = 20, 10, 20_000
REASONS = ("billing", "tech", "delivery", "account", "returns")
TIERS = ("top", "high", "mid", "low", "low", "low", "mid", "prospect")
NOW = dt.datetime(2026, 3, 2, 10, 0)

SERVER_APP = '''
import os
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from equipoise.config import Settings
from equipoise.kit.errors import AppError
from equipoise.interfaces.api.routers import auth, cases, users

def build():
    # The API part of equipoise.interfaces.app.create_app: settings, the AppError handler, the routers.
    @asynccontextmanager
    async def lifespan(_app):
        # request threads = connection pool size (EQUIPOISE_DB_POOL_SIZE), set by the benchmark
        anyio.to_thread.current_default_thread_limiter().total_tokens = int(os.environ["BENCH_THREADS"])
        yield

    app = FastAPI(lifespan=lifespan)
    app.state.settings = Settings(database_url=os.environ["EQUIPOISE_DATABASE_URL"])

    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(status_code=exc.status_code, content=body)

    @app.get("/healthz")
    async def _health() -> dict:
        return {"status": "ok"}

    for module in (auth, users, cases):
        app.include_router(module.router, prefix="/api")
    return app
'''


def seed(url: str, cases: int) -> dict:
    """Organisation, users with tokens, and ``cases`` cases; returns what the load needs."""
    engine = make_engine(url)
    rng = random.Random(7)
    with session_scope(engine) as s:
        hq = OrgUnit(code="hq", name="HQ", kind="hq")
        s.add(hq)
        s.flush()
        teams = [OrgUnit(code=f"t{i}", name=f"Team {i}", kind="team", parent_id=hq.id) for i in range(TEAMS)]
        channels = [Channel(code=c, name=c, opening_hours={}) for c in ("phone", "email", "chat")]
        reasons = [ContactReason(code=r, name=r, category="main") for r in REASONS]
        cal = BusinessCalendar(code="uk", name="UK", working_hours={str(d): [[8, 18]] for d in range(5)})
        s.add_all([*teams, *channels, *reasons, cal])
        s.flush()
        agents = [Agent(code=f"a{t.id}-{k}", name="A", team_id=t.id, hourly_cost=20 + k,
                        skills=rng.sample(REASONS, 2) + (["tier:top"] if k == 0 else []))
                  for t in teams for k in range(AGENTS_PER_TEAM)]
        s.add_all(agents)
        s.add_all([SlaPolicy(name="default", first_response_seconds=4 * 3600, resolution_seconds=24 * 3600,
                             calendar_id=cal.id, pause_statuses=[]),
                   SlaPolicy(name="top", tier="top", first_response_seconds=3600, resolution_seconds=8 * 3600,
                             calendar_id=cal.id, pause_statuses=["pending_customer"])])
        s.flush()
        s.execute(text("INSERT INTO customers (external_ref, name, tier, segment, annual_margin) "
                       "SELECT 'c' || g, 'Customer ' || g, (CAST(:tiers AS text[]))[1 + g % 8], 'small_business', 100 "
                       "FROM generate_series(1, :n) g"), {"tiers": list(TIERS), "n": CUSTOMERS})
        cust_lo = s.execute(text("SELECT min(id) FROM customers")).scalar_one()
        ids = {"teams": [t.id for t in teams], "channels": [c.id for c in channels],
               "reasons": [r.id for r in reasons], "agents": [a.id for a in agents],
               "agent_teams": [a.team_id for a in agents], "cust_lo": cust_lo}
        tokens = {}
        manager = auth_service.create_user(s, UserCreate(email="manager@example.com", name="M", role="manager"),
                                           actor=None, now=NOW)
        tokens["manager"] = _token(s, manager.id, "manager", frozenset())
        for t in ids["teams"]:
            user = auth_service.create_user(s, UserCreate(email=f"agent{t}@example.com", name="A", role="agent",
                                                          team_ids=[t]), actor=None, now=NOW)
            tokens[f"team{t}"] = _token(s, user.id, "agent", frozenset({t}))
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO cases (customer_id, reason_id, channel_id, team_id, assigned_agent_id, subject, priority, "
            "status, status_category, tags, is_complaint, opened_at, reopen_count, version, source) "
            "SELECT :cust_lo + (CAST(g AS bigint) * 7919) % :nc, (CAST(:reasons AS bigint[]))[1 + g % 5], "
            "(CAST(:channels AS bigint[]))[1 + g % 3], "
            "(CAST(:agent_teams AS bigint[]))[1 + g % :na], (CAST(:agents AS bigint[]))[1 + g % :na], 'Case ' || g, "
            "(ARRAY['low','normal','high','urgent'])[1 + g % 4], "
            "CASE WHEN (g / 200) % 20 < 16 THEN 'closed' WHEN (g / 200) % 20 < 19 THEN 'open' "
            "ELSE 'pending_customer' END, "
            "CASE WHEN (g / 200) % 20 < 16 THEN 'resolved' WHEN (g / 200) % 20 < 19 THEN 'open' ELSE 'paused' END, "
            "CAST('[]' AS json), false, TIMESTAMP '2024-01-01' + g * INTERVAL '60 seconds', 0, 1, 'bench' "
            "FROM generate_series(1, :n) g"),
            {**{k: ids[k] for k in ("reasons", "channels", "agent_teams", "agents", "cust_lo")},
             "nc": CUSTOMERS, "na": len(ids["agents"]), "n": cases})
    # VACUUM sets the visibility map as autovacuum would long since have done on a live 1M-row table,
    # so index-only scans (agent load counts, team lists) behave as in steady state.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    ids["load_seconds"] = time.perf_counter() - t0
    ids["tokens"] = tokens
    engine.dispose()
    return ids


def _token(s, user_id: int, role: str, teams: frozenset[int]) -> str:
    actor = Principal(user_id=user_id, role=role, team_ids=teams, via="token")
    return auth_service.create_token(s, TokenCreate(name="bench"), actor=actor, now=NOW)[1]


def create_body(ids: dict, rng: random.Random) -> dict:
    return {"customer_id": ids["cust_lo"] + rng.randrange(CUSTOMERS), "reason_id": rng.choice(ids["reasons"]),
            "channel_id": rng.choice(ids["channels"]), "priority": rng.choice(["normal", "high"]),
            "subject": "benchmark", "tags": ["bench"]}


def request_plan(kind: str, ids: dict, rng: random.Random) -> tuple[str, str, dict, dict | None]:
    tokens = ids["tokens"]
    if kind == "mixed":  # one create to three list pages
        kind = "create" if rng.random() < 0.25 else "list"
    team = rng.choice(ids["teams"])
    agent = {"Authorization": f"Bearer {tokens[f'team{team}']}"}
    if kind == "create":
        return "POST", "/api/cases", agent, create_body(ids, rng)
    if kind == "list":
        if rng.random() < 0.5:
            return "GET", "/api/cases?limit=50&status_category=open", agent, None
        return "GET", "/api/cases?limit=50", {"Authorization": f"Bearer {tokens['manager']}"}, None
    return "GET", "/healthz", {}, None


class LoadClient:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams, as wrk is in C: the load generator
    shares the two cores with the server and PostgreSQL, and httpx costs several times the CPU per
    request. Uvicorn answers with a Content-Length; anything else is reported as an error."""

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def request(self, method: str, path: str, headers: dict, body: dict | None) -> int:
        """The status code; raises OSError, asyncio.TimeoutError or ValueError on failure."""
        return await asyncio.wait_for(self._request(method, path, headers, body), self.timeout)

    async def _request(self, method: str, path: str, headers: dict, body: dict | None) -> int:
        payload = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(payload)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in headers.items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        reused = bool(self.idle)
        conn = self.idle.pop() if reused else await asyncio.open_connection(self.host, self.port)
        reader, writer = conn
        try:
            writer.write(request)
            try:
                raw = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                # the server closed an idle keep-alive connection (uvicorn: after 5 s): nothing was
                # answered, so send again on a new connection, as every HTTP client does
                if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                    raise
                writer.close()
                conn = reader, writer = await asyncio.open_connection(self.host, self.port)
                writer.write(request)
                raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            if "content-length" not in fields:
                raise ValueError(f"response without Content-Length: {lines[0]}")
            await reader.readexactly(int(fields["content-length"]))
        except BaseException:
            writer.close()
            raise
        if fields.get("connection", "").lower() == "close":
            writer.close()
        else:
            self.idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


LOAD_ERRORS = (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError)


async def open_loop(base: str, kind: str, ids: dict, rate: float, seconds: float) -> dict:
    """Start ``rate`` requests per second on schedule for ``seconds``; latency from the scheduled start."""
    rng = random.Random(hash(kind) & 0xFFFF)
    n = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    client = LoadClient(base)
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        nonlocal errors
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        method, path, headers, body = request_plan(kind, ids, rng)
        try:
            errors += await client.request(method, path, headers, body) >= 400
        except LOAD_ERRORS:  # a timeout counts as an error, with its waiting time as latency
            errors += 1
        latencies.append(time.perf_counter() - scheduled)

    await asyncio.gather(*(one(i) for i in range(n)))
    elapsed = time.perf_counter() - start
    client.close()
    return _summary(latencies, errors, elapsed)


async def closed_loop(base: str, kind: str, ids: dict, clients: int, seconds: float) -> dict:
    """``clients`` loops sending back to back for ``seconds``: the maximum throughput."""
    rng = random.Random(99)
    latencies: list[float] = []
    errors = 0
    client = LoadClient(base)
    stop = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            method, path, headers, body = request_plan(kind, ids, rng)
            t = time.perf_counter()
            try:
                errors += await client.request(method, path, headers, body) >= 400
            except LOAD_ERRORS:
                errors += 1
            latencies.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    elapsed = time.perf_counter() - t0
    client.close()
    return _summary(latencies, errors, elapsed)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuMeter:
    """CPU seconds spent by the uvicorn processes and by the PostgreSQL backends serving the benchmark
    database, between ``start`` and ``stop``: the server's cost per request, steadier than latency on
    a shared machine."""

    def __init__(self, server_pid: int, admin_dsn: str, database: str) -> None:
        self.server_pid, self.admin_dsn, self.database = server_pid, admin_dsn, database

    def _pids(self) -> tuple[list[int], list[int]]:
        children = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children")
        app = [self.server_pid, *(int(p) for p in children.read_text().split())]
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            pg = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                              "AND pid <> pg_backend_pid()", (self.database,))]
        return app, pg

    def sample(self) -> dict[str, dict[int, float]]:
        app, pg = self._pids()
        return {"app": {p: _cpu_seconds(p) for p in app}, "pg": {p: _cpu_seconds(p) for p in pg}}

    @staticmethod
    def per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request of the app processes and of the database backends."""
        out = {}
        for part in ("app", "pg"):
            spent = sum(after[part][p] - before[part].get(p, 0.0) for p in after[part])
            out[f"{part}_cpu"] = 1000 * spent / max(requests, 1)
        return out


def _summary(latencies: list[float], errors: int, elapsed: float) -> dict:
    ms = sorted(x * 1000 for x in latencies)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))] if ms else float("nan")  # noqa: E731
    return {"n": len(ms), "errors": errors, "rps": len(ms) / elapsed, "p50": pick(0.50), "p99": pick(0.99),
            "max": ms[-1] if ms else float("nan")}


def in_process_reference(url: str, ids: dict, repeats: int) -> dict:
    """The same create and list service calls without HTTP: median milliseconds per call."""
    engine = make_engine(url)
    rng = random.Random(5)
    out = {}
    with session_scope(engine) as s:
        user_id = s.execute(text("SELECT id FROM users WHERE email = 'manager@example.com'")).scalar_one()
    team = ids["teams"][0]
    agent = Principal(user_id=user_id, role="agent", team_ids=frozenset({team}), via="token")
    manager = Principal(user_id=user_id, role="manager", via="token")
    for name, call in (
        ("create", lambda s: case_service.create(s, CaseCreate(**create_body(ids, rng)), principal=agent, now=NOW)),
        ("list", lambda s: case_service.list_page(s, principal=rng.choice([agent, manager]),
                                                 filters={}, before_id=None, limit=50)),
    ):
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            with session_scope(engine) as s:
                call(s)
            times.append((time.perf_counter() - t) * 1000)
        out[name] = statistics.median(times)
    engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--rate", type=float, default=100.0, help="requests per second in the open-loop phases")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    ap.add_argument("--server", default=os.environ.get("EQUIPOISE_TEST_DATABASE_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--runs", type=int, default=3, help="repeats of the open-loop phases (median reported)")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--threads", type=int, default=20, help="request threads (= pooled connections) per worker")
    ap.add_argument("--http", choices=("auto", "h11", "httptools"), default="auto",
                    help="uvicorn's HTTP parser (auto: httptools when installed, else h11)")
    ap.add_argument("--keep", action="store_true", help="keep the benchmark database (and its ids, for --database)")
    ap.add_argument("--database", help="reuse a database kept by an earlier --keep run instead of filling a new one")
    ap.add_argument("--phases", default="healthz,create,list,mixed",
                    help="open-loop phases, comma-separated, of: healthz, create, list, mixed (1 create : 3 lists)")
    ap.add_argument("--no-max", action="store_true", help="skip the closed-loop maximum-throughput runs")
    args = ap.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - {"healthz", "create", "list", "mixed"}
    if unknown:
        ap.error(f"--phases: unknown phase(s) {sorted(unknown)}")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the server and database on SIGTERM
    name = args.database or f"eqbench_{uuid.uuid4().hex[:8]}"
    keep = args.keep or bool(args.database)
    admin_dsn = make_url(args.server).set(drivername="postgresql").render_as_string(hide_password=False)
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    app_dir = Path(os.environ.get("TMPDIR", "/tmp")) / name
    if not args.database:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    proc = None
    try:
        if args.database:
            ids = json.loads((app_dir / "ids.json").read_text())
            print(f"reusing {name} (ids from {app_dir / 'ids.json'})", flush=True)
        else:
            upgrade(url)
            print(f"filling {name} with {args.cases:,} cases ...", flush=True)
            ids = seed(url, args.cases)
            print(f"  cases written in {ids['load_seconds']:.1f} s", flush=True)
        app_dir.mkdir(parents=True, exist_ok=True)
        if args.keep:
            (app_dir / "ids.json").write_text(json.dumps(ids))
        print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
        (app_dir / "bench_app.py").write_text(SERVER_APP)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # The cases API holds a connection only inside a request thread, so the pool is the thread count.
        env = dict(os.environ, EQUIPOISE_DATABASE_URL=url, BENCH_THREADS=str(args.threads),
                   EQUIPOISE_DB_POOL_SIZE=str(args.threads), EQUIPOISE_DB_MAX_OVERFLOW="0",
                   PYTHONPATH=os.pathsep.join(filter(None, (str(app_dir), str(Path(__file__).resolve().parents[1]
                                                                                          / "src"),
                                                            os.environ.get("PYTHONPATH")))))
        server_log = (app_dir / "server.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench_app:build", "--factory", "--host",
                                 "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
                                 "--log-level", "warning", "--no-access-log", "--http", args.http],
                                env=env, stdout=server_log, stderr=server_log, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        # warm up connections, caches and the query plans
        asyncio.run(open_loop(base, "create", ids, 20, 2))
        asyncio.run(open_loop(base, "list", ids, 20, 2))
        results = {}
        per_run: dict[str, list[dict]] = {}
        meter = CpuMeter(proc.pid, admin_dsn, name)
        for run in range(args.runs):
            for kind in phases:
                before = meter.sample()
                r = asyncio.run(open_loop(base, kind, ids, args.rate, args.seconds))
                r.update(meter.per_request(before, meter.sample(), r["n"]))
                per_run.setdefault(f"{kind} @ {args.rate:g}/s", []).append(r)
                print(f"  run {run + 1} {kind:<8} p50 {r['p50']:7.1f}  p99 {r['p99']:7.1f}  errors {r['errors']}  "
                      f"CPU ms/request: app {r['app_cpu']:5.2f}  db {r['pg_cpu']:5.2f}", flush=True)
        for label, runs in per_run.items():
            results[label] = {k: (statistics.median(r[k] for r in runs) if k != "errors"
                                  else sum(r[k] for r in runs)) for k in runs[0]}
        for kind in () if args.no_max else ("create", "list"):
            before = meter.sample()
            r = asyncio.run(closed_loop(base, kind, ids, 8, args.seconds / 2))
            r.update(meter.per_request(before, meter.sample(), r["n"]))
            results[f"{kind} max (8 clients)"] = r
        load_after = Path("/proc/loadavg").read_text().split()[:3]
        ref = in_process_reference(url, ids, repeats=50)
    finally:
        if proc is not None:  # uvicorn and its workers form their own process group
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # workers stuck in a request do not outlive the run
            except ProcessLookupError:
                pass
            proc.wait()
        if not keep:
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    errors = sum(r["errors"] for r in results.values())
    if errors:
        print(f"{errors} requests failed; the server log is {app_dir / 'server.log'}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"\nPostgreSQL, {args.cases:,} cases; uvicorn {args.workers} worker(s) x {args.threads} threads on "
          f"127.0.0.1; latency in ms; open-loop rows are the median of {args.runs} runs (errors: the sum)")
    print("CPU ms/request: of the uvicorn processes (app) and of the PostgreSQL backends of the database (db)")
    print(f"{'phase':<26}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50':>9}{'p99':>9}{'max':>9}{'app CPU':>9}"
          f"{'db CPU':>8}")
    for label, r in results.items():
        print(f"{label:<26}{r['n']:>9}{r['errors']:>8}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
              f"{r['max']:>9.1f}{r['app_cpu']:>9.2f}{r['pg_cpu']:>8.2f}")
    print("\nreference: the same service calls in-process, no HTTP (median of 50)")
    for kind in ("create", "list"):
        row = results.get(f"{kind} @ {args.rate:g}/s")
        if row is not None:
            print(f"  {kind:<7} {ref[kind]:7.2f} ms in-process   HTTP p50 / in-process = {row['p50'] / ref[kind]:.2f}")
    for kind in ("create", "list", "mixed"):
        row = results.get(f"{kind} @ {args.rate:g}/s")
        if row is not None:
            verdict = "meets" if row["p99"] < 100 else "misses"
            print(f"target p99 < 100 ms at {args.rate:g}/s: {kind} {verdict} it (p99 {row['p99']:.1f} ms)")
    print(f"load average after the HTTP phases: {load_after} (2 cores, shared)")
    print(f"peak RSS of the largest server process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
