"""Scenarios page in process: the list, the editor and its errors, runs and compare equal the API."""

from __future__ import annotations

import html
import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.config import Settings
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.scenarios import param_fields, parse_params
from equipoise.kit.errors import InvalidInput
from equipoise.planning.levers import TEMPLATES
from tests.web.conftest import sign_in

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def client(demo_url):
    """A manager's client; state-changing requests carry the session's CSRF token."""
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as c:
        c.headers["X-CSRF-Token"] = sign_in(c, "manager")["csrf_token"]
        yield c


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", html.unescape(text).replace("−", "-")))


def _cell(page: str, table: str, key: str, side: str) -> str:
    body = re.search(rf'<table id="{table}".*?</table>', page, flags=re.S).group(0)
    row = re.search(rf'<tr data-key="{key}">.*?</tr>', body, flags=re.S).group(0)
    return re.search(rf'data-side="{side}">([^<]*)<', row).group(1)


def _save(client, name: str, lever: str, fields: dict[str, str], editing: bool = False):
    data = {"name": name, "lever": lever, "description": "", "editing": "1" if editing else "",
            **{f"param-{k}": v for k, v in fields.items()}}
    return client.post("/scenarios/save", data=data, headers=HX)


def test_page_lists_every_stored_scenario_and_offers_every_lever(client):
    page = client.get("/scenarios").text
    api = client.get("/api/scenarios").json()
    listed = re.findall(r'<tr data-scenario="([^"]+)">', page)
    assert listed == [s["name"] for s in api["scenarios"]]
    levers = re.findall(r'<option value="([^"]+)"[^>]*>', page.split('id="scenario-lever"')[1]
                        .split("</select>")[0])
    assert levers == list(api["templates"])
    # The compare form offers the same scenarios for both sides.
    picker = page.split('id="scenario-picker"')[1].split("</form>")[0]
    assert picker.count('<option value="billing-to-ivr"') == 2


def test_form_fields_carry_the_template_defaults(client):
    page = client.get("/scenarios/form", params={"lever": "staffing_change"}).text
    assert re.search(r'name="param-channel" id="param-channel" value="phone"', page)
    assert float(re.search(r'name="param-change" id="param-change" value="([^"]+)"',
                           page).group(1)) == -0.10
    stored = client.get("/scenarios/form", params={"name": "billing-to-ivr"}).text
    assert 'value="billing_question"' in stored and "readonly" in stored


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"change": "lots"}, "param-change", "change: expected a number"),
    ({"change": "5"}, "param-change", "change: expected a number in [-0.9, 2.0]"),
    ({"channel": "email"}, "param-channel", "channel: 'email' is not a real-time queue"),
])
def test_invalid_parameters_answer_422_naming_the_field_in_place(client, fields, field, words):
    r = _save(client, _name("bad"), "staffing_change", fields)
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert words in text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', r.text, flags=re.S)
    assert f'id="{field}-error"' in r.text
    # What was typed stays in the field.
    key = field.removeprefix("param-")
    assert f'value="{html.escape(fields[key])}"' in r.text


def test_bad_or_taken_names_are_refused(client):
    r = _save(client, "no spaces allowed", "budget_cut", {"cut": "0.1"})
    assert r.status_code == 422 and 'id="scenario-name"' in r.text and "name: expected" in r.text
    r = _save(client, "billing-to-ivr", "budget_cut", {"cut": "0.1"})
    assert r.status_code == 422 and "exists" in r.text
    assert re.search(r'id="scenario-name"[^>]*aria-invalid="true"', r.text, flags=re.S)


def test_create_then_edit_is_what_the_api_lists(client):
    name = _name("cut")
    r = _save(client, name, "budget_cut", {"cut": "0.2"})
    assert r.status_code == 200 and 'id="scenario-saved"' in r.text
    assert f'<tr data-scenario="{name}">' in r.text  # the list is refreshed out of band
    assert 'hx-swap-oob="true"' in r.text
    stored = {s["name"]: s for s in client.get("/api/scenarios").json()["scenarios"]}
    assert stored[name]["lever"] == "budget_cut" and stored[name]["params"] == {"cut": 0.2}
    r = _save(client, name, "budget_cut", {"cut": "0.15"}, editing=True)  # back to the default
    assert r.status_code == 200 and "updated" in r.text
    stored = {s["name"]: s for s in client.get("/api/scenarios").json()["scenarios"]}
    assert stored[name]["params"] == {}


