"""20 parallel HTTP clients update the same cases on PostgreSQL through uvicorn: no update is lost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from equipoise.db.engine import make_engine, session_scope
from tests.core.auth.factories import build_app, make_token, make_user, seed_org
from tests.dbutil import fresh_postgres, postgres_base_url

CLIENTS = 20
CASES = 3


def app_from_env():
    """Factory for uvicorn: the app on the database named by EQUIPOISE_DATABASE_URL."""
    return build_app(os.environ["EQUIPOISE_DATABASE_URL"])


@pytest.fixture(scope="module")
def server():
    base = postgres_base_url()
    if base is None:
        pytest.skip("PostgreSQL not configured (set EQUIPOISE_TEST_DATABASE_URL)")
    with fresh_postgres(base) as url:
        engine = make_engine(url)
        with session_scope(engine) as s:
            org = seed_org(s)
            token = make_token(s, make_user(s, "lead@example.com", "lead", [org.team_a]))
        engine.dispose()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.interfaces.api.test_cases_concurrency:app_from_env",
             "--factory", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=dict(os.environ, EQUIPOISE_DATABASE_URL=url), cwd=os.getcwd())
        base_url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("uvicorn did not start")
            yield base_url, org, {"Authorization": f"Bearer {token}"}
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _add_tag(client: httpx.Client, case_id: int, tag: str) -> int:
    """Read, add ``tag``, write with the version read; retry on 409. Returns the conflicts met."""
    conflicts = 0
    while True:
        case = client.get(f"/api/cases/{case_id}").raise_for_status().json()
        r = client.patch(f"/api/cases/{case_id}", json={"version": case["version"], "tags": case["tags"] + [tag]})
        if r.status_code == 200:
            return conflicts
        assert r.status_code == 409, r.text
        conflicts += 1


@pytest.mark.postgres
def test_parallel_clients_lose_no_update(server):
    base_url, org, headers = server
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as c:
        ids = [c.post("/api/cases", json={"customer_id": org.low_customer, "reason_id": org.billing,
                                          "channel_id": org.email, "team_id": org.team_a})
               .raise_for_status().json()["id"] for _ in range(CASES)]

    def client_work(i: int) -> int:
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
            return sum(_add_tag(client, cid, f"client-{i:02d}") for cid in ids)

    with ThreadPoolExecutor(CLIENTS) as pool:
        conflicts = sum(pool.map(client_work, range(CLIENTS)))

    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as c:
        for cid in ids:
            case = c.get(f"/api/cases/{cid}").json()
            assert case["tags"] == sorted(f"client-{i:02d}" for i in range(CLIENTS))
            assert case["version"] == 1 + CLIENTS  # exactly one successful write per client
            history = c.get(f"/api/cases/{cid}/history").json()
            assert sum(e["action"] == "case.update" for e in history) == CLIENTS
    print(f"{conflicts} conflicts (409) were retried")
