"""equipoise optimize / frontier / scenario on the small demo company."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from equipoise.db.migrate import upgrade
from equipoise.interfaces.cli.balance import app, parse_floors
from tests.planning.test_balance import balance_demo_url

runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    url = balance_demo_url(tmp_path_factory)
    upgrade(url)
    return url


def test_optimize_json_has_frontier_current_balance_and_changes(url):
    res = runner.invoke(app, ["optimize", "--json", "--database-url", url])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert len([r for r in out["frontier"] if r["point"] == "frontier"]) >= 20
    assert out["recommended"]["net_cost"] < out["current"]["net_cost"]
    assert out["balance_point"]["index"] in range(20)
    assert out["changes"][0]["rank"] == 1
    assert out["churn_model"]["source"] == "fitted"


def test_optimize_table_and_floors(url):
    res = runner.invoke(app, ["optimize", "--csat-floor", "top=50", "--database-url", url])
    assert res.exit_code == 0, res.output
    assert "Ranked changes" in res.output and "balance point" in res.output
    bad = runner.invoke(app, ["optimize", "--csat-floor", "top=150", "--database-url", url])
    assert bad.exit_code != 0
    assert parse_floors("top=90, high=85") == {"top": 0.9, "high": 0.85}


def test_frontier_csv(url):
    res = runner.invoke(app, ["frontier", "--format", "csv", "--database-url", url])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert sum(r["point"] == "frontier" for r in rows) == 20
    assert sum(r["balance"] == "True" for r in rows) == 1
    assert {r["point"] for r in rows} == {"frontier", "current", "recommended"}


def test_scenario_list_run_compare(url):
    res = runner.invoke(app, ["scenario", "list", "--json", "--database-url", url])
    assert res.exit_code == 0, res.output
    names = {s["name"] for s in json.loads(res.output)["scenarios"]}
    assert {"billing-to-ivr", "staffing-cut", "budget-cut-15"} <= names
    res = runner.invoke(app, ["scenario", "run", "staffing-cut", "--format", "json",
                              "--database-url", url])
    assert res.exit_code == 0, res.output
    run = json.loads(res.output)
    assert run["simulation"][0]["channel"] == "phone"
    res = runner.invoke(app, ["scenario", "compare", "fcr-plus-10", "offshore-phone",
                              "--no-simulation", "--json", "--database-url", url])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.output)["b_minus_a"]) == {"service_cost", "churn_cost",
                                                         "net_cost", "csat_points"}
    res = runner.invoke(app, ["scenario", "save", "chat-40", "--lever", "launch_channel",
                              "--set", "share=0.4", "--database-url", url])
    assert res.exit_code == 0, res.output
    missing = runner.invoke(app, ["scenario", "run", "nope", "--database-url", url])
    assert missing.exit_code == 1 and "no scenario named" in missing.output


def test_api_endpoints_match_the_cli(url):
    from fastapi.testclient import TestClient

    from equipoise.config import Settings
    from equipoise.interfaces.api.routers.balance import router
    from equipoise.interfaces.app import create_app
    from tests.web.conftest import sign_in

    web = create_app(Settings(database_url=url))
    web.include_router(router, prefix="/api")
    client = TestClient(web)
    assert client.get("/api/balance/frontier").status_code == 401
    assert client.get("/api/scenarios").status_code == 401
    sign_in(client, "lead")
    assert client.get("/api/scenarios").status_code == 403  # money figures: managers and admins
    client.headers["X-CSRF-Token"] = sign_in(client, "manager")["csrf_token"]
    res = client.get("/api/balance/frontier", params={"points": 20})
    assert res.status_code == 200, res.text
    assert len(res.json()["frontier"]) == 22
    res = client.get("/api/balance/optimize", params={"csat_floor": "top=abc"})
    assert res.status_code == 422
    assert {s["name"] for s in client.get("/api/scenarios").json()["scenarios"]} >= {
        "budget-cut-15"}
    res = client.put("/api/scenarios/ivr-50", json={"lever": "channel_shift",
                                                    "params": {"share": 0.5}})
    assert res.status_code == 200, res.text
    res = client.post("/api/scenarios/ivr-50/run", params={"simulate": False})
    assert res.status_code == 200 and res.json()["delta"]["service_cost"] != 0
    res = client.get("/api/scenarios/compare", params={"a": "ivr-50", "b": "fcr-plus-10",
                                                        "simulate": False})
    assert res.status_code == 200 and "b_minus_a" in res.json()
    assert client.post("/api/scenarios/none/run").status_code == 404