def test_run_shows_the_api_numbers_and_updates_the_list(client):
    name = _name("staff")
    assert _save(client, name, "staffing_change", {"change": "-0.2"}).status_code == 200
    page = client.post("/scenarios/run", data={"name": name}, headers=HX).text
    api = client.post(f"/api/scenarios/{name}/run").json()
    for key in ("service_cost", "churn_cost", "net_cost"):
        shown = re.search(rf'id="run-{key}">([^<]+)<', page).group(1)
        assert _number(shown) == pytest.approx(api["delta"][key], abs=0.5)
        assert "," in shown or abs(api["delta"][key]) < 1000
    csat = re.search(r'id="run-csat_points">([^<]+)<', page).group(1)
    assert _number(csat) == pytest.approx(api["delta"]["csat_points"], abs=0.05)
    assert csat.endswith("pts")
    # The simulator check of the phone queue: model and simulation service levels.
    assert api["simulation"]
    for check in api["simulation"]:
        table = re.search(rf'<table class="sim-check" data-side="run" data-channel="{check["channel"]}">'
                          r".*?</table>", page, flags=re.S).group(0)
        row = re.search(r'<tr data-field="service_level">.*?</tr>', table, flags=re.S).group(0)
        model, sim, gap = re.findall(r'<td class="n">([^<]+)<', row)
        assert _number(model) == pytest.approx(100 * check["analytic"]["service_level"], abs=0.05)
        assert _number(sim) == pytest.approx(100 * check["simulated"]["service_level"], abs=0.05)
        assert _number(gap) == pytest.approx(100 * check["gap"]["service_level"], abs=0.05)
    row = re.search(rf'<tr data-scenario="{name}">.*?</tr>', page, flags=re.S).group(0)
    net = re.search(r'data-field="net_cost">([^<]+)<', row).group(1)
    assert _number(net) == pytest.approx(api["delta"]["net_cost"], abs=0.5)


def test_unknown_scenario_run_is_an_error_in_place(client):
    r = client.post("/scenarios/run", data={"name": "no-such-scenario"}, headers=HX)
    assert r.status_code == 422 and 'role="alert"' in r.text and "no scenario named" in \
        html.unescape(r.text)


def test_compare_equals_the_api_side_by_side(client):
    params = {"a": "staffing-cut", "b": "billing-to-ivr"}
    page = client.get("/scenarios/compare", params=params, headers=HX).text
    api = client.get("/api/scenarios/compare", params=params).json()
    a, b = api["a"], api["b"]
    for key in ("service_cost", "churn_cost", "net_cost"):
        assert _number(_cell(page, "compare-costs", key, "today")) == pytest.approx(
            a["baseline"][key], abs=0.5)
        assert _number(_cell(page, "compare-costs", key, "a")) == pytest.approx(
            a["scenario"][key], abs=0.5)
        assert _number(_cell(page, "compare-costs", key, "b")) == pytest.approx(
            b["scenario"][key], abs=0.5)
        assert _number(_cell(page, "compare-costs", key, "diff")) == pytest.approx(
            api["b_minus_a"][key], abs=1.0)
    for tier, value in b["scenario"]["csat_points_by_tier"].items():
        assert _number(_cell(page, "compare-tiers", tier, "b")) == pytest.approx(value, abs=0.05)
        assert _number(_cell(page, "compare-tiers", tier, "a")) == pytest.approx(
            a["scenario"]["csat_points_by_tier"][tier], abs=0.05)
    for code, value in a["scenario"]["contacts_by_channel"].items():
        assert _number(_cell(page, "compare-contacts", code, "a")) == pytest.approx(value, abs=0.5)
    for side, run in (("a", a), ("b", b)):
        for check in run["simulation"]:
            table = re.search(rf'<table class="sim-check" data-side="{side}" '
                              rf'data-channel="{check["channel"]}">.*?</table>', page,
                              flags=re.S).group(0)
            row = re.search(r'<tr data-field="p_abandon">.*?</tr>', table, flags=re.S).group(0)
            model, sim, _gap = re.findall(r'<td class="n">([^<]+)<', row)
            assert _number(model) == pytest.approx(100 * check["analytic"]["p_abandon"], abs=0.05)
            assert _number(sim) == pytest.approx(100 * check["simulated"]["p_abandon"], abs=0.05)
    # The chart draws the API's effects, titled with labelled axes.
    fig = re.search(r'<script type="application/json" id="chart-scenario-effect-figure">(.*?)'
                    r"</script>", page, flags=re.S).group(1)
    fig = json.loads(fig)
    assert fig["data"][0]["y"] == pytest.approx([a["delta"][k] for k in
                                                 ("service_cost", "churn_cost", "net_cost")])
    assert fig["layout"]["title"]["text"] and fig["layout"]["yaxis"]["title"]["text"].endswith(
        "per year)")
    assert fig["layout"]["xaxis"]["title"]["text"]


