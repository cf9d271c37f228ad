"""The import command (Typer) and the upload endpoint (FastAPI) on a real database."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from equipoise.config import Settings
from equipoise.interfaces.api.routers import ingest as ingest_api
from equipoise.interfaces.app import create_app
from equipoise.interfaces.cli.ingest import EXIT_REFUSED, EXIT_REJECTS, app
from tests.ingest.conftest import SAMPLES, scalar

runner = CliRunner()


def test_cli_imports_then_reports_already_imported(engine, database_url):
    args = ["cdr", str(SAMPLES / "cdr.tsv"), "--mapping", str(SAMPLES / "cdr.yaml"),
            "--database-url", database_url, "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    body = json.loads(first.stdout)
    assert (body["imported"], body["rejected"], body["already_imported"]) == (10, 0, False)
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and json.loads(second.stdout)["already_imported"] is True
    assert scalar(engine, "SELECT count(*) FROM contacts") == 10


def test_cli_exit_codes_signal_rejects_and_refusals(engine, database_url, tmp_path):
    bad = tmp_path / "cases.csv"
    bad.write_text("case_ref,customer_ref,opened_at\nA,C,2024-01-01 10:00\nB,C,soon\n", encoding="utf-8")
    rejects = tmp_path / "out.csv"
    res = runner.invoke(app, ["cases", str(bad), "--database-url", database_url, "--rejects", str(rejects)])
    assert res.exit_code == EXIT_REJECTS
    assert rejects.read_text(encoding="utf-8").splitlines()[1].startswith("2,opened_at,soon,")
    refused = runner.invoke(app, ["cases", str(SAMPLES / "contacts.csv"), "--database-url", database_url])
    assert refused.exit_code == EXIT_REFUSED
    unknown = runner.invoke(app, ["tickets", str(bad), "--database-url", database_url])
    assert unknown.exit_code == EXIT_REFUSED


def test_upload_endpoint_imports_and_serves_rejects(engine, database_url, tmp_path):
    web = create_app(Settings(database_url=database_url))
    web.include_router(ingest_api.router, prefix="/api")
    client = TestClient(web)
    bad_row = b"4405,Bad,Open,Extreme,Email,,,,2024-06-05 09:30:00" + b"," * 11 + b"\n"
    data = (SAMPLES / "freshdesk.csv").read_bytes() + bad_row
    res = client.post("/api/imports/freshdesk", files={"file": ("tickets.csv", data, "text/csv")})
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["imported"], body["rejected"]) == (4, 1)
    assert body["rejects"][0]["row"] == 5 and body["rejects"][0]["field"] == "priority"
    csv_text = client.get(f"/api/imports/{body['import_id']}/rejects").text
    assert csv_text.splitlines()[1].startswith("5,priority,Extreme,")
    mapping = b"columns: {ticket_id: Nope}\n"
    refused = client.post("/api/imports/freshdesk", files={"file": ("t.csv", data, "text/csv"),
                                                           "mapping": ("m.yaml", mapping, "text/yaml")})
    assert refused.status_code == 422 and "Nope" in refused.json()["detail"]
    assert client.post("/api/imports/nothing", files={"file": ("t.csv", data)}).status_code == 422
    assert scalar(engine, "SELECT count(*) FROM cases") == 4


def test_surveys_through_the_cli_and_the_upload_endpoint(engine, database_url):
    for kind in ("cases", "contacts"):
        assert runner.invoke(app, [kind, str(SAMPLES / f"{kind}.csv"), "--database-url", database_url]).exit_code == 0
    res = runner.invoke(app, ["surveys", str(SAMPLES / "surveys.csv"), "--database-url", database_url, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["imported"] == 4
    web = create_app(Settings(database_url=database_url))
    web.include_router(ingest_api.router, prefix="/api")
    client = TestClient(web)
    data = b"contact_ref,answered_at,csat\nM-1,2024-03-04 12:00:00,4\nM-1,2024-03-04 12:05:00,9\n"
    body = client.post("/api/imports/surveys", files={"file": ("answers.csv", data, "text/csv")}).json()
    assert (body["imported"], body["rejected"]) == (1, 1)
    assert body["rejects"][0]["field"] == "csat" and "1-5" in body["rejects"][0]["reason"]
    assert scalar(engine, "SELECT count(*) FROM survey_responses") == 5
