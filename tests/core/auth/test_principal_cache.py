"""The per-process cache of resolved credentials: hits read no database, and every change that
must end or narrow access (revoke, sign-out, deactivation, a new role or team) is seen at once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, update

from equipoise.core.auth import cache
from equipoise.core.auth import service as auth_service
from equipoise.core.auth.schemas import Principal, TokenCreate, UserUpdate
from equipoise.db.engine import make_engine, session_scope
from equipoise.models import ApiToken
from tests.core.auth.factories import NOW, PASSWORD, make_token, make_user, seed_org


@pytest.fixture
def db(database_url):
    cache.clear()
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        admin = make_user(s, "root@example.com", "admin")
        agent = make_user(s, "ann@example.com", "agent", [org.team_a])
        token = make_token(s, agent)
    yield engine, org, admin, agent, token
    engine.dispose()
    cache.clear()


def _count(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, *_a: seen.append(stmt))
    return seen


def _resolve(engine, token, now=NOW):
    with session_scope(engine) as s:
        return auth_service.principal_from_token(s, token, now=now)


def test_a_recent_token_is_resolved_without_the_database(db):
    engine, org, _admin, agent, token = db
    first = _resolve(engine, token)
    seen = _count(engine)
    assert _resolve(engine, token) == first == agent
    assert seen == []
    key = cache.database_key(engine)
    assert auth_service.cached_principal(key, "token", token, NOW) == (agent, None)
    assert auth_service.cached_principal(key + "-other", "token", token, NOW) is None  # per database


def test_revoking_signs_out_at_once(db):
    engine, _org, _admin, agent, token = db
    assert _resolve(engine, token) == agent
    with session_scope(engine) as s:
        row = next(t for t in auth_service.list_tokens(s, actor=agent))
        auth_service.revoke_token(s, row.id, actor=agent, now=NOW)
    assert _resolve(engine, token) is None


def test_deactivation_role_and_team_changes_are_seen_at_once(db):
    engine, org, admin, agent, token = db
    assert _resolve(engine, token).team_ids == {org.team_a}
    with session_scope(engine) as s:
        auth_service.update_user(s, agent.user_id, UserUpdate(role="lead", team_ids=[org.team_b]), actor=admin,
                                 now=NOW)
    again = _resolve(engine, token)
    assert (again.role, again.team_ids) == ("lead", {org.team_b})
    with session_scope(engine) as s:
        auth_service.update_user(s, agent.user_id, UserUpdate(is_active=False), actor=admin, now=NOW)
    assert _resolve(engine, token) is None


def test_a_cached_token_still_expires_on_time(db):
    engine, _org, _admin, agent, _token = db
    with session_scope(engine) as s:
        _row, short = auth_service.create_token(s, TokenCreate(name="short", expires_in_days=1), actor=agent,
                                                now=NOW)
    assert _resolve(engine, short) == agent
    assert _resolve(engine, short, now=NOW + dt.timedelta(days=1)) is None


def test_sign_out_ends_a_cached_session(db):
    engine, _org, _admin, agent, _token = db
    with session_scope(engine) as s:
        opened = auth_service.login(s, "ann@example.com", PASSWORD, now=NOW)
    with session_scope(engine) as s:
        principal, csrf = auth_service.principal_from_session(s, opened.secret, now=NOW)
    assert (principal.user_id, csrf) == (agent.user_id, opened.csrf_token)
    with session_scope(engine) as s:
        auth_service.logout(s, opened.secret)
    with session_scope(engine) as s:
        assert auth_service.principal_from_session(s, opened.secret, now=NOW) is None


def test_a_change_made_elsewhere_is_seen_after_the_ttl(db, monkeypatch):
    """Another worker process revoking the token (here: a write without the service) is noticed once
    the entry is older than the TTL."""
    engine, _org, _admin, agent, token = db
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    assert _resolve(engine, token) == agent
    with engine.begin() as conn:
        conn.execute(update(ApiToken).values(revoked_at=NOW))
    assert _resolve(engine, token) == agent  # still within the TTL in this process
    clock[0] += cache.PRINCIPAL_TTL_SECONDS
    assert _resolve(engine, token) is None


def test_a_rolled_back_change_keeps_nothing_pending(db):
    engine, org, admin, agent, token = db
    _resolve(engine, token)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        auth_service.update_user(s, agent.user_id, UserUpdate(role="lead"), actor=admin, now=NOW)
        raise RuntimeError("abandoned")
    assert _resolve(engine, token) == Principal(user_id=agent.user_id, role="agent", team_ids=frozenset({org.team_a}),
                                                via="token")
