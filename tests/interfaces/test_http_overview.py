"""The real app over real HTTP (uvicorn in a subprocess) shows numbers read from the database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import text

from equipoise.db.engine import make_engine
from tests.web.conftest import PASSWORD, ensure_user


@pytest.fixture(scope="module")
def server(demo_url):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, EQUIPOISE_DATABASE_URL=demo_url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "equipoise.interfaces.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield base, demo_url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _sql_truth(url):
    engine = make_engine(url)
    with engine.connect() as conn:
        contacts, cost = conn.execute(text("SELECT COUNT(*), SUM(cost) FROM contacts")).one()
        happy, responses = conn.execute(text(
            "SELECT SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END), COUNT(*) FROM survey_responses")).one()
        phone = conn.execute(text(
            "SELECT COUNT(*) FROM contacts c JOIN channels ch ON ch.id = c.channel_id WHERE ch.code = 'phone'"
        )).scalar_one()
        top = conn.execute(text("SELECT COUNT(*) FROM customers WHERE tier = 'top'")).scalar_one()
    engine.dispose()
    return contacts, float(cost), 100.0 * happy / responses, phone, top


def test_api_overview_equals_sql(server):
    base, url = server
    contacts, cost, csat, phone, top = _sql_truth(url)
    assert httpx.get(f"{base}/api/overview", timeout=30).status_code == 401
    login = httpx.post(f"{base}/api/auth/login", json={"email": ensure_user(url, "manager"), "password": PASSWORD},
                       timeout=30)
    body = httpx.get(f"{base}/api/overview", cookies=login.cookies, timeout=30).json()
    assert body["totals"]["contacts"] == contacts
    assert body["totals"]["cost"] == pytest.approx(cost, abs=0.01)
    assert body["totals"]["csat_pct"] == pytest.approx(csat, abs=0.05)
    assert {r["code"]: r["contacts"] for r in body["by_channel"]}["phone"] == phone
    assert {r["tier"]: r["customers"] for r in body["by_tier"]}["top"] == top
    assert set(body["definitions"]) >= {"cost", "csat_pct", "cost_per_contact"}


def test_overview_page_shows_database_numbers(server):
    base, url = server
    contacts, *_ = _sql_truth(url)
    assert httpx.get(f"{base}/", timeout=30).status_code == 303  # signed out: to the login form
    login = httpx.post(f"{base}/api/auth/login", json={"email": ensure_user(url, "manager"), "password": PASSWORD},
                       timeout=30)
    assert login.status_code == 200, login.text
    page = httpx.get(f"{base}/", cookies=login.cookies, timeout=30)
    assert page.status_code == 200
    assert f'id="total-contacts">{contacts:,}<' in page.text
    assert 'data-channel="chat"' in page.text and 'data-tier="top"' in page.text
    for asset in ("/assets/plotly.min.js", "/static/app.css"):
        assert httpx.get(base + asset, timeout=30).status_code == 200
