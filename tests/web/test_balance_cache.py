"""The balance model cache: the same inputs as a fresh build, a new build when the data changes,
bounded and thread-safe, and the Balance page re-solving without re-measuring."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from equipoise.analytics.backends import connect
from equipoise.config import Settings
from equipoise.db.engine import make_engine
from equipoise.interfaces.app import create_app
from equipoise.kit.errors import InvalidInput
from equipoise.models.cases import Case
from equipoise.models.contacts import Contact
from equipoise.models.customers import Customer
from equipoise.models.meta import DatasetFact
from equipoise.models.surveys import SurveyResponse
from equipoise.planning import cache as model_cache
from equipoise.planning.balance import build_model, recommend_policy, report
from equipoise.planning.cache import ModelCache, data_version, with_constraints
from tests.web.conftest import sign_in


@pytest.fixture(scope="module")
def con(sqlite_demo_url):
    return connect(sqlite_demo_url)


@pytest.fixture(scope="module")
def base(con):
    return build_model(con)


def _same_problem(a, b) -> None:
    pa, pb = a.problem, b.problem
    assert pa.tiers == pb.tiers and pa.reasons == pb.reasons and pa.channels == pb.channels
    assert pa.budget == pb.budget and pa.max_shift == pb.max_shift
    for name in ("volume", "eligible", "current_share", "handle_cost", "fcr", "csat_resolved",
                 "csat_unresolved", "containment", "complaint_rate"):
        np.testing.assert_array_equal(getattr(pa, name), getattr(pb, name), err_msg=name)


def test_constraints_on_the_cached_model_equal_a_fresh_build(con, base):
    tiers = [t.code for t in base.problem.tiers]
    floors, budget = {tiers[0]: 0.6, tiers[-1]: 0.3}, 1e8
    fresh = build_model(con, floors=floors, budget=budget)
    derived = with_constraints(base, floors, budget)
    _same_problem(derived, fresh)
    assert [t.csat_floor for t in derived.problem.tiers] == [floors.get(t) for t in tiers]
    # the whole report (frontier, balance point, recommendation, ranked changes) is the same
    assert report(derived, recommend_policy(derived)) == report(fresh, recommend_policy(fresh))
    assert base.problem.budget is None and all(t.csat_floor is None for t in base.problem.tiers)


def test_unknown_tier_is_the_same_clear_error(con, base):
    with pytest.raises(InvalidInput) as fresh:
        build_model(con, floors={"platinum": 0.9})
    with pytest.raises(InvalidInput) as derived:
        with_constraints(base, {"platinum": 0.9})
    assert str(derived.value) == str(fresh.value) and "platinum" in str(derived.value)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_constraints_replace_rather_than_merge(base, data):
    tiers = [t.code for t in base.problem.tiers]
    share = st.floats(0.0, 1.0, allow_nan=False)
    budget = st.none() | st.floats(0.0, 1e9, allow_nan=False)
    first = data.draw(st.dictionaries(st.sampled_from(tiers), share))
    second = data.draw(st.dictionaries(st.sampled_from(tiers), share))
    b1, b2 = data.draw(budget), data.draw(budget)
    twice = with_constraints(with_constraints(base, first, b1), second, b2)
    once = with_constraints(base, second, b2)
    assert twice.problem.tiers == once.problem.tiers and twice.problem.budget == b2
    assert {t.code: t.csat_floor for t in once.problem.tiers} == {t: second.get(t) for t in tiers}
    assert once.churn is base.churn and once.queues is base.queues


@pytest.fixture
def copy_url(sqlite_demo_url, tmp_path) -> str:
    """A private copy of the demo database, free to change."""
    source = Path(sqlite_demo_url.removeprefix("sqlite:///"))
    target = tmp_path / "copy.sqlite3"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def test_each_change_alone_gives_a_new_version(copy_url):
    engine = make_engine(copy_url)
    seen: list[str] = []
    try:
        with Session(engine) as s:
            contact = s.scalars(select(Contact).order_by(Contact.id.desc())).first()
            row = {c.key: getattr(contact, c.key) for c in Contact.__table__.columns if c.key != "id"}
            open_case = s.scalars(select(Case.id).where(Case.resolved_at.is_(None))).first()
            customer = s.scalars(select(Customer.id).where(Customer.churned_on.is_(None))).first()
            survey = s.scalars(select(SurveyResponse)).first()
            answer = {c.key: getattr(survey, c.key) for c in SurveyResponse.__table__.columns if c.key != "id"}
        changes = [
            insert(Contact).values(**row),
            update(Case).where(Case.id == open_case).values(resolved_at=dt.datetime(2026, 1, 5)),
            update(Customer).where(Customer.id == customer).values(churned_on=dt.date(2026, 1, 1)),
            insert(SurveyResponse).values(**answer),
            update(Case).where(Case.id == open_case).values(is_complaint=True, complained_at=dt.datetime(2026, 1, 4)),
            insert(DatasetFact).values(key="demo.rebuilt", value={"at": "2026-01-06"}),
        ]
        seen.append(data_version(connect(copy_url)))
        seen.append(data_version(connect(copy_url)))
        assert seen[0] == seen[1]
        for stmt in changes:
            with Session(engine) as s:
                s.execute(stmt)
                s.commit()
            seen.append(data_version(connect(copy_url)))
    finally:
        engine.dispose()
    assert len(set(seen)) == len(changes) + 1, seen


class _Builder:
    """A stand-in for build_model that counts its calls (the data version is given by the test)."""

    def __init__(self, pause: float = 0.0) -> None:
        self.calls = 0
        self.pause = pause
        self.lock = threading.Lock()

    def __call__(self, con):
        with self.lock:
            self.calls += 1
        time.sleep(self.pause)
        return object()  # a distinct "model" per build


def test_cache_builds_once_per_version_and_drops_the_older_one(base):
    version = {"v": "1"}
    builder = _Builder()
    cache = ModelCache(max_entries=3, build=builder, version=lambda con: version["v"])
    first = cache.base(None, "db-a")
    assert cache.base(None, "db-a") is first and builder.calls == 1
    version["v"] = "2"
    second = cache.base(None, "db-a")
    assert second is not first and builder.calls == 2 and cache.stats().entries == 1
    version["v"] = "1"  # the data went back: a fresh build, the old entry was dropped
    assert cache.base(None, "db-a") is not first and builder.calls == 3
    assert cache.stats().hits == 1


def test_cache_is_bounded_least_recently_used_first():
    builder = _Builder()
    cache = ModelCache(max_entries=2, build=builder, version=lambda con: "v")
    a = cache.base(None, "a")
    cache.base(None, "b")
    assert cache.base(None, "a") is a  # a is now the most recently used
    cache.base(None, "c")  # evicts b
    assert cache.stats().entries == 2 and builder.calls == 3
    assert cache.base(None, "a") is a and builder.calls == 3
    cache.base(None, "b")
    assert builder.calls == 4
    cache.invalidate("a")
    cache.base(None, "a")
    assert builder.calls == 5
    cache.invalidate()
    assert cache.stats().entries == 0


def test_cache_entries_expire_after_max_age():
    now = [100.0]
    builder = _Builder()
    cache = ModelCache(max_age=60.0, build=builder, version=lambda con: "v", clock=lambda: now[0])
    m = cache.base(None, "a")
    now[0] += 59.0
    assert cache.base(None, "a") is m
    now[0] += 2.0
    assert cache.base(None, "a") is not m and builder.calls == 2


def test_concurrent_requests_share_one_build():
    builder = _Builder(pause=0.3)
    cache = ModelCache(build=builder, version=lambda con: "v")
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(cache.base(None, "a"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builder.calls == 1 and len(got) == 8 and all(g is got[0] for g in got)


def test_a_failed_build_is_not_cached_and_frees_the_key():
    calls = []

    def failing(con):
        calls.append(1)
        if len(calls) == 1:
            raise InvalidInput("the database holds no inbound contacts: nothing to measure")
        return object()

    cache = ModelCache(build=failing, version=lambda con: "v")
    with pytest.raises(InvalidInput):
        cache.base(None, "a")
    assert cache.base(None, "a") is not None and len(calls) == 2


def test_cache_rejects_bad_bounds():
    with pytest.raises(ValueError, match="max_entries"):
        ModelCache(max_entries=0)
    with pytest.raises(ValueError, match="max_age"):
        ModelCache(max_age=0)


def test_balance_page_reruns_reuse_the_measured_model(sqlite_demo_url, base):
    model_cache.MODELS.invalidate()
    before = model_cache.MODELS.stats()
    with TestClient(create_app(Settings(database_url=sqlite_demo_url))) as client:
        sign_in(client, "manager")
        hx = {"HX-Request": "true"}
        plain = client.get("/balance", params={"top_floor": "", "budget": ""}, headers=hx)
        floored = client.get("/balance", params={"top_floor": "73", "budget": ""}, headers=hx)
        capped = client.get("/balance", params={"top_floor": "", "budget": "1000000"}, headers=hx)
        api = client.get("/api/balance/optimize", params={"csat_floor": "top=73"})
    assert plain.status_code == floored.status_code == 200
    assert capped.status_code in (200, 422) and api.status_code == 200
    after = model_cache.MODELS.stats()
    assert after.builds - before.builds == 1  # measured once, solved four times
    assert after.hits - before.hits >= 3
    assert plain.text != floored.text  # the floor changed the result
    fresh = build_model(connect(sqlite_demo_url), floors={"top": 0.73})
    expected = report(fresh, recommend_policy(fresh))["recommended"]["service_cost"]
    assert api.json()["recommended"]["service_cost"] == pytest.approx(expected, rel=1e-12)
