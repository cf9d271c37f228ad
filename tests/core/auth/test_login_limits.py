"""Failed sign-in limits in the service, with explicit clocks: the window, Retry-After, the reset on
success, per-address counting, and the audit entries that hold the counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from equipoise.core.auth import service
from equipoise.core.auth.secrets import digest
from equipoise.db.engine import make_engine, session_scope
from equipoise.models import AuditEntry
from tests.core.auth.factories import NOW, PASSWORD, make_user, seed_org

M = dt.timedelta(minutes=1)
LIMITS = service.LoginLimits(per_account=5, per_address=8, window=dt.timedelta(minutes=15))


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        make_user(s, "ann@example.com", "agent", [org.team_a])
        make_user(s, "bob@example.com", "agent", [org.team_a])
    yield engine
    engine.dispose()


def attempt(engine, email: str, password: str, at: dt.datetime, address: str | None = "10.0.0.1") -> str:
    """'ok', 'wrong' or 'locked:<retry-after>'; a failure is committed as the interfaces do."""
    with session_scope(engine) as s:
        try:
            service.login(s, email, password, now=at, address=address, limits=LIMITS)
        except service.TooManyAttempts as exc:
            return f"locked:{exc.retry_after}"
        except service.Unauthorized:
            s.commit()
            return "wrong"
    return "ok"


def entries(engine, action: str) -> list[AuditEntry]:
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_five_failures_lock_the_account_until_the_oldest_leaves_the_window(engine):
    for k in range(5):
        assert attempt(engine, "ann@example.com", "wrong password", NOW + k * M) == "wrong"
    # the oldest failure (NOW) leaves the window at NOW + 15 min: 10 minutes from NOW + 5 min
    assert attempt(engine, "ann@example.com", PASSWORD, NOW + 5 * M) == "locked:600"
    assert attempt(engine, "ANN@example.com ", PASSWORD, NOW + 14 * M + dt.timedelta(seconds=59.5)) == "locked:1"
    assert attempt(engine, "bob@example.com", PASSWORD, NOW + 6 * M) == "ok"  # other accounts are untouched
    # at NOW + 15 min only four failures are inside the window: one more try, and it succeeds
    assert attempt(engine, "ann@example.com", PASSWORD, NOW + 15 * M) == "ok"
    lockouts = entries(engine, service.LOCKOUT)
    assert [(e.entity, e.entity_id) for e in lockouts] == [(service.ACCOUNT, digest("ann@example.com"))]
    assert lockouts[0].after["failures"] == 5 and lockouts[0].after["address"] == "10.0.0.1"


def test_a_success_resets_the_account_count(engine):
    for k in range(4):
        attempt(engine, "ann@example.com", "wrong password", NOW + k * M, address=None)
    assert attempt(engine, "ann@example.com", PASSWORD, NOW + 4 * M, address=None) == "ok"
    assert [e.entity for e in entries(engine, service.RESET)] == [service.ACCOUNT]
    for k in range(5):
        assert attempt(engine, "ann@example.com", "wrong password", NOW + (5 + k) * M, address=None) == "wrong"
    assert attempt(engine, "ann@example.com", PASSWORD, NOW + 10 * M, address=None) == "locked:600"
    # a success with nothing to reset writes no reset entry
    assert attempt(engine, "bob@example.com", PASSWORD, NOW) == "ok"
    assert len(entries(engine, service.RESET)) == 1


def test_unknown_accounts_lock_the_same_way(engine):
    for k in range(5):
        assert attempt(engine, "nobody@example.com", PASSWORD, NOW + k * M, address=None) == "wrong"
    assert attempt(engine, "nobody@example.com", PASSWORD, NOW + 5 * M, address=None) == "locked:600"
    failed = entries(engine, service.FAILED)
    assert {e.entity_id for e in failed} == {digest("nobody@example.com")}
    assert failed[0].after == {"email": "nobody@example.com", "address": None, "user_id": None}


def test_an_address_guessing_at_many_accounts_is_locked(engine):
    for k in range(8):
        assert attempt(engine, f"guess{k}@example.com", "wrong password", NOW + k * M) == "wrong"
    assert attempt(engine, "ann@example.com", PASSWORD, NOW + 8 * M) == "locked:420"  # even a right password
    assert attempt(engine, "ann@example.com", PASSWORD, NOW + 8 * M, address="10.0.0.2") == "ok"
    lockouts = entries(engine, service.LOCKOUT)
    assert [(e.entity, e.entity_id) for e in lockouts] == [(service.ADDRESS, "10.0.0.1")]


def test_the_success_of_one_account_does_not_reset_its_address(engine):
    for k in range(7):
        attempt(engine, f"guess{k}@example.com", "wrong password", NOW + k * M)
    assert attempt(engine, "bob@example.com", PASSWORD, NOW + 7 * M) == "ok"
    assert attempt(engine, "guess9@example.com", "wrong password", NOW + 8 * M) == "wrong"
    assert attempt(engine, "guess10@example.com", "wrong password", NOW + 9 * M).startswith("locked:")


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        service.LoginLimits(per_account=0)
    with pytest.raises(ValueError, match="positive"):
        service.LoginLimits(window=dt.timedelta(0))
