"""The cases API over the real app: lifecycle, 422/409 errors, and the authorisation matrix by role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from equipoise.db.engine import make_engine, session_scope
from tests.core.auth.factories import build_app, make_token, make_user, seed_org

ROLES = ("agent_a", "lead_a", "manager", "admin", "agent_b")


@pytest.fixture
def api(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        people = {"agent_a": make_user(s, "ann@example.com", "agent", [org.team_a]),
                  "lead_a": make_user(s, "lee@example.com", "lead", [org.team_a]),
                  "manager": make_user(s, "max@example.com", "manager"),
                  "admin": make_user(s, "root@example.com", "admin"),
                  "agent_b": make_user(s, "cat@example.com", "agent", [org.team_b])}
        tokens = {k: {"Authorization": f"Bearer {make_token(s, v)}"} for k, v in people.items()}
    client = TestClient(build_app(database_url))
    yield client, org, tokens
    client.close()
    engine.dispose()


def _new_case(client, org, tokens, **extra) -> dict:
    body = {"customer_id": org.low_customer, "reason_id": org.billing, "channel_id": org.email,
            "team_id": org.team_a, **extra}
    r = client.post("/api/cases", json=body, headers=tokens["admin"])
    assert r.status_code == 201, r.text
    return r.json()


def test_lifecycle_over_http(api):
    client, org, tokens = api
    h = tokens["agent_a"]
    r = client.post("/api/cases", json={"customer_id": org.top_customer, "reason_id": org.billing,
                                        "channel_id": org.phone, "priority": "urgent", "subject": "Invoice wrong"},
                    headers=h)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["assigned_agent_id"] == org.agent_a1 and case["first_response_due_at"] is not None
    cid = case["id"]
    case = client.post(f"/api/cases/{cid}/respond", json={"version": 1}, headers=h).json()
    assert case["status"] == "open" and case["first_response_at"] is not None and case["version"] == 2
    r = client.post(f"/api/cases/{cid}/notes", json={"body": "called the customer back"}, headers=h)
    assert r.status_code == 201
    assert [n["body"] for n in client.get(f"/api/cases/{cid}/notes", headers=h).json()] == ["called the customer back"]
    case = client.patch(f"/api/cases/{cid}", json={"version": 2, "tags": ["billing", "Refund"]}, headers=h).json()
    assert case["tags"] == ["billing", "refund"]
    case = client.patch(f"/api/cases/{cid}", json={"version": 3, "status": "solved"}, headers=h).json()
    assert case["status_category"] == "resolved" and case["resolution_met"] is not None
    assert client.patch(f"/api/cases/{cid}", json={"version": 4, "status": "closed"}, headers=h).status_code == 200
    assert client.patch(f"/api/cases/{cid}", json={"version": 5, "status": "open"}, headers=h).status_code == 409
    case = client.post(f"/api/cases/{cid}/reopen", json={"version": 5}, headers=h).json()
    assert case["status"] == "open" and case["reopen_count"] == 1
    sla = client.get(f"/api/cases/{cid}/sla", headers=h).json()
    assert sla["policy_name"] == "top urgent" and sla["first_response"]["met"] is True
    page = client.get("/api/cases", params={"tag": "refund", "limit": 5}, headers=h).json()
    assert [c["id"] for c in page["items"]] == [cid]
    actions = [e["action"] for e in client.get(f"/api/cases/{cid}/history", headers=h).json()]
    assert actions[0] == "case.create" and actions[-1] == "case.reopen" and len(actions) == 6


def test_bad_input_gets_422_with_fields_and_stale_version_409(api):
    client, org, tokens = api
    h = tokens["admin"]
    r = client.post("/api/cases", json={"customer_id": "x", "reason_id": 0, "priority": "asap",
                                        "tags": ["bad tag!"]}, headers=h)
    assert r.status_code == 422
    locs = {tuple(e["loc"]) for e in r.json()["detail"]}
    assert {("body", "customer_id"), ("body", "reason_id"), ("body", "channel_id"), ("body", "priority"),
            ("body", "tags", 0)} <= locs
    r = client.post("/api/cases", json={"customer_id": 12345, "reason_id": org.billing, "channel_id": org.email},
                    headers=h)
    assert r.status_code == 422 and r.json()["field"] == "customer_id"
    case = _new_case(client, org, tokens)
    assert client.patch(f"/api/cases/{case['id']}", json={"subject": "no version"}, headers=h).status_code == 422
    assert client.patch(f"/api/cases/{case['id']}", json={"version": 1, "subject": "a"}, headers=h).status_code == 200
    r = client.patch(f"/api/cases/{case['id']}", json={"version": 1, "subject": "b"}, headers=h)
    assert r.status_code == 409 and r.json()["field"] == "version"
    assert client.get("/api/cases/999999", headers=h).status_code == 404
    assert client.get("/api/cases", params={"status_category": "bogus"}, headers=h).status_code == 422


# role -> expected status for each action on a team-A case
MATRIX = {
    "read":          {"agent_a": 200, "lead_a": 200, "manager": 200, "admin": 200, "agent_b": 404},
    "update":        {"agent_a": 200, "lead_a": 200, "manager": 200, "admin": 200, "agent_b": 404},
    "move_to_b":     {"agent_a": 403, "lead_a": 403, "manager": 200, "admin": 200, "agent_b": 404},
    "merge":         {"agent_a": 403, "lead_a": 200, "manager": 200, "admin": 200, "agent_b": 403},
    "cost":          {"agent_a": 403, "lead_a": 403, "manager": 200, "admin": 200, "agent_b": 403},
    "note":          {"agent_a": 201, "lead_a": 201, "manager": 201, "admin": 201, "agent_b": 404},
    "create_in_a":   {"agent_a": 201, "lead_a": 201, "manager": 201, "admin": 201, "agent_b": 403},
    "list_users":    {"agent_a": 403, "lead_a": 403, "manager": 200, "admin": 200, "agent_b": 403},
    "create_user":   {"agent_a": 403, "lead_a": 403, "manager": 403, "admin": 201, "agent_b": 403},
    "audit":         {"agent_a": 403, "lead_a": 403, "manager": 200, "admin": 200, "agent_b": 403},
    "anonymous":     {},
}


def _do(client, org, tokens, action, role):
    h = tokens[role]
    if action in ("read", "update", "move_to_b", "merge", "cost", "note"):
        case = _new_case(client, org, tokens)
        cid = case["id"]
        if action == "read":
            return client.get(f"/api/cases/{cid}", headers=h).status_code
        if action == "update":
            return client.patch(f"/api/cases/{cid}", json={"version": 1, "priority": "high"}, headers=h).status_code
        if action == "move_to_b":
            return client.patch(f"/api/cases/{cid}", json={"version": 1, "team_id": org.team_b},
                                headers=h).status_code
        if action == "merge":
            other = _new_case(client, org, tokens)
            return client.post(f"/api/cases/{cid}/merge", json={"version": 1, "into_case_id": other["id"]},
                               headers=h).status_code
        if action == "cost":
            return client.get(f"/api/cases/{cid}/cost", headers=h).status_code
        return client.post(f"/api/cases/{cid}/notes", json={"body": "n"}, headers=h).status_code
    if action == "create_in_a":
        return client.post("/api/cases", json={"customer_id": org.low_customer, "reason_id": org.billing,
                                               "channel_id": org.email, "team_id": org.team_a},
                           headers=h).status_code
    if action == "list_users":
        return client.get("/api/users", headers=h).status_code
    if action == "create_user":
        return client.post("/api/users", json={"email": f"{role}-new@example.com", "name": "N", "role": "agent"},
                           headers=h).status_code
    return client.get("/api/audit", params={"entity": "case", "entity_id": "1"}, headers=h).status_code


def test_authorisation_matrix(api):
    client, org, tokens = api
    got = {action: {role: _do(client, org, tokens, action, role) for role in expected}
           for action, expected in MATRIX.items() if expected}
    assert got == {a: e for a, e in MATRIX.items() if e}


def test_lists_show_only_the_callers_teams(api):
    client, org, tokens = api
    a = _new_case(client, org, tokens)
    b = _new_case(client, org, tokens, team_id=org.team_b, reason_id=org.tech)
    ids = {role: {c["id"] for c in client.get("/api/cases", headers=tokens[role]).json()["items"]} for role in ROLES}
    assert ids["agent_a"] == ids["lead_a"] == {a["id"]}
    assert ids["agent_b"] == {b["id"]}
    assert ids["manager"] == ids["admin"] == {a["id"], b["id"]}
    for path in ("/api/cases", f"/api/cases/{a['id']}", f"/api/cases/{a['id']}/sla"):
        assert client.get(path).status_code == 401
    assert client.post("/api/cases", json={}).status_code == 401


def test_keyset_pages_cover_every_case_once(api):
    client, org, tokens = api
    made = {_new_case(client, org, tokens)["id"] for _ in range(7)}
    seen, before = [], None
    while True:
        params = {"limit": 3} | ({"before_id": before} if before else {})
        page = client.get("/api/cases", params=params, headers=tokens["manager"]).json()
        seen += [c["id"] for c in page["items"]]
        before = page["next_before_id"]
        if before is None:
            break
    assert seen == sorted(made, reverse=True)
