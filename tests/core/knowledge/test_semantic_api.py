"""Knowledge search modes over HTTP: the ``mode`` parameter, the settings, and the 422 without the extra."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from equipoise.core.knowledge import semantic
from equipoise.core.knowledge.samples import SAMPLE_ARTICLES
from equipoise.db.engine import make_engine, session_scope
from equipoise.models.knowledge import KbEmbedding
from tests.core.complaints.api_app import env  # noqa: F401

needs_extra = pytest.mark.skipif(
    not semantic.extra_installed(),
    reason='the [semantic] extra is not installed (pip install torch==2.13.0, then pip install -e ".[semantic]")',
)


def _settings(env, **changes):  # noqa: F811
    app = env.client.app
    app.state.settings = app.state.settings.model_copy(update=changes)


def _publish(env, articles):  # noqa: F811
    ids = []
    for title, body in articles:
        r = env.client.post(
            "/api/knowledge/articles", json={"title": title, "body": body, "status": "published"}, headers=env.h("lead")
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def _search(env, **params):  # noqa: F811
    return env.client.get("/api/knowledge/search", params=params, headers=env.h("agent"))


def _vectors(env):  # noqa: F811
    engine = make_engine(env.url)
    with session_scope(engine) as s:
        out = {r.article_id: (r.version, r.model) for r in s.scalars(select(KbEmbedding))}
    engine.dispose()
    return out


def test_without_the_extra_semantic_is_a_422_and_auto_is_bm25(env):  # noqa: F811
    _settings(env, kb_semantic=False)
    _publish(env, SAMPLE_ARTICLES[:6])
    assert _vectors(env) == {}
    for mode in ("semantic", "hybrid"):
        r = _search(env, q="I can't get into my account", mode=mode)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "mode" and "pip install torch==2.13.0" in r.json()["detail"]
    auto = _search(env, q="refund card", mode="auto").json()
    assert auto == _search(env, q="refund card", mode="bm25").json() == _search(env, q="refund card").json()
    assert auto[0]["title"] == "Requesting a refund"
    r = _search(env, q="refund", mode="fuzzy")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "mode"]
    # A default mode that needs the extra is refused the same way.
    _settings(env, kb_semantic=False, kb_search_mode="semantic")
    assert _search(env, q="refund").status_code == 422
    sugg = env.client.get("/api/knowledge/suggestions", params={"case_id": env.world.case_id}, headers=env.h("agent"))
    assert sugg.status_code == 200


@needs_extra
def test_with_the_extra_articles_are_embedded_and_found_by_meaning(env):  # noqa: F811
    _settings(env, kb_semantic=True, kb_search_mode="auto")
    ids = _publish(env, SAMPLE_ARTICLES[:8])
    vectors = _vectors(env)
    assert set(vectors) == set(ids) and {v[0] for v in vectors.values()} == {1}
    r = env.client.patch(
        f"/api/knowledge/articles/{ids[0]}", json={"body": "Pick 'Forgot password' and follow the emailed link."},
        headers=env.h("lead"),
    )
    assert r.status_code == 200 and _vectors(env)[ids[0]][0] == 2
    hits = _search(env, q="I can't get into my account", mode="semantic").json()
    assert hits[0]["title"] == "Resetting a forgotten password"
    assert all(semantic.MIN_SIMILARITY <= h["score"] <= 1.0 + 1e-6 for h in hits)
    auto = _search(env, q="I can't get into my account").json()
    assert auto == _search(env, q="I can't get into my account", mode="hybrid").json()
    assert "Resetting a forgotten password" in [h["title"] for h in auto[:3]]