def test_compare_of_an_unknown_scenario_is_an_error_in_place(client):
    r = client.get("/scenarios/compare", params={"a": "nope", "b": "staffing-cut"}, headers=HX)
    assert r.status_code == 422 and "no scenario named" in html.unescape(r.text)
    full = client.get("/scenarios/compare", params={"a": "staffing-cut", "b": "fcr-plus-10"})
    assert full.status_code == 200 and 'id="compare-result"' in full.text and "<html" in full.text


@pytest.mark.parametrize("lever", sorted(TEMPLATES))
def test_defaults_round_trip_through_the_form(lever):
    form = {f"param-{f.name}": f.value for f in param_fields(lever, None)}
    assert parse_params(lever, form) == {}


@settings(max_examples=40, deadline=None)
@given(lever=st.sampled_from(sorted(TEMPLATES)), data=st.data())
def test_numbers_round_trip_through_the_form(lever, data):
    numeric = [f.name for f in param_fields(lever, None) if f.kind == "number"]
    if not numeric:
        return
    key = data.draw(st.sampled_from(numeric))
    value = data.draw(st.floats(-10, 10, allow_nan=False))
    shown = {f.name: f.value for f in param_fields(lever, {key: value})}
    parsed = parse_params(lever, {f"param-{k}": v for k, v in shown.items()})
    assert parsed.get(key, TEMPLATES[lever].defaults[key]) == value


def test_code_lists_parse_to_one_code_or_several():
    assert parse_params("channel_shift", {"param-reasons": "a, b"})["reasons"] == ["a", "b"]
    assert parse_params("channel_shift", {"param-reasons": "a"})["reasons"] == "a"
    with pytest.raises(InvalidInput) as err:
        parse_params("channel_shift", {"param-share": "half"})
    assert err.value.field == "param-share"
    with pytest.raises(InvalidInput) as err:
        parse_params("nope", {})
    assert err.value.field == "lever"


def test_the_form_works_without_javascript(client):
    name = _name("plain")
    data = {"name": name, "lever": "budget_cut", "description": "", "editing": "",
            "param-cut": "2"}
    bad = client.post("/scenarios/save", data=data)
    assert bad.status_code == 422 and "<html" in bad.text and "cut: expected" in bad.text
    good = client.post("/scenarios/save", data={**data, "param-cut": "0.1"})
    assert good.status_code == 200 and "<html" in good.text and 'id="scenario-saved"' in good.text
    assert good.text.count('id="scenario-list"') == 1 and "hx-swap-oob" not in good.text


def test_scenarios_are_for_managers_signed_in_with_the_csrf_token(client, demo_url):
    page = client.get("/scenarios").text
    token = client.headers["X-CSRF-Token"]
    assert f'name="csrf_token" value="{token}"' in page  # the form works without JavaScript
    assert f'"X-CSRF-Token": "{token}"' in html.unescape(page)  # and htmx sends it as a header
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app, follow_redirects=False) as other:
        assert other.get("/scenarios").status_code == 303  # to the sign-in form
        assert other.get("/scenarios/compare", params={"a": "x", "b": "y"},
                         headers=HX).status_code == 401
        sign_in(other, "manager")
        # A signed-in browser without the session's token cannot change anything.
        assert other.post("/scenarios/run", data={"name": "staffing-cut"},
                          headers=HX).status_code == 403
        assert other.post("/scenarios/save", data={"name": _name("x"), "lever": "budget_cut"},
                          headers=HX).status_code == 403
    with TestClient(app, follow_redirects=False) as agent:
        sign_in(agent, "agent")
        assert agent.get("/scenarios").status_code == 403


def test_a_scenario_stored_through_the_api_with_any_name_can_be_edited_and_run(client):
    name = f"api name {uuid.uuid4().hex[:6]}"
    assert client.put(f"/api/scenarios/{name}", json={"lever": "budget_cut"}).status_code == 200
    form = client.get("/scenarios/form", params={"name": name}, headers=HX)
    assert form.status_code == 200 and "readonly" in form.text
    r = _save(client, name, "budget_cut", {"cut": "0.1"}, editing=True)
    assert r.status_code == 200 and "updated" in r.text
    run = client.post("/scenarios/run", data={"name": name}, headers=HX)
    assert run.status_code == 200 and f'data-scenario="{name}"' in run.text
