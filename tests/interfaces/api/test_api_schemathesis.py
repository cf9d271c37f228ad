"""Property-based contract run of every other API router: generated requests never get a 5xx.

The auth, users, audit and cases routers have their own run (test_cases_schemathesis.py). This one
covers analytics, overview, balance and scenarios, complaints, commitments, surveys, knowledge,
outreach, webhooks and imports, signed in as an admin on a small demo company (a few hundred
customers, two months) plus a few rows of every helpdesk table, so generated ids often hit real
rows. The analytics and optimiser endpoints are slow, so they get fewer examples. Email goes to an SMTP sink on
127.0.0.1 started here.

``POST /api/webhooks/run`` is in the run too: it posts to whatever endpoint URLs the run has
registered (generated hosts), so the app's delivery client is replaced by one that reaches only the
receiver started here on 127.0.0.1 (seeded as an endpoint with a pending delivery) and fails any
other address as a refused connection would: no traffic leaves the machine or reaches another
local service.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from equipoise.config import Settings
from equipoise.core.commitments.schemas import CommitmentCreate
from equipoise.core.commitments.service import create_commitment
from equipoise.core.complaints.schemas import ComplaintCreate
from equipoise.core.complaints.service import flag_complaint
from equipoise.core.knowledge import semantic
from equipoise.core.knowledge.samples import SAMPLE_ARTICLES
from equipoise.core.knowledge.schemas import ArticleCreate
from equipoise.core.knowledge.service import create_article
from equipoise.core.webhooks.schemas import EndpointCreate
from equipoise.core.webhooks.service import create_endpoint, emit_case_event
from equipoise.db.engine import make_engine, session_scope
from equipoise.demo.build import DemoSpec
from equipoise.demo.service import build_demo
from equipoise.interfaces.api.routers import webhooks
from equipoise.interfaces.app import create_app
from equipoise.models import Case
from tests.core.auth.factories import make_token, make_user
from tests.core.outreach.smtp_server import smtp_server
from tests.core.webhooks.receiver import Receiver, http_receiver
from tests.dbutil import fresh_sqlite

ANALYTICS = r"^/api/analytics"
OPTIMISER = r"^/api/(balance|scenarios)"
FAST = r"^/api/(overview|complaints|commitments|surveys|knowledge|outreach|webhooks|imports)"
#: Seconds a generated request may take: the analytics and optimiser endpoints compute over the whole
#: dataset, and a loaded 2-core machine stretches that well past schemathesis's 10 s default.
TIMEOUT = 120
NOW = dt.datetime(2026, 3, 20, 10, 0)
SECRET = "contract-secret-0123456789abcdef"

# The schema is read from the app at import; the database is attached by the fixture below.
APP = create_app(Settings(database_url="sqlite://"))
_all = schemathesis.openapi.from_asgi("/openapi.json", APP)
fast_schema = _all.include(path_regex=FAST)
analytics_schema = _all.include(path_regex=ANALYTICS)
optimiser_schema = _all.include(path_regex=OPTIMISER)

CHECKS = [not_a_server_error]
SUPPRESS = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]


class ReceiverOnly(httpx.BaseTransport):
    """Delivers to the given local receivers only; any other address fails as a refused connection."""

    def __init__(self, *receivers: Receiver) -> None:
        self.receivers = receivers
        self.allowed = {httpx.URL(r.url).netloc for r in receivers}
        self.inner = httpx.HTTPTransport()
        self.refused: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.netloc not in self.allowed:
            self.refused.append(str(request.url))
            raise httpx.ConnectError("refused by the test: not a local receiver", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _seed_helpdesk(url: str, receiver: Receiver) -> str:
    """A few complaints, commitments and articles on demo cases, a webhook endpoint on the local
    receiver with a pending delivery, and an admin's API token."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        token = make_token(s, make_user(s, "contract-admin@example.com", "admin"))
        create_endpoint(s, EndpointCreate(url=receiver.url, event_types=["case.*"]), NOW)
        cases = s.query(Case).order_by(Case.id).limit(3).all()
        emit_case_event(s, cases[0], "case.updated", NOW)
        for case in cases:
            complaint = ComplaintCreate(case_id=case.id, description="Engineer missed the visit", severity=3)
            flag_complaint(s, complaint, NOW)
            create_commitment(
                s,
                CommitmentCreate(case_id=case.id, promise="Call back with the engineer's report",
                                 due_at=NOW + dt.timedelta(days=1)),
                NOW,
            )
        for title, body in SAMPLE_ARTICLES[:6]:
            create_article(s, ArticleCreate(title=title, body=body, status="published"), NOW)
    engine.dispose()
    return token


@pytest.fixture(scope="module")
def receiver():
    with http_receiver() as rx:
        yield rx


