"""Knowledge base on a real database: versions, search, votes, suggestions, deflection."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from equipoise.core.knowledge import deflection, service
from equipoise.core.knowledge.schemas import ArticleCreate, ArticleUpdate, VoteCreate
from equipoise.kit.errors import Conflict, InvalidInput, NotFound
from equipoise.models import ContactReason
from tests.core.complaints.factories import NOW, add_case

H = dt.timedelta(hours=1)

ARTICLES = [
    ("Reset your password", "Open the sign-in page and choose 'forgot password'. A reset link is emailed."),
    ("Request a refund", "Refunds are paid to the original card within five days. Refund requests need the order."),
    (
        "Boiler pressure too low",
        "If the boiler pressure drops, top up with the filling loop. Call us if it keeps dropping.",
    ),
    ("Book a boiler repair", "Our engineers repair boilers on weekdays. Book a repair visit online."),
]


def _seed(db, world, status="published"):
    out = []
    for title, body in ARTICLES:
        reason = world.reason_id if "repair" in title.lower() else None
        out.append(
            service.create_article(
                db, ArticleCreate(title=title, body=body, status=status, reason_id=reason), NOW, author_user_id=3
            )
        )
    return out


def test_search_ranks_by_bm25_and_hides_drafts(db, world):
    pw, refund, pressure, repair = _seed(db, world)
    hits = service.search(db, "refund to my card")
    assert [h.article_id for h in hits] == [refund.id]
    assert "Refund" in hits[0].snippet
    boiler = service.search(db, "boiler")
    assert {h.article_id for h in boiler} == {pressure.id, repair.id}
    assert boiler[0].score >= boiler[1].score
    assert service.search(db, "the and of") == []
    draft = service.create_article(db, ArticleCreate(title="Refund policy draft", body="refund refund"), NOW)
    assert draft.id not in [h.article_id for h in service.search(db, "refund")]
    assert draft.id in [h.article_id for h in service.search(db, "refund", include_drafts=True)]
    service.update_article(db, pw.id, ArticleUpdate(status="archived"), NOW)
    assert service.search(db, "password") == []
    with pytest.raises(InvalidInput):
        service.search(db, "x", limit=0)


def test_versions_and_reindexing(db, world):
    article = service.create_article(
        db, ArticleCreate(title="Pay by card", body="We take cards.", status="published"), NOW
    )
    assert article.slug == "pay-by-card" and article.current_version == 1
    service.update_article(db, article.id, ArticleUpdate(body="We take direct debit only."), NOW + H, 9)
    assert article.current_version == 2
    assert service.search(db, "card")[0].article_id == article.id  # the title still says card
    assert [h.article_id for h in service.search(db, "debit")] == [article.id]
    service.update_article(db, article.id, ArticleUpdate(title="Pay by direct debit"), NOW + 2 * H)
    assert service.search(db, "card") == []
    versions = service.versions(db, article.id)
    assert [(v.version, v.title) for v in versions] == [
        (1, "Pay by card"),
        (2, "Pay by card"),
        (3, "Pay by direct debit"),
    ]
    assert versions[0].body == "We take cards." and versions[1].author_user_id == 9
    same = service.update_article(db, article.id, ArticleUpdate(title="Pay by direct debit"), NOW)
    assert same.current_version == 3  # nothing changed, no new version
    twin = service.create_article(db, ArticleCreate(title="Pay by card", body="x"), NOW)
    assert twin.slug == "pay-by-card-2"
    with pytest.raises(Conflict):
        service.create_article(db, ArticleCreate(title="t", body="b", slug="pay-by-card"), NOW)
    with pytest.raises(InvalidInput):
        service.create_article(db, ArticleCreate(title="t", body="b", reason_id=999_999), NOW)


def test_votes_one_per_voter(db, world):
    article = _seed(db, world)[0]
    service.vote(db, article.id, VoteCreate(helpful=True, voter_key="s1"), NOW)
    service.vote(db, article.id, VoteCreate(helpful=True, voter_key="s1"), NOW)  # repeat: no change
    service.vote(db, article.id, VoteCreate(helpful=False, voter_key="s2"), NOW)
    service.vote(db, article.id, VoteCreate(helpful=True), NOW)  # anonymous
    assert (article.helpful_yes, article.helpful_no) == (2, 1)
    service.vote(db, article.id, VoteCreate(helpful=True, voter_key="s2"), NOW)  # changed mind
    assert (article.helpful_yes, article.helpful_no) == (3, 0)


def test_suggestions_favour_the_case_reason(db, world):
    _pw, _refund, pressure, repair = _seed(db, world)
    case = add_case(db, world, subject="Boiler keeps losing pressure", resolved=False)
    hits = service.suggest_for_case(db, case.id)
    # "pressure" comes from the subject, "repair" from the reason name ("Repair request"), and the
    # repair article is written for the case's reason, so it is boosted above the pressure one.
    assert [h.article_id for h in hits[:2]] == [repair.id, pressure.id]
    db.get(ContactReason, world.reason_id).name = "Boiler"
    plain = service.search(db, "boiler")
    boosted = service.search(db, "boiler", reason_boost=world.reason_id)
    plain_score = {h.article_id: h.score for h in plain}[repair.id]
    boosted_score = {h.article_id: h.score for h in boosted}[repair.id]
    assert boosted_score == pytest.approx(plain_score * service.SAME_REASON_BOOST, rel=1e-5)
    with pytest.raises(NotFound):
        service.suggest_for_case(db, 999_999)


def test_deflection_within_24_hours(db, world):
    article = _seed(db, world)[1]
    service.record_search(db, "refund", NOW, customer_id=world.customer_id)
    service.record_view(db, article.id, NOW + H, customer_id=world.customer_id)
    service.record_view(db, article.id, NOW, customer_id=world.other_customer_id, session_key="abc")
    service.record_view(db, article.id, NOW, session_key="anon")
    assert article.views == 3
    # The first customer opens a case 20 h after the search (so 19 h after the view).
    add_case(db, world, opened_at=NOW + 20 * H, resolved=False)
    # The other customer opens one 25 h later: outside the window, so that view was a deflection.
    add_case(db, world, customer_id=world.other_customer_id, opened_at=NOW + 25 * H, resolved=False)
    assert deflection.evaluate_deflections(db, NOW + 23 * H) == 0  # windows still open
    assert deflection.evaluate_deflections(db, NOW + 25 * H) == 3
    assert deflection.evaluate_deflections(db, NOW + 48 * H) == 0  # nothing evaluated twice
    report = deflection.deflection_report(db, NOW - H, NOW + 2 * H)
    assert (report.events, report.evaluated, report.deflected, report.followed_by_case) == (4, 3, 1, 2)
    assert report.anonymous == 1 and report.deflection_rate == pytest.approx(1 / 3)
    [row] = report.by_article
    assert (row.article_id, row.events, row.deflected, row.followed_by_case) == (article.id, 3, 1, 1)
    draft = service.create_article(db, ArticleCreate(title="Secret", body="draft"), NOW)
    with pytest.raises(NotFound):
        service.record_view(db, draft.id, NOW)
    with pytest.raises(InvalidInput):
        service.record_search(db, "x", NOW, customer_id=999_999)


def test_validation_names_fields():
    with pytest.raises(ValidationError) as err:
        ArticleCreate(title="", body="", slug="Bad Slug", status="live")
    assert {e["loc"][0] for e in err.value.errors()} == {"title", "body", "slug", "status"}
