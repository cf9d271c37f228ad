"""Business calendars are read once per process and database, and forgotten when they change."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, insert

from equipoise.core.sla import service
from equipoise.db.engine import make_engine, session_scope
from equipoise.models.sla import Holiday, SlaPolicy
from tests.core.auth.factories import seed_org


def _count_queries(engine):
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_calendar_is_cached_and_invalidated(database_url, monkeypatch):
    service.clear_calendar_cache()
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        policy_id = s.query(SlaPolicy).filter_by(calendar_id=org.calendar).first().id
    seen = _count_queries(engine)
    with session_scope(engine) as s:
        policy = s.get(SlaPolicy, policy_id)
        first = service.calendar_for(s, policy)
        reads = len(seen)
        assert service.calendar_for(s, policy) is first and len(seen) == reads  # no query the second time
        s.add(Holiday(calendar_id=org.calendar, day=dt.date(2026, 12, 25), name="Christmas"))
        s.flush()  # an ORM write in this process invalidates
        again = service.calendar_for(s, policy)
        assert dt.date(2026, 12, 25) in again.holidays and again is not first
    with session_scope(engine) as s:  # a write the ORM does not see is picked up after the TTL
        s.execute(insert(Holiday).values(calendar_id=org.calendar, day=dt.date(2026, 12, 26), name="Boxing Day"))
    with session_scope(engine) as s:
        policy = s.get(SlaPolicy, policy_id)
        assert dt.date(2026, 12, 26) not in service.calendar_for(s, policy).holidays
        monkeypatch.setattr(service, "CALENDAR_TTL_SECONDS", 0.0)
        assert dt.date(2026, 12, 26) in service.calendar_for(s, policy).holidays
    engine.dispose()
    service.clear_calendar_cache()