@pytest.fixture(scope="module")
def transport(receiver):
    return ReceiverOnly(receiver)


@pytest.fixture(scope="module")
def admin_headers(tmp_path_factory, transport):
    receiver = next(iter(transport.receivers))
    APP.dependency_overrides[webhooks.delivery_client] = lambda: httpx.Client(transport=transport)
    with smtp_server() as (_inbox, port), fresh_sqlite(tmp_path_factory.mktemp("contract-all")) as url:
        engine = make_engine(url)
        build_demo(engine, DemoSpec(customers=300, months=2, seed=5))
        engine.dispose()
        token = _seed_helpdesk(url, receiver)
        APP.state.settings = Settings(
            database_url=url, secret_key=SECRET, smtp_host="127.0.0.1", smtp_port=port,
            public_url="http://127.0.0.1:8000",
        )
        if semantic.extra_installed():
            semantic.embedder().encode(["load the model before the first request"])
        yield {"Authorization": f"Bearer {token}"}
    APP.dependency_overrides.pop(webhooks.delivery_client, None)


@fast_schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=SUPPRESS)
def test_no_server_errors(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=CHECKS, timeout=TIMEOUT)


@analytics_schema.parametrize()
@settings(max_examples=2, deadline=None, derandomize=True, suppress_health_check=SUPPRESS)
def test_no_server_errors_analytics(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=CHECKS, timeout=TIMEOUT)


@optimiser_schema.parametrize()
@settings(max_examples=1, deadline=None, derandomize=True, suppress_health_check=SUPPRESS)
def test_no_server_errors_balance_and_scenarios(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=CHECKS, timeout=TIMEOUT)


TOO_BIG = 2**63  # one past the largest BIGINT


@pytest.mark.parametrize(
    ("method", "path", "json", "field"),
    [
        ("GET", f"/api/complaints/{TOO_BIG}", None, "complaint_id"),
        ("PATCH", f"/api/commitments/{TOO_BIG}", {}, "commitment_id"),
        ("GET", f"/api/knowledge/articles/{TOO_BIG}/versions", None, "article_id"),
        ("GET", f"/api/knowledge/suggestions?case_id={TOO_BIG}", None, "case_id"),
        ("GET", f"/api/outreach/reminders?offset={TOO_BIG}", None, "offset"),
        ("POST", f"/api/webhooks/deliveries/{TOO_BIG}/redeliver", None, "delivery_id"),
        ("GET", f"/api/imports/{TOO_BIG}/rejects", None, "import_id"),
        ("GET", f"/api/surveys/cases/{TOO_BIG}/links", None, "case_id"),
        ("POST", "/api/complaints", {"case_id": TOO_BIG, "severity": 1}, "case_id"),
        ("POST", "/api/knowledge/articles", {"title": "t", "body": "b", "reason_id": TOO_BIG}, "reason_id"),
        ("POST", "/api/scenarios/x/run?seed=-1", None, "seed"),
    ],
)
def test_out_of_range_numbers_are_422_naming_the_field(admin_headers, method, path, json, field):
    """Found by the run above: ids past 2**63 - 1 reached the database and failed there (500)."""
    with TestClient(APP) as client:
        r = client.request(method, path, json=json, headers=admin_headers)
    assert r.status_code == 422, r.text
    assert [e["loc"][-1] for e in r.json()["detail"]] == [field]


def test_complaint_resurveys_use_the_app_secret(admin_headers, monkeypatch):
    """Found by the run above: the re-survey endpoint read the secret from the environment, not the app."""
    monkeypatch.delenv("EQUIPOISE_SECRET_KEY", raising=False)
    with TestClient(APP) as client:
        r = client.post("/api/complaints/resurveys/send", headers=admin_headers)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"issued"} and r.json()["issued"] >= 0


def test_webhook_run_reaches_only_the_local_receiver(admin_headers, receiver, transport):
    """The run above may call ``POST /api/webhooks/run`` with generated endpoints registered: the
    seeded delivery reaches the receiver on 127.0.0.1 and an endpoint elsewhere is never contacted."""
    with TestClient(APP) as client:
        created = client.post("/api/webhooks/endpoints", headers=admin_headers,
                              json={"url": "https://hooks.example.invalid/in", "event_types": ["case.*"]})
        assert created.status_code == 201, created.text
        engine = make_engine(APP.state.settings.database_url)
        with session_scope(engine) as s:  # an event for both endpoints
            emit_case_event(s, s.query(Case).order_by(Case.id).first(), "case.updated", NOW)
        engine.dispose()
        before = len(receiver.requests)
        r = client.post("/api/webhooks/run", headers=admin_headers)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"delivered", "retried", "dead"}
    assert len(receiver.requests) > before and all(req.path == "/hook" for req in receiver.requests[before:])
    assert "https://hooks.example.invalid/in" in transport.refused
