"""Sign-in, session cookies with CSRF, API tokens and role checks over the real app and database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from equipoise.core.auth.secrets import digest
from equipoise.db.engine import make_engine, session_scope
from equipoise.models import ApiToken, AuditEntry, User, UserSession
from tests.core.auth.factories import PASSWORD, build_app, make_token, make_user, seed_org


@pytest.fixture
def env(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        admin = make_user(s, "root@example.com", "admin")
        agent = make_user(s, "ann@example.com", "agent", [org.team_a])
        tokens = {"admin": make_token(s, admin), "agent": make_token(s, agent)}
    client = TestClient(build_app(database_url))
    yield client, engine, org, tokens, admin, agent
    client.close()
    engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_credentials_and_bad_credentials_get_401(env):
    client, *_ = env
    assert client.get("/api/auth/me").status_code == 401
    r = client.get("/api/auth/me", headers=bearer("eqp_not-a-token"))
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/auth/me", headers={"Authorization": "Basic abc"}).status_code == 401
    client.cookies.set("equipoise_session", "forged")
    assert client.get("/api/auth/me").status_code == 401


def test_password_is_stored_as_argon2id_and_wrong_password_is_refused(env):
    client, engine, *_ = env
    with session_scope(engine) as s:
        stored = s.scalars(select(User.password_hash).where(User.email == "ann@example.com")).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    r = client.post("/api/auth/login", json={"email": "ann@example.com", "password": "wrong password!"})
    assert r.status_code == 401
    r = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["detail"] == "wrong e-mail or password"


def test_session_cookie_flags_and_csrf_on_changes(env):
    client, engine, *_ = env
    r = client.post("/api/auth/login", json={"email": "ANN@example.com", "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    csrf = r.json()["csrf_token"]
    with session_scope(engine) as s:  # only the digest of the cookie secret is stored
        secret = client.cookies.get("equipoise_session")
        assert s.scalars(select(UserSession).where(UserSession.secret_hash == digest(secret))).one()
    assert client.get("/api/auth/me").json()["email"] == "ann@example.com"
    # a state-changing request without the CSRF token is refused, with it accepted
    assert client.post("/api/auth/tokens", json={"name": "x"}).status_code == 403
    assert client.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert client.post("/api/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf}).status_code == 201
    # form posts may carry the token as a field; logging out ends the session
    r = client.post("/api/auth/logout", data={"csrf_token": csrf})
    assert r.status_code == 204
    client.cookies.set("equipoise_session", secret)
    assert client.get("/api/auth/me").status_code == 401


def test_api_tokens_are_hashed_at_rest_and_revocable(env):
    client, engine, _org, tokens, *_ = env
    r = client.post("/api/auth/tokens", json={"name": "crm", "expires_in_days": 30},
                    headers=bearer(tokens["agent"]))
    assert r.status_code == 201
    new = r.json()
    assert new["token"].startswith("eqp_") and new["prefix"] == new["token"][:12]
    with session_scope(engine) as s:
        hashes = set(s.scalars(select(ApiToken.secret_hash)))
    assert digest(new["token"]) in hashes and new["token"] not in hashes
    assert client.get("/api/auth/me", headers=bearer(new["token"])).status_code == 200
    listed = client.get("/api/auth/tokens", headers=bearer(tokens["agent"])).json()
    assert {t["name"] for t in listed} == {"test", "crm"} and all("token" not in t for t in listed)
    # another (non-admin) user cannot see or revoke it; the owner can
    other = client.delete(f"/api/auth/tokens/{new['id']}", headers=bearer(tokens["admin"]))
    assert other.status_code == 200  # admins may revoke anyone's token
    assert client.get("/api/auth/me", headers=bearer(new["token"])).status_code == 401
    assert client.get("/api/auth/tokens?all=true", headers=bearer(tokens["agent"])).status_code == 403


def test_roles_gate_user_management_and_changes_are_audited(env):
    client, engine, org, tokens, admin, agent = env
    body = {"email": "lead@example.com", "name": "Lee", "role": "lead", "team_ids": [org.team_b],
            "password": "another long password"}
    assert client.post("/api/users", json=body, headers=bearer(tokens["agent"])).status_code == 403
    r = client.post("/api/users", json=body, headers=bearer(tokens["admin"]))
    assert r.status_code == 201 and r.json()["team_ids"] == [org.team_b]
    uid = r.json()["id"]
    r = client.patch(f"/api/users/{uid}", json={"role": "manager"}, headers=bearer(tokens["admin"]))
    assert r.json()["role"] == "manager"
    assert client.get(f"/api/users/{admin.user_id}", headers=bearer(tokens["agent"])).status_code == 403
    assert client.get(f"/api/users/{agent.user_id}", headers=bearer(tokens["agent"])).status_code == 200
    log = client.get(f"/api/audit?entity=user&entity_id={uid}", headers=bearer(tokens["admin"])).json()
    assert [e["action"] for e in log] == ["user.create", "user.update"]
    assert log[1]["before"] == {"role": "lead"} and log[1]["after"] == {"role": "manager"}
    assert log[1]["user_id"] == admin.user_id and log[1]["via"] == "token"
    with session_scope(engine) as s:
        assert all("password_hash" not in (e.after or {}) for e in s.scalars(select(AuditEntry)))


def test_bad_input_is_422_with_fields_and_last_admin_is_kept(env):
    client, _engine, _org, tokens, admin, _agent = env
    r = client.post("/api/users", json={"email": "not-an-email", "name": "", "role": "boss"},
                    headers=bearer(tokens["admin"]))
    assert r.status_code == 422
    fields = {tuple(e["loc"][1:]) for e in r.json()["detail"]}
    assert {("email",), ("name",), ("role",)} <= fields
    r = client.post("/api/users", json={"email": "x@example.com", "name": "X", "role": "agent", "team_ids": [999]},
                    headers=bearer(tokens["admin"]))
    assert r.status_code == 422 and r.json()["field"] == "team_ids"
    r = client.patch(f"/api/users/{admin.user_id}", json={"role": "agent"}, headers=bearer(tokens["admin"]))
    assert r.status_code == 409
    assert client.post("/api/users", json={"email": "root@example.com", "name": "R", "role": "agent"},
                       headers=bearer(tokens["admin"])).status_code == 409
