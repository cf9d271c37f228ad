"""Queries on users, their teams, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from equipoise.models.audit import AuditEntry
from equipoise.models.auth import ApiToken, User, UserSession, user_teams
from equipoise.models.org import Agent, OrgUnit


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()


def list_users(session: Session, *, limit: int, offset: int) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id).limit(limit).offset(offset)))


def count_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.role == "admin",
                                                                       User.is_active.is_(True))) or 0


def team_ids(session: Session, user_id: int) -> list[int]:
    rows = session.execute(select(user_teams.c.team_id).where(user_teams.c.user_id == user_id)
                           .order_by(user_teams.c.team_id))
    return [int(r[0]) for r in rows]


def team_ids_for_users(session: Session, user_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(user_ids)
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(select(user_teams.c.user_id, user_teams.c.team_id)
                           .where(user_teams.c.user_id.in_(ids)).order_by(user_teams.c.team_id))
    for uid, tid in rows:
        out[int(uid)].append(int(tid))
    return out


def set_team_ids(session: Session, user_id: int, teams: Iterable[int]) -> None:
    session.execute(delete(user_teams).where(user_teams.c.user_id == user_id))
    rows = [{"user_id": user_id, "team_id": t} for t in sorted(set(teams))]
    if rows:
        session.execute(insert(user_teams), rows)


def existing_team_ids(session: Session, ids: Iterable[int]) -> set[int]:
    wanted = set(ids)
    if not wanted:
        return set()
    return set(session.scalars(select(OrgUnit.id).where(OrgUnit.id.in_(wanted))))


def agent_team(session: Session, agent_id: int) -> int | None:
    """The team of agent ``agent_id``, or None when there is no such agent."""
    return session.scalar(select(Agent.team_id).where(Agent.id == agent_id))


def get_session_by_digest(session: Session, secret_hash: str) -> UserSession | None:
    return session.scalars(select(UserSession).where(UserSession.secret_hash == secret_hash)).one_or_none()


def delete_session(session: Session, secret_hash: str) -> int:
    return session.execute(delete(UserSession).where(UserSession.secret_hash == secret_hash)).rowcount


def delete_expired_sessions(session: Session, user_id: int, now: dt.datetime) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user_id, UserSession.expires_at <= now))


def get_token_by_digest(session: Session, secret_hash: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.secret_hash == secret_hash)).one_or_none()


def get_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def list_tokens(session: Session, user_id: int | None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def recent_failures(session: Session, entity: str, key: str, *, failed: str, reset: str,
                    since: dt.datetime) -> list[dt.datetime]:
    """When the ``failed`` audit entries of (``entity``, ``key``) after ``since`` and after its latest
    ``reset`` entry were written, oldest first (the (entity, entity_id) index serves both parts)."""
    last_reset = (select(func.coalesce(func.max(AuditEntry.id), 0))
                  .where(AuditEntry.entity == entity, AuditEntry.entity_id == key, AuditEntry.action == reset)
                  .scalar_subquery())
    return list(session.scalars(select(AuditEntry.at)
                                .where(AuditEntry.entity == entity, AuditEntry.entity_id == key,
                                       AuditEntry.action == failed, AuditEntry.at > since,
                                       AuditEntry.id > last_reset)
                                .order_by(AuditEntry.at)))
