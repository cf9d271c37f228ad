"""Browser fixtures: the real server (uvicorn subprocess) on a SQLite demo, and Debian's Chromium."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from equipoise.core.auth import repository as auth_repository
from equipoise.core.auth import service as auth_service
from equipoise.core.auth.schemas import UserCreate
from equipoise.db.engine import make_engine
from equipoise.demo.service import build_demo
from equipoise.interfaces.api.auth import SESSION_COOKIE
from tests.conftest import SMALL
from tests.dbutil import fresh_sqlite

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
#: Counts htmx requests in flight, so a test can wait for content a page loads after itself.
HTMX_TRACKER = """
window.__htmxPending = 0; window.__domReady = false;
document.addEventListener('DOMContentLoaded', () => setTimeout(() => { window.__domReady = true; }, 250));
document.addEventListener('htmx:beforeRequest', () => { window.__htmxPending += 1; });
document.addEventListener('htmx:afterRequest', () => { window.__htmxPending -= 1; });
"""
SETTLED = "() => window.__domReady && window.__htmxPending === 0"
#: Password of the users the web tests sign in as.
PASSWORD = "correct horse battery staple"
AT = dt.datetime(2026, 3, 1, 9, 0)
#: The live server's secret for signed survey links (the public survey page checks them with it).
SURVEY_SECRET = "browser-tests-survey-secret-0123456789"


def team_with_open_cases(url: str) -> int | None:
    """The team holding the most open cases in the database at ``url`` (the agent users' team)."""
    from equipoise.models.cases import Case

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.execute(
                select(Case.team_id).where(Case.status_category == "open", Case.team_id.is_not(None))
                .group_by(Case.team_id).order_by(func.count().desc(), Case.team_id)).scalars().first()
    finally:
        engine.dispose()


def ensure_user(url: str, role: str) -> str:
    """E-mail of a ``role`` user in the database at ``url`` (created on first use; agents and leads get
    the team with the most open cases)."""
    email = f"{role}@example.test"
    team = team_with_open_cases(url) if role in ("agent", "lead") else None
    teams = [team] if team is not None else []
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            if auth_repository.get_user_by_email(session, email) is None:
                auth_service.create_user(session, UserCreate(email=email, name=f"Test {role}", role=role,
                                                             password=PASSWORD, team_ids=teams),
                                         actor=None, now=AT)
                session.commit()
    finally:
        engine.dispose()
    return email


def sign_in(client, role: str = "manager") -> dict:
    """Sign a TestClient in as a ``role`` user (it keeps the session cookie); returns the session read."""
    email = ensure_user(client.app.state.settings.database_url, role)
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="session")
def sqlite_demo_url(tmp_path_factory) -> Iterator[str]:
    """A SQLite file holding the small demo company (built once per session)."""
    with fresh_sqlite(tmp_path_factory.mktemp("web-demo")) as url:
        engine = make_engine(url)
        build_demo(engine, SMALL)
        engine.dispose()
        yield url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(sqlite_demo_url) -> Iterator[str]:
    """Base URL of the real app served by ``equipoise serve`` in a subprocess on a free loopback port.

    ``serve`` starts loading the knowledge search's meaning model (the ``[semantic]`` extra) at start,
    as in production; served bare, the first case page would wait 20-30 s for it."""
    port = _free_port()
    env = dict(os.environ, EQUIPOISE_DATABASE_URL=sqlite_demo_url, EQUIPOISE_SECRET_KEY=SURVEY_SECRET)
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("equipoise")), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # importing the app and the model takes a while on a loaded machine
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                # Wait for the meaning model too: pages that suggest articles would otherwise wait for it.
                if health.status_code == 200 and health.json().get("search_by_meaning") != "loading":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (skipped when /usr/bin/chromium is absent)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page with every console error, page error, failed request and HTTP error recorded."""

    page: object
    problems: list[str] = field(default_factory=list)
    expected_status: set[int] = field(default_factory=set)


def _watch(page, watched: Watched) -> None:
    def console(message) -> None:
        expected = any(f"status of {code} " in message.text for code in watched.expected_status)
        if message.type == "error" and not expected:
            watched.problems.append(f"console error: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda e: watched.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: watched.problems.append(
        f"request failed: {r.method} {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and r.status not in watched.expected_status
            and watched.problems.append(f"HTTP {r.status}: {r.request.method} {r.url}"))


@pytest.fixture(scope="session")
def session_cookie(live_server, sqlite_demo_url):
    """``session_cookie(role)``: a session cookie of a ``role`` user of the live server (one per role)."""
    cookies: dict[str, str] = {}

    def get(role: str) -> str:
        if role not in cookies:
            email = ensure_user(sqlite_demo_url, role)
            r = httpx.post(f"{live_server}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
            assert r.status_code == 200, r.text
            cookies[role] = r.cookies[SESSION_COOKIE]
        return cookies[role]

    return get


@pytest.fixture
def open_page(chromium, live_server, session_cookie):
    """``open_page(size, role)``: a fresh browser context of that viewport signed in as ``role`` (None:
    signed out; default a manager), watched for problems."""
    contexts = []

    def make(size: str = "desktop", role: str | None = "manager") -> Watched:
        width, height = SIZES[size]
        ctx = chromium.new_context(viewport={"width": width, "height": height})
        if role is not None:
            ctx.add_cookies([{"name": SESSION_COOKIE, "value": session_cookie(role), "url": live_server}])
        contexts.append(ctx)
        page = ctx.new_page()
        page.add_init_script(HTMX_TRACKER)
        page.set_default_timeout(20_000)
        watched = Watched(page)
        _watch(page, watched)
        return watched

    yield make
    for ctx in contexts:
        ctx.close()


@dataclass(frozen=True)
class AgentWorld:
    """What the agent-view tests seed into the browser demo: ids of cases, articles and complaints."""

    url: str
    agent_team: int
    own_case: int
    other_case: int
    article: int
    draft: int
    own_complaint: int
    other_complaint: int
    commitment: int


@pytest.fixture(scope="session")
def agent_world(sqlite_demo_url) -> AgentWorld:
    """Seed the demo with a published and a draft article, a commitment and two complaints (one on the
    agent team's case, one on another team's) through the services."""
    from equipoise.core.commitments import service as commitments
    from equipoise.core.commitments.schemas import CommitmentCreate
    from equipoise.core.complaints import service as complaints
    from equipoise.core.complaints.schemas import ComplaintCreate
    from equipoise.core.knowledge import service as knowledge
    from equipoise.core.knowledge.schemas import ArticleCreate
    from equipoise.models.cases import Case

    team = team_with_open_cases(sqlite_demo_url)
    engine = make_engine(sqlite_demo_url)
    try:
        with Session(engine) as session:
            open_cases = session.scalars(select(Case).where(Case.status_category == "open")
                                         .order_by(Case.id)).all()
            own = next(c for c in open_cases if c.team_id == team)
            other = next(c for c in open_cases if c.team_id not in (team, None))
            article = knowledge.create_article(session, ArticleCreate(
                title=f"How to handle: {own.subject}", status="published", reason_id=own.reason_id,
                body=f"Steps for {own.subject.lower()}: check the account, explain the cause, confirm the fix."), AT)
            draft = knowledge.create_article(session, ArticleCreate(
                title="Unreleased refund policy", body="Draft refund wording.", status="draft"), AT)
            promise = commitments.create_commitment(session, CommitmentCreate(
                case_id=own.id, customer_id=own.customer_id, promise="Call back with the engineer's report",
                due_at=AT + dt.timedelta(days=2)), AT)
            mine = complaints.flag_complaint(session, ComplaintCreate(
                case_id=own.id, severity=3, category="delay", description="Waited too long"), AT)
            theirs = complaints.flag_complaint(session, ComplaintCreate(
                case_id=other.id, severity=1, category="quality", description="Other team's complaint"), AT)
            session.commit()
            return AgentWorld(sqlite_demo_url, team, own.id, other.id, article.id, draft.id, mine.id, theirs.id,
                              promise.id)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def manager_api(session_cookie):
    """``manager_api(url, **kw)``: ``httpx.get`` signed in as a manager (the API needs a principal)."""
    cookie = session_cookie("manager")

    def get(url: str, **kwargs) -> httpx.Response:
        return httpx.get(url, cookies={SESSION_COOKIE: cookie}, **kwargs)

    return get
