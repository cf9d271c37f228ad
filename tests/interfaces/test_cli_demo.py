"""The db and demo commands, run through the real CLI on a real SQLite file."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from equipoise.db.engine import make_engine
from equipoise.interfaces.cli.main import app
from equipoise.models import Contact, Customer

runner = CliRunner()


def test_db_upgrade_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["from_revision"] is None and payload["revision"]


def test_demo_build_if_absent_refuse_and_replace(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    args = ["demo", "build", "--customers", "200", "--months", "1", "--seed", "5", "--database-url", url]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    built = json.loads(first.stdout)
    assert built["built"] is True and built["rows"]["customers"] == 200

    engine = make_engine(url)
    with engine.connect() as conn:
        contacts = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
    assert contacts == built["rows"]["contacts"] > 0

    kept = runner.invoke(app, [*args, "--if-absent", "--json"])
    assert kept.exit_code == 0 and json.loads(kept.stdout)["built"] is False

    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "already holds data" in refused.output

    replaced = runner.invoke(app, [*args[:-2], "--database-url", url, "--replace", "--json"])
    assert replaced.exit_code == 0, replaced.output
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 200
        assert conn.execute(select(func.count()).select_from(Contact)).scalar_one() == contacts
    engine.dispose()


def test_demo_build_rejects_bad_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'bad.sqlite3'}"
    result = runner.invoke(app, ["demo", "build", "--start", "2026-03-15", "--database-url", url])
    assert result.exit_code == 2
    assert "first day of a month" in result.output


def test_demo_build_creates_sign_in_users_for_each_role(tmp_path):
    import datetime as dt

    from equipoise.core.auth import service as auth_service
    from equipoise.db.engine import session_scope
    from equipoise.demo.users import DEMO_PASSWORD, DEMO_USERS

    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    result = runner.invoke(app, ["demo", "build", "--customers", "150", "--months", "1", "--database-url", url,
                                 "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [u["role"] for u in payload["users"]] == [u[2] for u in DEMO_USERS]
    engine = make_engine(url)
    with session_scope(engine) as session:
        for email, _name, role, _team in DEMO_USERS:
            opened = auth_service.login(session, email, DEMO_PASSWORD, now=dt.datetime(2026, 1, 1))
            principal = auth_service.principal_for(session, auth_service.find_user(session, email), "session")
            assert opened is not None and principal.role == role
            if role == "agent":
                assert len(principal.team_ids) == 1
    engine.dispose()
