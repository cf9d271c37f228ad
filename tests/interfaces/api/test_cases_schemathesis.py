"""Property-based contract run of the auth, users and cases API: generated requests never get a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from equipoise.config import Settings
from equipoise.db.engine import make_engine, session_scope
from tests.core.auth.factories import build_app, make_token, make_user, seed_org
from tests.dbutil import fresh_sqlite

MY_PATHS = r"^/api/(auth|users|audit|cases)"
# The schema is read from the app at import; the database is attached by the fixture below.
APP = build_app("sqlite://")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex=MY_PATHS)


@pytest.fixture(scope="module")
def admin_headers(tmp_path_factory):
    with fresh_sqlite(tmp_path_factory.mktemp("contract")) as url:
        engine = make_engine(url)
        with session_scope(engine) as s:
            org = seed_org(s)
            token = make_token(s, make_user(s, "root@example.com", "admin", [org.team_a]))
        engine.dispose()
        APP.state.settings = Settings(database_url=url)
        yield {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_server_errors(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])
