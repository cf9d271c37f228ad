"""Webhook delivery over real HTTP to a receiver on 127.0.0.1: signature, retries, log."""

from __future__ import annotations

import datetime as dt
import json
import socket

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from equipoise.core.webhooks import service
from equipoise.core.webhooks.schemas import EndpointCreate, EndpointUpdate
from equipoise.core.webhooks.signing import sign, verify
from equipoise.models import Case, WebhookDelivery
from tests.core.complaints.factories import NOW
from tests.core.webhooks.receiver import http_receiver

SECRET = "s3cret-s3cret-s3cret"
TZ = "UTC"
EPOCH = int(NOW.replace(tzinfo=dt.UTC).timestamp())


def test_event_is_delivered_signed(db, world):
    with http_receiver() as rx, httpx.Client() as client:
        ep = service.create_endpoint(db, EndpointCreate(url=rx.url, event_types=["case.*"], secret=SECRET), NOW)
        service.create_endpoint(db, EndpointCreate(url=rx.url + "/other", event_types=["survey.answered"]), NOW)
        case = db.get(Case, world.case_id)
        event = service.emit_case_event(db, case, "case.resolved", NOW)
        run = service.deliver_webhooks(db, NOW, client, tz=TZ)
    assert (run.delivered, run.retried, run.dead) == (1, 0, 0)
    assert len(rx.requests) == 1  # the other endpoint does not subscribe
    req = rx.requests[0]
    assert req.path == "/hook"
    assert req.headers["X-Equipoise-Event"] == "case.resolved"
    assert int(req.headers["X-Equipoise-Timestamp"]) == EPOCH
    assert verify(SECRET, EPOCH, req.body, req.headers["X-Equipoise-Signature"], now_epoch=EPOCH)
    assert not verify("wrong-secret-wrong", EPOCH, req.body, req.headers["X-Equipoise-Signature"], now_epoch=EPOCH)
    doc = json.loads(req.body)
    assert doc["id"] == event.id and doc["type"] == "case.resolved"
    assert doc["data"]["case"]["id"] == world.case_id
    assert doc["data"]["case"]["status_category"] == "resolved"
    attempts = service.delivery_attempts(db, int(req.headers["X-Equipoise-Delivery"]))
    assert [(a.status_code, a.error) for a in attempts] == [(200, None)]
    assert ep.active


def test_failures_retry_with_backoff_and_log_every_try(db, world):
    with http_receiver() as rx, httpx.Client() as client:
        rx.script = [500, 503]
        service.create_endpoint(db, EndpointCreate(url=rx.url, secret=SECRET), NOW)
        service.emit(db, "case.created", {"case": {"id": 1}}, NOW)
        t = NOW
        first = service.deliver_webhooks(db, t, client, tz=TZ)
        delivery = db.query(WebhookDelivery).one()
        assert first.retried == 1 and delivery.next_attempt_at == t + dt.timedelta(seconds=30)
        assert service.deliver_webhooks(db, t + dt.timedelta(seconds=29), client, tz=TZ).retried == 0
        second = service.deliver_webhooks(db, t + dt.timedelta(seconds=30), client, tz=TZ)
        assert second.retried == 1 and delivery.next_attempt_at == t + dt.timedelta(seconds=90)
        third = service.deliver_webhooks(db, t + dt.timedelta(seconds=90), client, tz=TZ)
    assert third.delivered == 1 and delivery.status == "delivered" and delivery.attempts == 3
    log = service.delivery_attempts(db, delivery.id)
    assert [a.status_code for a in log] == [500, 503, 200]
    assert log[0].error.startswith("HTTP 500")
    # Each try is signed with its own timestamp.
    stamps = [int(r.headers["X-Equipoise-Timestamp"]) for r in rx.requests]
    assert stamps == [EPOCH, EPOCH + 30, EPOCH + 90]


def test_unreachable_endpoint_goes_dead_and_gone_deactivates(db, world):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    service.create_endpoint(db, EndpointCreate(url=f"http://127.0.0.1:{port}/x", secret=SECRET), NOW)
    service.emit(db, "case.created", {}, NOW)
    with httpx.Client() as client:
        t = NOW
        for _ in range(3):
            service.deliver_webhooks(db, t, client, max_attempts=3, tz=TZ, timeout_seconds=2)
            t += dt.timedelta(days=1)
        delivery = db.query(WebhookDelivery).one()
        assert (delivery.status, delivery.attempts) == ("dead", 3)
        assert all(a.status_code is None and "Connect" in a.error for a in service.delivery_attempts(db, delivery.id))
        with http_receiver() as rx:
            rx.script = [410]
            ep = service.create_endpoint(db, EndpointCreate(url=rx.url, secret=SECRET), NOW)
            service.emit(db, "case.closed", {}, t)
            run = service.deliver_webhooks(db, t, client, tz=TZ)
        assert run.dead == 1 and not ep.active
        again = service.redeliver(db, delivery.id, t)
        assert again.status == "pending" and again.attempts == 0


def test_inactive_endpoint_gets_nothing_and_inputs_are_validated(db, world):
    ep = service.create_endpoint(db, EndpointCreate(url="http://127.0.0.1:9/h"), NOW)
    assert len(ep.secret) >= 32
    service.update_endpoint(db, ep.id, EndpointUpdate(active=False))
    service.emit(db, "case.created", {}, NOW)
    assert service.list_deliveries(db) == []
    with pytest.raises(ValidationError) as err:
        EndpointCreate(url="ftp://x", event_types=["Case Created"])
    assert {e["loc"][0] for e in err.value.errors()} == {"url", "event_types"}
    with pytest.raises(ValueError, match="event_type"):
        service.emit_case_event(db, db.get(Case, world.case_id), "case.exploded", NOW)


def test_subscription_patterns():
    assert service.subscribes([], "case.created")
    assert service.subscribes(["*"], "anything")
    assert service.subscribes(["case.*"], "case.sla_breached")
    assert not service.subscribes(["case.*"], "casework.x")
    assert not service.subscribes(["case.created"], "case.closed")


@given(st.binary(max_size=200), st.integers(min_value=0, max_value=2**40), st.text(min_size=1, max_size=40))
def test_signature_round_trip(body, ts, secret):
    sig = sign(secret, ts, body)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert verify(secret, ts, body, sig, now_epoch=ts)
    assert not verify(secret, ts, body + b"x", sig, now_epoch=ts)
    assert not verify(secret, ts, body, sig, now_epoch=ts + 301)
