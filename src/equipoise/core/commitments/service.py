"""Record promises to customers, settle them as kept or broken, list the overdue ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from equipoise.core.commitments import repository as repo
from equipoise.core.commitments.schemas import (
    CommitmentCreate,
    CommitmentSettle,
    CommitmentStats,
    CommitmentUpdate,
    OverdueCommitment,
)
from equipoise.kit.errors import Conflict, InvalidInput, NotFound
from equipoise.models.cases import Case
from equipoise.models.commitments import COMMITMENT_STATUSES, Commitment
from equipoise.models.customers import Customer
from equipoise.models.org import Agent


def get_commitment(session: Session, commitment_id: int) -> Commitment:
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(f"commitment {commitment_id} not found")
    return commitment


def _check_owner(session: Session, agent_id: int | None) -> None:
    if agent_id is not None and session.get(Agent, agent_id) is None:
        raise InvalidInput(f"agent {agent_id} does not exist", field="owner_agent_id")


def create_commitment(session: Session, data: CommitmentCreate, now: dt.datetime) -> Commitment:
    """Record a promise; the customer comes from the case when only the case is given."""
    customer_id = data.customer_id
    if data.case_id is not None:
        case = session.get(Case, data.case_id)
        if case is None:
            raise InvalidInput(f"case {data.case_id} does not exist", field="case_id")
        if customer_id is not None and customer_id != case.customer_id:
            raise InvalidInput(f"case {case.id} belongs to customer {case.customer_id}", field="customer_id")
        customer_id = case.customer_id
    if customer_id is None:
        raise InvalidInput("give the customer or the case the promise was made in", field="customer_id")
    if session.get(Customer, customer_id) is None:
        raise InvalidInput(f"customer {customer_id} does not exist", field="customer_id")
    _check_owner(session, data.owner_agent_id)
    commitment = Commitment(
        customer_id=customer_id,
        case_id=data.case_id,
        promise=data.promise,
        due_at=data.due_at,
        owner_agent_id=data.owner_agent_id,
        owner_user_id=data.owner_user_id,
        note=data.note,
        status="open",
        created_at=now,
    )
    session.add(commitment)
    session.flush()
    return commitment


def update_commitment(session: Session, commitment_id: int, data: CommitmentUpdate) -> Commitment:
    """Change an open commitment (only the fields given)."""
    commitment = get_commitment(session, commitment_id)
    if commitment.status != "open":
        raise Conflict(f"commitment is already {commitment.status}", field="status")
    changes = data.model_dump(exclude_unset=True)
    for key in ("promise", "due_at"):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{key} cannot be null", field=key)
    _check_owner(session, changes.get("owner_agent_id"))
    for key, value in changes.items():
        setattr(commitment, key, value)
    session.flush()
    return commitment


def settle(session: Session, commitment_id: int, data: CommitmentSettle, now: dt.datetime) -> Commitment:
    """Mark an open commitment kept, broken or cancelled."""
    commitment = get_commitment(session, commitment_id)
    if commitment.status != "open":
        raise Conflict(f"commitment is already {commitment.status}", field="status")
    commitment.status, commitment.settled_at = data.outcome, now
    if data.note:
        commitment.note = data.note
    session.flush()
    return commitment


def list_commitments(
    session: Session,
    *,
    status: str | None = None,
    customer_id: int | None = None,
    case_id: int | None = None,
    owner_agent_id: int | None = None,
    team_ids: frozenset[int] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Commitment]:
    """Commitments by due time; ``team_ids`` keeps those made in cases of these teams."""
    if status is not None and status not in COMMITMENT_STATUSES:
        raise InvalidInput(f"status: expected one of {', '.join(COMMITMENT_STATUSES)}", field="status")
    return repo.list_commitments(
        session,
        status=status,
        customer_id=customer_id,
        case_id=case_id,
        owner_agent_id=owner_agent_id,
        team_ids=team_ids,
        limit=limit,
        offset=offset,
    )


def overdue(
    session: Session,
    now: dt.datetime,
    *,
    owner_agent_id: int | None = None,
    team_ids: frozenset[int] | None = None,
    limit: int = 500,
) -> list[OverdueCommitment]:
    """Open commitments past due at ``now``, the longest overdue first."""
    rows = repo.overdue(session, now, owner_agent_id=owner_agent_id, team_ids=team_ids, limit=limit)
    return [
        OverdueCommitment.model_validate(
            {
                **{k: getattr(c, k) for k in OverdueCommitment.model_fields if k != "hours_overdue"},
                "hours_overdue": (now - c.due_at).total_seconds() / 3600.0,
            }
        )
        for c in rows
    ]


def stats(session: Session, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> CommitmentStats:
    """Kept and broken counts over commitments due in [start, end)."""
    if end <= start:
        raise InvalidInput("end: expected a time after start", field="end")
    rows = repo.due_between(session, start, end)
    count = {s: sum(1 for c in rows if c.status == s) for s in COMMITMENT_STATUSES}
    settled = count["kept"] + count["broken"]
    on_time = sum(1 for c in rows if c.status == "kept" and c.settled_at is not None and c.settled_at <= c.due_at)
    return CommitmentStats(
        start=start,
        end=end,
        due=len(rows),
        kept=count["kept"],
        broken=count["broken"],
        cancelled=count["cancelled"],
        open=count["open"],
        overdue=sum(1 for c in rows if c.status == "open" and c.due_at < now),
        kept_rate=count["kept"] / settled if settled else None,
        kept_on_time_rate=on_time / count["kept"] if count["kept"] else None,
    )
