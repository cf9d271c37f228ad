"""Reminders → outbox → SMTP, against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from equipoise.config import Settings
from equipoise.core.outreach import service
from equipoise.core.outreach.schemas import ReminderCreate, ReminderUpdate
from equipoise.core.outreach.sender import (
    SmtpConfig,
    SmtpSender,
    smtp_config_from_env,
    smtp_config_from_settings,
)
from equipoise.kit.errors import ConfigurationError, InvalidInput
from equipoise.models import OutboxMessage
from tests.core.complaints.factories import NOW
from tests.core.outreach.smtp_server import free_port, smtp_server

DAY = dt.timedelta(days=1)


def _reminder(db, world, **over):
    data = dict(
        customer_id=world.customer_id,
        kind="maintenance",
        recipient="ops@acme.test",
        subject="Boiler service due",
        body="Your yearly boiler service is due.",
        next_due_at=NOW,
        repeat_days=None,
    )
    data.update(over)
    return service.create_reminder(db, ReminderCreate(**data), NOW - DAY)


def test_due_reminder_is_sent_once_over_smtp(db, world):
    _reminder(db, world)
    _reminder(db, world, next_due_at=NOW + DAY, recipient="later@acme.test")
    assert service.enqueue_due_reminders(db, NOW) == 1
    assert service.enqueue_due_reminders(db, NOW) == 0  # not queued twice
    with smtp_server() as (inbox, port):
        sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=port, sender="care@equipoise.test"))
        run = service.process_outbox(db, NOW, sender)
        again = service.process_outbox(db, NOW, sender)
    db.commit()
    assert (run.sent, run.retried, run.dead) == (1, 0, 0)
    assert again.sent == 0
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "ops@acme.test"
    assert msg["From"] == "care@equipoise.test"
    assert msg["Subject"] == "Boiler service due"
    assert "yearly boiler service" in msg.get_payload()
    assert msg["X-Equipoise-Key"].startswith("reminder:")
    assert service.outbox_counts(db) == {"pending": 0, "sent": 1, "dead": 0}


def test_repeating_reminder_skips_missed_periods(db, world):
    reminder = _reminder(db, world, next_due_at=NOW - 10 * DAY, repeat_days=3)
    assert service.enqueue_due_reminders(db, NOW) == 1
    # due -10, -7, -4, -1 were missed: one message, next occurrence is +2 days.
    assert reminder.next_due_at == NOW + 2 * DAY
    assert reminder.active
    assert service.enqueue_due_reminders(db, NOW + 2 * DAY) == 1
    assert reminder.next_due_at == NOW + 5 * DAY
    one_off = _reminder(db, world, next_due_at=NOW)
    service.enqueue_due_reminders(db, NOW)
    assert not one_off.active


def test_temporary_failure_backs_off_then_succeeds(db, world):
    service.enqueue_email(db, dedupe_key="k1", recipient="busy@acme.test", subject="s", body="b", now=NOW)
    with smtp_server() as (inbox, port):
        inbox.refuse["busy@acme.test"] = "451 4.3.0 mailbox busy"
        sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=port))
        first = service.process_outbox(db, NOW, sender)
        msg = db.query(OutboxMessage).one()
        assert (first.retried, msg.attempts, msg.status) == (1, 1, "pending")
        assert msg.next_attempt_at == NOW + dt.timedelta(seconds=60)
        assert "451" in msg.last_error
        # Not due yet: nothing happens.
        assert service.process_outbox(db, NOW + dt.timedelta(seconds=59), sender).retried == 0
        service.process_outbox(db, NOW + dt.timedelta(seconds=60), sender)
        assert msg.next_attempt_at == NOW + dt.timedelta(seconds=180)  # 60 s then 120 s
        del inbox.refuse["busy@acme.test"]
        done = service.process_outbox(db, NOW + dt.timedelta(seconds=180), sender)
    assert done.sent == 1 and msg.status == "sent" and msg.attempts == 3
    assert len(inbox.messages) == 1


def test_permanent_refusal_and_exhausted_retries_go_dead(db, world):
    service.enqueue_email(db, dedupe_key="a", recipient="nobody@acme.test", subject="s", body="b", now=NOW)
    service.enqueue_email(db, dedupe_key="b", recipient="ok@acme.test", subject="s", body="b", now=NOW)
    with smtp_server() as (inbox, port):
        inbox.refuse["nobody@acme.test"] = "550 5.1.1 no such user"
        run = service.process_outbox(db, NOW, SmtpSender(SmtpConfig(host="127.0.0.1", port=port)))
    assert (run.sent, run.dead) == (1, 1)
    # A server that is down: connection refused is retryable until the attempts run out.
    service.enqueue_email(db, dedupe_key="c", recipient="x@acme.test", subject="s", body="b", now=NOW)
    down = SmtpSender(SmtpConfig(host="127.0.0.1", port=free_port(), timeout_seconds=2))
    t = NOW
    for _ in range(3):
        service.process_outbox(db, t, down, max_attempts=3)
        t += dt.timedelta(hours=7)
    msg = db.query(OutboxMessage).filter_by(dedupe_key="c").one()
    assert (msg.status, msg.attempts) == ("dead", 3)
    retried = service.retry_message(db, msg.id, t)
    assert (retried.status, retried.attempts) == ("pending", 0)


def test_enqueue_is_idempotent_and_validates(db, world):
    a = service.enqueue_email(db, dedupe_key="same", recipient="a@b.test", subject="s", body="b", now=NOW)
    b = service.enqueue_email(db, dedupe_key="same", recipient="a@b.test", subject="s", body="b", now=NOW)
    assert a.id == b.id
    with pytest.raises(InvalidInput) as err:
        service.enqueue_email(db, dedupe_key="x", recipient="not an email", subject="s", body="b", now=NOW)
    assert err.value.field == "recipient"


def test_reminder_validation_names_fields(db, world):
    with pytest.raises(ValidationError) as err:
        ReminderCreate(recipient="nope", subject="", body="b", next_due_at=NOW, repeat_days=0)
    fields = {e["loc"][0] for e in err.value.errors()}
    assert fields == {"recipient", "subject", "repeat_days"}
    with pytest.raises(InvalidInput) as missing:
        _reminder(db, world, customer_id=999_999)
    assert missing.value.field == "customer_id"
    r = _reminder(db, world)
    updated = service.update_reminder(db, r.id, ReminderUpdate(subject="New", repeat_days=None))
    assert updated.subject == "New" and updated.repeat_days is None


def test_smtp_config_from_env():
    with pytest.raises(ConfigurationError):
        smtp_config_from_env({})
    cfg = smtp_config_from_env(
        {
            "EQUIPOISE_SMTP_HOST": "mail.test",
            "EQUIPOISE_SMTP_PORT": "587",
            "EQUIPOISE_SMTP_STARTTLS": "true",
            "EQUIPOISE_SMTP_FROM": "a@b.test",
        }
    )
    assert (cfg.host, cfg.port, cfg.starttls, cfg.sender) == ("mail.test", 587, True, "a@b.test")
    with pytest.raises(ValueError, match="port"):
        SmtpConfig(host="h", port=0)
    with pytest.raises(ConfigurationError, match="smtp_port"):
        smtp_config_from_env({"EQUIPOISE_SMTP_HOST": "h", "EQUIPOISE_SMTP_PORT": "many"})


def test_smtp_config_from_settings():
    with pytest.raises(ConfigurationError, match="EQUIPOISE_SMTP_HOST"):
        smtp_config_from_settings(Settings(_env_file=None, smtp_host=None))
    cfg = smtp_config_from_settings(Settings(_env_file=None, smtp_host="mx.test", smtp_port=465, smtp_ssl=True,
                                             smtp_username="u", smtp_password="p"))
    assert (cfg.host, cfg.port, cfg.use_ssl, cfg.username, cfg.password) == ("mx.test", 465, True, "u", "p")
    with pytest.raises(ConfigurationError, match="choose one"):
        smtp_config_from_settings(Settings(_env_file=None, smtp_host="mx.test", smtp_ssl=True, smtp_starttls=True))


@given(st.integers(min_value=1, max_value=40))
def test_backoff_doubles_and_is_capped(attempts):
    delay = service.backoff_seconds(attempts)
    assert delay == min(service.MAX_BACKOFF_SECONDS, 60.0 * 2 ** (attempts - 1))
    assert delay <= service.backoff_seconds(attempts + 1)
