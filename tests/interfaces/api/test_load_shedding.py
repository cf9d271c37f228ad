"""The cases API under a burst: a connection is held only inside a request thread, so a pool as
small as the thread count never runs dry (no 500 from a pool timeout), and a request that would
queue behind too many others is answered 503 with Retry-After at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import anyio
import anyio.to_thread
import httpx
import pytest
from fastapi import HTTPException
from sqlalchemy import func, select, text
from starlette.requests import Request

from equipoise.config import Settings
from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.api.deps import unit_of_work
from equipoise.models.cases import Case
from tests.core.auth.factories import build_app, make_token, make_user, seed_org
from tests.dbutil import fresh_postgres, postgres_base_url

THREADS = 2


def app_with_few_threads():
    """Factory for uvicorn: the app with ``THREADS`` request threads (the pool is sized by the environment)."""
    app = build_app(os.environ["EQUIPOISE_DATABASE_URL"])

    @app.middleware("http")
    async def _few_threads(request, call_next):
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        return await call_next(request)

    return app


def test_a_request_behind_a_full_queue_is_shed_with_503(sqlite_url):
    app = build_app(sqlite_url)
    app.state.settings = Settings(database_url=sqlite_url, api_max_waiting=0)
    request = Request({"type": "http", "app": app, "method": "GET", "path": "/", "headers": []})

    async def main() -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = 1
        release = threading.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.to_thread.run_sync, release.wait)  # holds the only thread
            tg.start_soon(anyio.to_thread.run_sync, lambda: None)  # waits for it
            while limiter.statistics().tasks_waiting < 1:
                await anyio.sleep(0.01)
            with pytest.raises(HTTPException) as shed:
                await unit_of_work(request, lambda db: db.execute(text("SELECT 1")).scalar())
            release.set()
        assert shed.value.status_code == 503 and shed.value.headers == {"Retry-After": "1"}
        assert await unit_of_work(request, lambda db: db.execute(text("SELECT 1")).scalar()) == 1

    anyio.run(main)


@pytest.mark.postgres
def test_a_burst_never_exhausts_a_pool_the_size_of_the_threads():
    base = postgres_base_url()
    if base is None:
        pytest.skip("PostgreSQL not configured (set EQUIPOISE_TEST_DATABASE_URL)")
    with fresh_postgres(base) as url:
        engine = make_engine(url)
        with session_scope(engine) as s:
            org = seed_org(s)
            token = make_token(s, make_user(s, "lead@example.com", "lead", [org.team_a]))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = dict(os.environ, EQUIPOISE_DATABASE_URL=url, EQUIPOISE_DB_POOL_SIZE=str(THREADS),
                   EQUIPOISE_DB_MAX_OVERFLOW="0", EQUIPOISE_DB_POOL_TIMEOUT_SECONDS="2",
                   EQUIPOISE_API_MAX_WAITING="100000")
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", f"{__name__}:app_with_few_threads", "--factory",
                                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                env=env, cwd=os.getcwd())
        base_url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        body = {"customer_id": org.low_customer, "reason_id": org.billing, "channel_id": org.phone}
        try:
            for _ in range(300):
                if proc.poll() is not None:
                    raise RuntimeError(f"uvicorn exited with {proc.returncode}")
                try:
                    if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("uvicorn did not start")

            def one(k: int) -> int:
                with httpx.Client(base_url=base_url, timeout=60) as client:
                    if k % 2:
                        return client.get("/api/cases?limit=20", headers=headers).status_code
                    return client.post("/api/cases", json=body, headers=headers).status_code

            with ThreadPoolExecutor(max_workers=40) as pool:
                codes = list(pool.map(one, range(80)))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        assert sorted(set(codes)) == [200, 201], codes  # no 500 from a pool timeout, nothing shed
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(Case)) == 40
        engine.dispose()
