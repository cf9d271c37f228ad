"""GET /api/overview: contacts, cost and CSAT by channel and by customer tier."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from ibis.backends import BaseBackend

from equipoise.analytics.snapshot import DEFINITIONS, snapshot
from equipoise.interfaces.api.auth import require_roles
from equipoise.interfaces.api.deps import analytics

#: The overview is mostly money (cost by channel and tier): managers and admins only.
router = APIRouter(tags=["overview"], dependencies=[Depends(require_roles("manager", "admin"))])


@router.get("/overview")
def get_overview(con: BaseBackend = Depends(analytics)) -> dict:
    """The headline snapshot over all data, with the definition of every figure."""
    snap = snapshot(con)
    return {"totals": snap.totals, "by_channel": snap.by_channel, "by_tier": snap.by_tier,
            "definitions": DEFINITIONS}
