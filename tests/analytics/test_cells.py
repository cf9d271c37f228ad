"""Cell measurements and customer-month features against direct pandas oracles, on every backend."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from equipoise.analytics import cells
from equipoise.analytics.backends import connect
from equipoise.db.engine import make_engine


@pytest.fixture(scope="module")
def raw(demo_url):
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        frames = {name: pd.read_sql(text(f"SELECT * FROM {name}"), conn)
                  for name in ("contacts", "customers", "channels", "cases", "survey_responses")}
    engine.dispose()
    return frames


@pytest.fixture(scope="module")
def con(demo_url):
    return connect(demo_url)


def _month(ts: pd.Series) -> pd.Series:
    ts = pd.to_datetime(ts)
    return ts.dt.year * 12 + ts.dt.month - 1


def test_cell_contacts_add_up(con, raw):
    cc = cells.cell_contacts(con).to_pandas()
    inbound = raw["contacts"][raw["contacts"]["direction"] == "inbound"]
    assert cc["contacts"].sum() == len(inbound)
    assert cc["cost"].sum() == pytest.approx(inbound["cost"].sum())
    phone_id = int(raw["channels"].loc[raw["channels"]["code"] == "phone", "id"].iloc[0])
    ph = inbound[inbound["channel_id"] == phone_id]
    answered = ph[ph["answered_at"].notna() & ~ph["abandoned"].astype(bool)]
    got = cc[cc["channel"] == "phone"]
    assert got["answered"].sum() == len(answered)
    assert got["abandoned"].sum() == int(ph["abandoned"].astype(bool).sum())
    rate = (got["resolution_rate"] * got["answered"]).sum() / got["answered"].sum()
    assert rate == pytest.approx((answered["outcome"] == "resolved").mean())
    auto = cc[cc["channel"].isin(["ivr", "self_service"])]
    assert auto["containment_rate"].between(0, 1).all()
    assert cc.loc[cc["channel"] == "phone", "containment_rate"].isna().all()


def test_cell_issues_are_cases_by_first_channel(con, raw):
    ci = cells.cell_issues(con).to_pandas()
    assert ci["issues"].sum() == len(raw["cases"])
    assert ci["complaints"].sum() == int(raw["cases"]["is_complaint"].astype(bool).sum())
    assert (ci["slow_complaints"] <= ci["complaints"]).all()
    assert ci["fcr"].between(0, 1).all()


def test_customer_months_match_an_oracle(con, raw):
    cm = cells.customer_months(con).to_pandas()
    c = raw["contacts"]
    c = c[c["direction"] == "inbound"].assign(month=_month(c["arrived_at"]))
    unresolved = c[c["outcome"].isin(["unresolved", "abandoned"])].groupby(
        ["customer_id", "month"]).size()
    got = cm.set_index(["customer_id", "month"])["unresolved"]
    joined = got.to_frame().join(unresolved.rename("oracle"), how="left").fillna(0)
    assert (joined["unresolved"] == joined["oracle"]).all()
    # every unresolved contact of a non-prospect customer lands on some customer-month row
    cust = raw["customers"].set_index("id")
    keep = unresolved[cust.loc[unresolved.index.get_level_values(0), "tier"].to_numpy()
                      != "prospect"]
    assert cm["unresolved"].sum() == keep.sum()
    # churners: one churn month each, their last row
    churned = cust[cust["churned_on"].notna()]
    assert cm["churned"].sum() == len(churned)
    last = cm.groupby("customer_id")["month"].max()
    flagged = cm[cm["churned"] == 1].set_index("customer_id")["month"]
    assert (flagged == last.loc[flagged.index]).all()
    assert (cm.loc[cm["surveyed"] == 0, "deficit_surveyed"] == 0).all()
    assert (cm["csat_deficit"] >= 0).all() and (cm["csat_deficit"] <= 3).all()
    assert (cm.loc[cm["experienced"] == 0, "csat_deficit"] == 0).all()


def test_slots_and_staffing(con, raw):
    slots = cells.channel_slots(con).to_pandas()
    assert set(slots["channel"]) <= {"phone", "email", "chat", "field", "social"}
    assert slots["weekday"].between(0, 6).all() and slots["hour"].between(0, 23).all()
    assert (slots["answered_in_target"] <= slots["answered"]).all()
    staff = cells.channel_staffing(con).to_pandas()
    assert (staff["paid_cost"] > 0).all() and (staff["paid_hours"] > 0).all()
    el = cells.eligibility(con).to_pandas()
    assert ("billing_question", "ivr") in set(map(tuple, el.to_numpy()))
    rs = cells.reasons(con).to_pandas()
    assert "billing" not in set(rs["reason"])  # categories are parents, not contact reasons
