"""``equipoise worker run-once`` against a real SMTP server (aiosmtpd) and a real HTTP receiver."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from typer.testing import CliRunner

from equipoise.core.complaints import service as complaints
from equipoise.core.complaints.schemas import ComplaintCreate, ComplaintTransition, ComplaintUpdate
from equipoise.core.outreach import service as outreach
from equipoise.core.outreach.schemas import ReminderCreate
from equipoise.core.webhooks.schemas import EndpointCreate
from equipoise.core.webhooks.service import create_endpoint
from equipoise.core.webhooks.signing import verify
from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.cli.worker import app
from equipoise.models import Customer, OutboxMessage
from equipoise.models.knowledge import KbEvent
from equipoise.models.webhooks import WebhookDelivery
from tests.core.complaints.factories import NOW, add_case, build_world
from tests.core.outreach.smtp_server import smtp_server
from tests.core.webhooks.receiver import http_receiver

DAY = dt.timedelta(days=1)
RUN_AT = NOW + 12 * DAY
HOOK_SECRET = "hook-secret-0123456789abcdef"


def _seed(url: str, hook_url: str) -> dict:
    engine = make_engine(url)
    with session_scope(engine) as s:
        world = build_world(s)
        create_endpoint(s, EndpointCreate(url=hook_url, event_types=["case.*"], secret=HOOK_SECRET), NOW)
        outreach.create_reminder(s, ReminderCreate(recipient="ops@acme.test", subject="Service due", body="Due.",
                                                   next_due_at=NOW + DAY), NOW)
        complaint = complaints.flag_complaint(s, ComplaintCreate(case_id=world.case_id, severity=2,
                                                                 notify_email="boss@acme.test"), NOW)
        complaints.update_complaint(s, complaint.id, ComplaintUpdate(root_cause="r", corrective_action="a"))
        for status, at in (("investigating", NOW), ("resolved", NOW + DAY), ("closed", NOW + 2 * DAY)):
            complaints.transition(s, complaint.id, ComplaintTransition(status=status), at)  # re-survey due day 9
        lost_case = add_case(s, world, customer_id=world.other_customer_id)
        lost = complaints.flag_complaint(s, ComplaintCreate(case_id=lost_case.id, severity=1), NOW)
        complaints.update_complaint(s, lost.id, ComplaintUpdate(root_cause="r", corrective_action="a"))  # no address
        for status in ("resolved", "closed"):
            complaints.transition(s, lost.id, ComplaintTransition(status=status), NOW + DAY)
        s.get(Customer, world.other_customer_id).churned_on = (NOW + 5 * DAY).date()
        s.add_all([KbEvent(kind="search", query="boiler", customer_id=world.customer_id, occurred_at=NOW + DAY),
                   KbEvent(kind="search", query="boiler", customer_id=world.customer_id, occurred_at=RUN_AT)])
    engine.dispose()
    return {"complaint": complaint.id, "lost": lost.id}


def _env(url: str, smtp_port: int | None) -> dict[str, str]:
    env = {"EQUIPOISE_DATABASE_URL": url, "EQUIPOISE_SECRET_KEY": "worker-test-secret-0123456789",
           "EQUIPOISE_PUBLIC_URL": "https://help.example.test", "EQUIPOISE_TIMEZONE": "Europe/London"}
    if smtp_port is not None:
        env |= {"EQUIPOISE_SMTP_HOST": "127.0.0.1", "EQUIPOISE_SMTP_PORT": str(smtp_port),
                "EQUIPOISE_SMTP_FROM": "service@equipoise.test"}
    return env


def test_run_once_sends_email_and_webhooks(database_url):
    with http_receiver() as receiver, smtp_server() as (inbox, port):
        _seed(database_url, receiver.url)
        result = CliRunner().invoke(app, ["run-once", "--json", "--at", RUN_AT.isoformat()],
                                    env=_env(database_url, port))
        assert result.exit_code == 0, result.output
        run = json.loads(result.stdout)
        counts = {job["job"]: job["counts"] for job in run["jobs"]}
        assert run["ok"] and [job["at"] for job in run["jobs"]] == [RUN_AT.isoformat()] * 6
        assert counts == {"reminders": {"queued": 1}, "resurveys": {"issued": 2},
                          "churned_complaints": {"marked": 1}, "deflections": {"decided": 1},
                          "outbox": {"sent": 2, "retried": 0, "dead": 0},
                          "webhooks": {"delivered": 4, "retried": 0, "dead": 0}}
        assert sorted(m["To"] for m in inbox.messages) == ["boss@acme.test", "ops@acme.test"]
        survey_mail = next(m for m in inbox.messages if m["To"] == "boss@acme.test")
        assert "https://help.example.test/survey/" in survey_mail.get_payload()
        assert all(m["From"] == "service@equipoise.test" for m in inbox.messages)
        # flagged x2 and closed x2 complaint events, each signed with the endpoint's secret
        assert len(receiver.requests) == 4
        for req in receiver.requests:
            stamp = int(req.headers["X-Equipoise-Timestamp"])
            assert verify(HOOK_SECRET, stamp, req.body, req.headers["X-Equipoise-Signature"], now_epoch=stamp)

        again = CliRunner().invoke(app, ["run-once", "--json", "--at", RUN_AT.isoformat()],
                                   env=_env(database_url, port))
        assert again.exit_code == 0 and all(
            not any(job["counts"].values()) for job in json.loads(again.stdout)["jobs"])
        assert len(inbox.messages) == 2 and len(receiver.requests) == 4


def test_run_once_without_email_still_runs_the_other_jobs(database_url):
    with http_receiver() as receiver:
        receiver.script = [500] * 10
        _seed(database_url, receiver.url)
        result = CliRunner().invoke(app, ["run-once", "--json", "--at", RUN_AT.isoformat()],
                                    env=_env(database_url, None))
        assert result.exit_code == 0, result.output
        jobs = {job["job"]: job for job in json.loads(result.stdout)["jobs"]}
        assert jobs["outbox"]["counts"] == {} and "2 messages wait" in jobs["outbox"]["note"]
        assert jobs["webhooks"]["counts"] == {"delivered": 0, "retried": 4, "dead": 0}
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        assert len(s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()) == 2
        assert {d.status for d in s.scalars(select(WebhookDelivery))} == {"pending"}
    engine.dispose()


def test_a_failing_job_is_reported_and_the_exit_code_is_one(database_url):
    with http_receiver() as receiver:
        _seed(database_url, receiver.url)
        env = _env(database_url, None) | {"EQUIPOISE_SECRET_KEY": "short"}
        result = CliRunner().invoke(app, ["run-once", "--at", RUN_AT.isoformat()], env=env)
    assert result.exit_code == 1
    assert "EQUIPOISE_SECRET_KEY" in result.output and "resurveys" in result.output


def test_run_loop_stops_after_max_runs(database_url):
    with http_receiver() as receiver:
        _seed(database_url, receiver.url)
        result = CliRunner().invoke(app, ["run", "--interval-seconds", "1", "--max-runs", "2", "--json"],
                                    env=_env(database_url, None))
    assert result.exit_code == 0, result.output
    assert result.stdout.count('"jobs"') == 2


def test_an_impossible_smtp_configuration_is_a_clear_error(database_url):
    env = _env(database_url, 2525) | {"EQUIPOISE_SMTP_SSL": "1", "EQUIPOISE_SMTP_STARTTLS": "1"}
    result = CliRunner().invoke(app, ["run-once", "--at", RUN_AT.isoformat()], env=env)
    assert result.exit_code == 1 and "choose one" in result.output
