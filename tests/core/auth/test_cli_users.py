"""`equipoise user create --admin`, `user list` and `user token` against a real SQLite database."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from equipoise.core.auth.secrets import verify_password
from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.cli.users import app
from equipoise.models import ApiToken, User

runner = CliRunner()


def test_create_first_admin_list_and_issue_token(sqlite_url):
    args = ["--database-url", sqlite_url]
    r = runner.invoke(app, ["create", "--admin", "--email", "Root@Example.com", "--name", "Root",
                            "--password", "a long admin password", "--json", *args])
    assert r.exit_code == 0, r.output
    created = json.loads(r.stdout)
    assert created["role"] == "admin" and created["email"] == "root@example.com"
    r = runner.invoke(app, ["create", "--email", "root@example.com", "--name", "Again", "--password",
                            "a long admin password", *args])
    assert r.exit_code == 1 and "already exists" in r.output
    r = runner.invoke(app, ["create", "--email", "x@example.com", "--name", "X", "--password", "short", *args])
    assert r.exit_code == 1 and "password" in r.output
    # the password can be typed at a prompt (twice)
    r = runner.invoke(app, ["create", "--email", "ann@example.com", "--name", "Ann", "--role", "agent", *args],
                      input="another long password\nanother long password\n")
    assert r.exit_code == 0, r.output
    listed = json.loads(runner.invoke(app, ["list", "--json", *args]).stdout)
    assert [(u["email"], u["role"]) for u in listed] == [("root@example.com", "admin"), ("ann@example.com", "agent")]
    r = runner.invoke(app, ["token", "--email", "ann@example.com", "--name", "crm", "--json", *args])
    token = json.loads(r.stdout)["token"]
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        user = s.scalars(select(User).where(User.email == "ann@example.com")).one()
        assert verify_password(user.password_hash, "another long password")
        assert s.scalars(select(ApiToken.secret_hash)).one() != token
    engine.dispose()
