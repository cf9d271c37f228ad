"""Tiny factory helpers building hand-made contact histories with the ORM models."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from equipoise.models import Channel, Contact, ContactReason, Customer, OrgUnit

_seq = itertools.count(1)


@dataclass(frozen=True)
class Refs:
    """Ids of the rows every contact needs."""

    customer_id: int
    reason_id: int
    team_id: int


def make_refs(session: Session) -> Refs:
    """One team, one customer and one contact reason."""
    n = next(_seq)
    team = OrgUnit(code=f"team-{n}", name=f"Team {n}", kind="team")
    customer = Customer(external_ref=f"cust-{n}", name=f"Customer {n}", tier="mid")
    reason = ContactReason(code=f"reason-{n}", name=f"Reason {n}", category="billing")
    session.add_all([team, customer, reason])
    session.flush()
    return Refs(customer_id=customer.id, reason_id=reason.id, team_id=team.id)


def make_channel(session: Session, code: str, *, staffed: bool = True) -> Channel:
    """A channel open Monday-Friday 08:00-18:00."""
    hours = {str(d): ([8, 18] if d < 5 else None) for d in range(7)}
    channel = Channel(code=code, name=code.title(), staffed=staffed, opening_hours=hours)
    session.add(channel)
    session.flush()
    return channel


def make_contact(session: Session, refs: Refs, channel: Channel, arrived_at: dt.datetime, *,
                 wait: float = 0.0, handle: float = 300.0, abandoned: bool = False,
                 queued: bool = True, direction: str = "inbound", kind: str = "first") -> Contact:
    """One contact: queued (unless ``queued=False``), answered or abandoned after ``wait`` s."""
    queued_at = arrived_at if queued else None
    waited = dt.timedelta(seconds=wait)
    if abandoned:
        answered_at, ended_at, handle, outcome = None, arrived_at + waited, 0.0, "abandoned"
    else:
        answered_at = arrived_at + waited
        ended_at = answered_at + dt.timedelta(seconds=handle)
        outcome = "resolved"
    contact = Contact(
        customer_id=refs.customer_id, channel_id=channel.id, reason_id=refs.reason_id,
        team_id=refs.team_id, direction=direction, kind=kind, arrived_at=arrived_at,
        queued_at=queued_at, answered_at=answered_at, ended_at=ended_at, wait_seconds=wait,
        handle_seconds=handle, abandoned=abandoned, outcome=outcome,
    )
    session.add(contact)
    return contact
