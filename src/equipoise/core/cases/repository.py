"""Queries on cases, their notes, status history, merges and attached contacts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Row, Select, String, bindparam, cast, func, select, update
from sqlalchemy.orm import Session

from equipoise.models.case_extras import CaseMerge, CaseNote, CaseStatusChange
from equipoise.models.cases import Case
from equipoise.models.channels import Channel, ContactReason
from equipoise.models.contacts import Contact
from equipoise.models.customers import Customer
from equipoise.models.org import Agent, OrgUnit


def get(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


def get_by_external_ref(session: Session, ref: str) -> Case | None:
    return session.scalars(select(Case).where(Case.external_ref == ref)).one_or_none()


def bump_version(session: Session, case_id: int, expected: int) -> bool:
    """Increment the version only if it is still ``expected`` (takes the row lock); False on a lost race."""
    result = session.execute(update(Case).where(Case.id == case_id, Case.version == expected)
                             .values(version=expected + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


_PAGE_FILTERS = ("status", "status_category", "priority", "team_id", "assigned_agent_id", "customer_id", "channel_id",
                 "reason_id")


@lru_cache(maxsize=512)
def _page_statement(by_team: bool, filters: tuple[str, ...], tag: bool, before: bool) -> Select:
    """The list statement for one combination of filters, built once (values are bound at execution)."""
    query = select(Case)
    if by_team:
        query = query.where(Case.team_id.in_(bindparam("team_ids", expanding=True)))
    for column in filters:
        query = query.where(getattr(Case, column) == bindparam(f"filter_{column}"))
    if tag:
        query = query.where(cast(Case.tags, String).like(bindparam("tag_pattern"), escape="\\"))
    if before:
        query = query.where(Case.id < bindparam("before_id"))
    return query.order_by(Case.id.desc())


def page(session: Session, *, team_ids: Collection[int] | None, filters: dict, before_id: int | None,
         limit: int) -> list[Case]:
    """Newest cases first, optionally limited to ``team_ids``, with equality filters and a tag filter."""
    present = tuple(column for column in _PAGE_FILTERS if filters.get(column) is not None)
    params: dict = {f"filter_{column}": filters[column] for column in present}
    if team_ids is not None:
        params["team_ids"] = list(team_ids)
    if filters.get("tag"):
        tag = filters["tag"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["tag_pattern"] = f'%"{tag}"%'
    if before_id is not None:
        params["before_id"] = before_id
    query = _page_statement(team_ids is not None, present, bool(filters.get("tag")), before_id is not None)
    return list(session.scalars(query.limit(limit), params))


def customer(session: Session, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def channel(session: Session, channel_id: int) -> Channel | None:
    return session.get(Channel, channel_id)


def reason(session: Session, reason_id: int) -> ContactReason | None:
    return session.get(ContactReason, reason_id)


def agent(session: Session, agent_id: int) -> Agent | None:
    return session.get(Agent, agent_id)


def team_exists(session: Session, team_id: int) -> bool:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.id == team_id)) is not None


@dataclass(frozen=True)
class CreationFacts:
    """What opening a case needs to know about the ids it was given, read in one round trip.

    A field is None when its row does not exist (a customer's tier is never null)."""

    customer_tier: str | None
    reason_code: str | None
    channel_code: str | None


# Built once: the statements of every case creation (constructing a statement costs more CPU than
# running it on a warm connection). They read plain columns, so they run on the session's
# connection past the ORM layer, after flushing what the session holds (as autoflush would).
_CREATION_FACTS = select(
    select(Customer.tier).where(Customer.id == bindparam("customer_id")).scalar_subquery(),
    select(ContactReason.code).where(ContactReason.id == bindparam("reason_id")).scalar_subquery(),
    select(Channel.code).where(Channel.id == bindparam("channel_id")).scalar_subquery(),
)
_ACTIVE_AGENTS = (select(Agent.id, Agent.team_id, Agent.skills, Agent.hourly_cost)
                  .where(Agent.left_on.is_(None)).order_by(Agent.id))
_ACTIVE_AGENTS_IN_TEAMS = _ACTIVE_AGENTS.where(Agent.team_id.in_(bindparam("team_ids", expanding=True)))
_OPEN_CASES = (select(Case.assigned_agent_id, func.count())
               .where(Case.assigned_agent_id.in_(bindparam("agent_ids", expanding=True)),
                      Case.status_category.in_(("open", "paused")))
               .group_by(Case.assigned_agent_id))


def creation_facts(session: Session, *, customer_id: int, reason_id: int, channel_id: int) -> CreationFacts:
    """The customer's tier and the codes of the contact reason and channel, as one statement."""
    session.flush()
    row = session.connection().execute(_CREATION_FACTS, {"customer_id": customer_id, "reason_id": reason_id,
                                                         "channel_id": channel_id}).one()
    return CreationFacts(customer_tier=row[0], reason_code=row[1], channel_code=row[2])


def active_agents(session: Session, team_ids: Collection[int] | None) -> list[Row]:
    """Agents still employed (optionally in ``team_ids``) as rows of (id, team_id, skills, hourly_cost)."""
    session.flush()
    if team_ids is None:
        return list(session.connection().execute(_ACTIVE_AGENTS))
    teams = sorted(team_ids)
    if not teams:
        return []
    return list(session.connection().execute(_ACTIVE_AGENTS_IN_TEAMS, {"team_ids": teams}))


def open_case_counts(session: Session, agent_ids: Collection[int]) -> dict[int, int]:
    """The number of unresolved (open or paused) cases of each of ``agent_ids`` (absent: none).

    An index-only count on (assigned_agent_id, status_category): its cost grows with the open
    cases counted, so routing asks only for the agents whose load can decide."""
    if not agent_ids:
        return {}
    session.flush()
    rows = session.connection().execute(_OPEN_CASES, {"agent_ids": sorted(agent_ids)})
    return {agent_id: int(n) for agent_id, n in rows}


def add_status_change(session: Session, change: CaseStatusChange) -> None:
    session.add(change)


def notes(session: Session, case_id: int) -> list[CaseNote]:
    return list(session.scalars(select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)))


def merged_into(session: Session, case_id: int) -> int | None:
    return session.scalar(select(CaseMerge.target_case_id).where(CaseMerge.source_case_id == case_id))


def contacts(session: Session, case_id: int) -> list[Contact]:
    return list(session.scalars(select(Contact).where(Contact.case_id == case_id).order_by(Contact.id)))


def contact(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def move_contacts(session: Session, source_id: int, target_id: int) -> int:
    return session.execute(update(Contact).where(Contact.case_id == source_id).values(case_id=target_id)
                           .execution_options(synchronize_session=False)).rowcount


def cost(session: Session, case_id: int) -> tuple[int, float]:
    n, total = session.execute(select(func.count(Contact.id), func.coalesce(func.sum(Contact.cost), 0.0))
                               .where(Contact.case_id == case_id)).one()
    return int(n), float(total)
