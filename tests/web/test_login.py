"""Sign-in for the web pages: the login form and its CSRF token, redirects, sign-out, and what each role
may open (agents and leads see no cost pages; managers do)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from equipoise.config import Settings
from equipoise.interfaces.api.auth import SESSION_COOKIE
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.login import LOGIN_CSRF_COOKIE, safe_next
from equipoise.interfaces.web.templating import COST_PATHS, NAV
from tests.web.conftest import PASSWORD, ensure_user, sign_in

HX = {"HX-Request": "true"}
COST_PAGES = ("/budgets", "/costs", "/costs/diagnostics", "/balance")
STAFF_PAGES = ("/", "/cases", "/complaints", "/knowledge", "/scorecard", "/staffing", "/definitions")


@pytest.fixture
def app(sqlite_demo_url):
    return create_app(Settings(database_url=sqlite_demo_url))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client: TestClient, email: str, password: str, next_path: str = "/"):
    form = client.get("/login", params={"next": next_path})
    assert form.status_code == 200
    return client.post("/login", data={"email": email, "password": password, "csrf_token": _csrf(form.text),
                                       "next": next_path})


def test_signed_out_pages_redirect_to_login_and_fragments_answer_401(app):
    with TestClient(app, follow_redirects=False) as client:
        for path in (*STAFF_PAGES, *COST_PAGES):
            r = client.get(path, params={"x": "1"})
            assert r.status_code == 303, path
            assert r.headers["location"] == "/login?next=" + path.replace("/", "%2F") + "%3Fx%3D1"
        assert client.get("/cases", headers=HX).status_code == 401
        assert client.get("/scorecard/children", headers=HX).status_code == 401
        page = client.get("/login")
        assert page.status_code == 200 and 'action="/login"' in page.text
        assert 'aria-label="Main"' in page.text and '<li><a href="/cases"' not in page.text  # no navigation


def test_login_sets_the_session_and_returns_to_next(app, sqlite_demo_url):
    email = ensure_user(sqlite_demo_url, "manager")
    with TestClient(app, follow_redirects=False) as client:
        r = _login(client, email, PASSWORD, "/cases?status=all")
        assert r.status_code == 303 and r.headers["location"] == "/cases?status=all"
        assert client.cookies.get(SESSION_COOKIE)
        page = client.get("/cases", params={"status": "all"})
        assert page.status_code == 200 and "Test manager" in page.text and "(manager)" in page.text


def test_wrong_password_and_missing_csrf_are_refused(app, sqlite_demo_url):
    email = ensure_user(sqlite_demo_url, "manager")
    with TestClient(app, follow_redirects=False) as client:
        wrong = _login(client, email, "not the password at all")
        assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text
        assert SESSION_COOKIE not in client.cookies
        unknown = _login(client, "nobody@example.test", PASSWORD)
        assert unknown.status_code == 401 and "Wrong e-mail or password" in unknown.text
        client.get("/login")
        forged = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": "forged"})
        assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies
    with TestClient(app, follow_redirects=False) as fresh:  # no login cookie: a cross-site post
        blind = fresh.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": "x"})
        assert blind.status_code == 403 and SESSION_COOKIE not in fresh.cookies
        assert LOGIN_CSRF_COOKIE in blind.cookies


@pytest.mark.parametrize("target, expected", [
    ("/cases?status=all", "/cases?status=all"), ("//evil.example/x", "/"), ("https://evil.example", "/"),
    ("/\\evil.example", "/"), ("", "/"), (None, "/"), ("/login?next=/x", "/"), ("cases", "/")])
def test_next_stays_on_this_site(target, expected):
    assert safe_next(target) == expected


def test_logout_needs_the_csrf_token_and_ends_the_session(app, sqlite_demo_url):
    email = ensure_user(sqlite_demo_url, "lead")
    with TestClient(app, follow_redirects=False) as client:
        assert _login(client, email, PASSWORD).status_code == 303
        page = client.get("/cases").text
        token = _csrf(page)  # the sign-out form in the header
        assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
        assert client.get("/cases").status_code == 200
        cookie = client.cookies.get(SESSION_COOKIE)
        out = client.post("/logout", data={"csrf_token": token})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        client.cookies.set(SESSION_COOKIE, cookie)  # the old cookie no longer opens a page
        assert client.get("/cases").status_code == 303


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_agents_and_leads_see_no_cost_pages(app, role):
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, role)
        for path in STAFF_PAGES:
            page = client.get(path)
            assert page.status_code == 200, path
            for cost in COST_PATHS:
                assert f'href="{cost}"' not in page.text, (path, cost)
        for path in COST_PAGES:
            assert client.get(path).status_code == 403, path
        assert client.get("/budgets", headers=HX).status_code == 403


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_every_page(app, role):
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, role)
        page = client.get("/").text
        for label, path in NAV:
            assert f'href="{path}"' in page and label in page
        for path in ("/budgets", "/costs", "/balance"):
            assert client.get(path).status_code == 200, path


def test_bearer_tokens_open_pages_too(app):
    with TestClient(app, follow_redirects=False) as client:
        session = sign_in(client, "manager")
        created = client.post("/api/auth/tokens", json={"name": "web check"},
                              headers={"X-CSRF-Token": session["csrf_token"]})
        assert created.status_code == 201, created.text
        token = created.json()["token"]
    with TestClient(app, follow_redirects=False) as bare:
        assert bare.get("/budgets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert bare.get("/budgets", headers={"Authorization": "Bearer eqp_wrong"}).status_code == 401


def test_overview_shows_costs_to_managers_only(app):
    with TestClient(app, follow_redirects=False) as agent, TestClient(app, follow_redirects=False) as manager:
        sign_in(agent, "agent")
        sign_in(manager, "manager")
        plain, full = agent.get("/").text, manager.get("/").text
        for marker in ('id="total-cost"', 'id="total-cost-per-contact"', "Cost per customer (", "chart-by-tier"):
            assert marker in full and marker not in plain, marker
        assert 'id="total-contacts"' in plain and 'id="total-csat"' in plain and 'data-tier="top"' in plain
