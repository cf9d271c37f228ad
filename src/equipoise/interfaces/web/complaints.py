"""The complaints board: complaints still being handled, grouped by status, with severity and age."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from equipoise.core.auth.schemas import Principal
from equipoise.core.complaints import service as complaint_service
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.interfaces.web.cases import remaining_text
from equipoise.interfaces.web.login import PageUser
from equipoise.interfaces.web.templating import render
from equipoise.models.customers import Customer

router = APIRouter(include_in_schema=False)

#: Columns of the board, in the order a complaint moves through them (resolved and closed ones are done).
BOARD_STATUSES = ("open", "investigating")
#: Most complaints read per column.
COLUMN_LIMIT = 500


@dataclass(frozen=True)
class Card:
    """A complaint as the board shows it."""

    complaint: Any
    customer: str
    age_seconds: float

    @property
    def age(self) -> str:
        """Time since the complaint was flagged, in calendar time ("3 d 4 h")."""
        return remaining_text(self.age_seconds)


def board(session: Session, principal: Principal, now: dt.datetime) -> dict[str, list[Card]]:
    """Unfinished complaints the caller may see, by status, most severe then oldest first."""
    teams = None if principal.sees_all_teams else principal.team_ids
    columns: dict[str, list[Card]] = {}
    for status in BOARD_STATUSES:
        rows = complaint_service.list_complaints(session, status=status, team_ids=teams, limit=COLUMN_LIMIT)
        cards = []
        for c in rows:
            customer = session.get(Customer, c.customer_id)
            cards.append(Card(c, customer.name if customer else "—", (now - c.flagged_at).total_seconds()))
        cards.sort(key=lambda card: (-card.complaint.severity, card.complaint.flagged_at, card.complaint.id))
        columns[status] = cards
    return columns


@router.get("/complaints", response_class=HTMLResponse)
def complaints_board(request: Request, principal: PageUser, db: DbSession, at: Now) -> HTMLResponse:
    """Open and investigating complaints with severity and age."""
    columns = board(db, principal, at)
    return render(request, "complaints.html", {"columns": columns,
                                               "total": sum(len(v) for v in columns.values())})
