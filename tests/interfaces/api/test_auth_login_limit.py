"""Failed sign-in limits over real HTTP (uvicorn) on SQLite and PostgreSQL: the API login and the web
login form share the counts, which live in the database, so two server processes see each other's."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager

import httpx
import pytest
from sqlalchemy import select

from equipoise.core.auth import service
from equipoise.core.auth.secrets import digest
from equipoise.db.engine import make_engine, session_scope
from equipoise.models import AuditEntry
from tests.conftest import BACKENDS, _fresh
from tests.core.auth.factories import PASSWORD, build_app, make_user, seed_org


def app_from_env():
    """Factory for uvicorn: the app on the database named by EQUIPOISE_DATABASE_URL."""
    return build_app(os.environ["EQUIPOISE_DATABASE_URL"])


@contextmanager
def serve(url: str, **settings: str):
    """One uvicorn process serving the app on ``url`` with ``EQUIPOISE_<NAME>`` settings; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, EQUIPOISE_DATABASE_URL=url,
               **{f"EQUIPOISE_{k.upper()}": str(v) for k, v in settings.items()})
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", f"{__name__}:app_from_env", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env, cwd=os.getcwd())
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("uvicorn did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    with _fresh(request.param, tmp_path) as url:
        engine = make_engine(url)
        with session_scope(engine) as s:
            org = seed_org(s)
            for name in ("ann", "bob", "cat"):
                make_user(s, f"{name}@example.com", "agent", [org.team_a])
        yield url, engine
        engine.dispose()


def api_login(base: str, email: str, password: str) -> httpx.Response:
    return httpx.post(base + "/api/auth/login", json={"email": email, "password": password}, timeout=30)


def web_login(base: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        return client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"})


def audit(engine, action: str) -> list[AuditEntry]:
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_five_failures_through_two_processes_lock_the_account(db):
    url, engine = db
    with ExitStack() as stack:
        a, b = stack.enter_context(serve(url)), stack.enter_context(serve(url))
        for base in (a, a, a, b):
            assert api_login(base, "ann@example.com", "wrong password").status_code == 401
        assert api_login(b, "ann@example.com", PASSWORD).status_code == 200  # 4 failures: still allowed; resets
        for base in (a, b, a, b, a):
            assert api_login(base, "ann@example.com", "wrong password").status_code == 401
        for base in (a, b):  # the right password no longer helps, in either process
            locked = api_login(base, "ann@example.com", PASSWORD)
            assert locked.status_code == 429, locked.text
            assert 1 <= int(locked.headers["retry-after"]) <= 900
            assert "too many failed sign-ins" in locked.json()["detail"]
        assert api_login(a, "bob@example.com", PASSWORD).status_code == 200  # other accounts are not locked
    failed = audit(engine, service.FAILED)  # one entry for the account and one for the address per failure
    assert [e.entity for e in failed].count(service.ACCOUNT) == [e.entity for e in failed].count(service.ADDRESS) == 9
    lockouts = audit(engine, service.LOCKOUT)
    assert [(e.entity, e.entity_id, e.after["address"]) for e in lockouts] == [
        (service.ACCOUNT, digest("ann@example.com"), "127.0.0.1")]


def test_the_web_form_and_the_api_share_the_count(db):
    url, engine = db
    with serve(url) as base:
        for _ in range(3):
            page = web_login(base, "cat@example.com", "wrong password")
            assert page.status_code == 401 and "Wrong e-mail or password" in page.text
        for _ in range(2):
            assert api_login(base, "cat@example.com", "wrong password").status_code == 401
        page = web_login(base, "cat@example.com", PASSWORD)
        assert page.status_code == 429 and "too many failed sign-ins" in page.text
        assert 1 <= int(page.headers["retry-after"]) <= 900
        assert api_login(base, "cat@example.com", PASSWORD).status_code == 429
    assert len(audit(engine, service.LOCKOUT)) == 1


def test_an_address_guessing_at_many_accounts_is_locked(db):
    url, engine = db
    with serve(url, login_max_failures_per_address=3) as base:
        for k in range(3):
            assert api_login(base, f"guess{k}@example.com", "wrong password").status_code == 401
        r = api_login(base, "bob@example.com", PASSWORD)
        assert r.status_code == 429 and int(r.headers["retry-after"]) <= 900
        assert web_login(base, "bob@example.com", PASSWORD).status_code == 429
    assert [(e.entity, e.entity_id) for e in audit(engine, service.LOCKOUT)] == [(service.ADDRESS, "127.0.0.1")]
