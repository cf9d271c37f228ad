"""Match or create the dimensions imported rows point to: customers, agents, teams, reasons, channels.

Lookups are cached for the whole import; rows created inside a batch are part of that batch's
transaction. Created rows get the mapping's defaults (tier, team, loaded hourly cost).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, MetaData, Table, insert, select

from equipoise.db.bulk import reserve_ids, write_columns
from equipoise.models import Agent, Channel, ContactReason, OrgUnit

_CHUNK = 2000

#: Defaults for channels an import creates (cost model per DESIGN §2; edit the channel afterwards).
CHANNEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "phone": {"name": "Phone (agent)", "staffed": True, "concurrency": 1.0, "tech_cost_per_contact": 1.8,
              "service_level_seconds": 30.0},
    "ivr": {"name": "IVR (automated voice)", "staffed": False, "concurrency": 1.0,
            "tech_cost_per_contact": 0.6, "service_level_seconds": 0.0},
    "email": {"name": "Email", "staffed": True, "concurrency": 1.0, "tech_cost_per_contact": 0.4,
              "service_level_seconds": 86_400.0},
    "chat": {"name": "Live chat", "staffed": True, "concurrency": 2.5, "tech_cost_per_contact": 0.9,
             "service_level_seconds": 300.0},
    "self_service": {"name": "Web self-service", "staffed": False, "concurrency": 1.0,
                     "tech_cost_per_contact": 0.35, "service_level_seconds": 0.0},
    "field": {"name": "Field visit", "staffed": True, "concurrency": 1.0, "tech_cost_per_contact": 40.0,
              "service_level_seconds": 172_800.0},
    "social": {"name": "Social media", "staffed": True, "concurrency": 2.0,
               "tech_cost_per_contact": 0.6, "service_level_seconds": 14_400.0},
}
TIERS = ("top", "high", "mid", "low", "inactive", "prospect")


def slug(text: str, limit: int = 64) -> str:
    """A code from free text: lower case, words joined by underscores."""
    out = re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")
    return (out or "unspecified")[:limit]


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    code: str
    staffed: bool
    concurrency: float
    tech_cost: float


@dataclass(frozen=True)
class AgentInfo:
    id: int
    team_id: int
    hourly_cost: float


def _in_chunks(conn: Connection, stmt_for, values: list[str]) -> list[Any]:
    rows: list[Any] = []
    for i in range(0, len(values), _CHUNK):
        rows.extend(conn.execute(stmt_for(values[i:i + _CHUNK])).all())
    return rows


def lookup(conn: Connection, table: str, key: str, columns: tuple[str, ...], keys: list) -> list[tuple]:
    """Rows ``(key, *columns)`` of ``table`` whose ``key`` is in ``keys``, in one round trip per 50k keys.

    The keys travel as one JSON text parameter rather than one bind parameter (or one array element
    adapted in Python) each, so long lists cost neither statement parsing nor per-key conversions.
    Keys are all text or all integers.
    """
    cols = ", ".join(f'"{c}"' for c in (key, *columns))
    dialect = conn.dialect.name
    out: list[tuple] = []
    ints = bool(keys) and isinstance(keys[0], int)
    for i in range(0, len(keys), 50_000):
        part = json.dumps(keys[i:i + 50_000])
        if dialect == "postgresql":
            cast = "bigint" if ints else "text"
            sql = (f'SELECT {cols} FROM "{table}" WHERE "{key}" = ANY(ARRAY(SELECT v::{cast} FROM '
                   f'json_array_elements_text(%s::json) AS v))')
        elif dialect == "sqlite":
            sql = f'SELECT {cols} FROM "{table}" WHERE "{key}" IN (SELECT value FROM json_each(?))'
        else:  # pragma: no cover - other dialects
            t = Table(table, MetaData(), autoload_with=conn)
            rows = conn.execute(select(*[t.c[c] for c in (key, *columns)]).where(t.c[key].in_(keys[i:i + 50_000])))
            out.extend(tuple(r) for r in rows)
            continue
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(sql, (part,))
            out.extend(cursor.fetchall())
        finally:
            cursor.close()
    return out


class Dimensions:
    """Caches of code → id for one import, creating what is missing."""

    def __init__(self, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.created: Counter[str] = Counter()
        self._customers: dict[str, int] = {}
        #: Tier of each customer seen (for SLA policy matching).
        self.tiers: dict[int, str] = {}
        self._agents: dict[str, AgentInfo] = {}
        self._reasons: dict[str, int] = {}
        self._channels: dict[str, ChannelInfo] = {}
        self._teams: dict[str, int] = {}

    def take_created(self) -> dict[str, int]:
        """Rows created since the last call, by table."""
        out = dict(self.created)
        self.created.clear()
        return out

    def forget(self) -> None:
        """Drop every cache (after a rolled-back batch)."""
        self.__init__(self.defaults)

    # -- customers -----------------------------------------------------------------------------
    def customers(self, conn: Connection, refs: Iterable[str], tiers: dict[str, str] | None = None,
                  names: dict[str, str] | None = None) -> dict[str, int]:
        """Ids of customers by external ref, creating the missing ones."""
        wanted = [r for r in dict.fromkeys(refs) if r not in self._customers]
        if wanted:
            found = lookup(conn, "customers", "external_ref", ("id", "tier"), wanted)
            self._customers.update({r: int(i) for r, i, _ in found})
            self.tiers.update({int(i): tier for _, i, tier in found})
            new = [r for r in wanted if r not in self._customers]
            if new:
                tiers, names = tiers or {}, names or {}
                default_tier, segment = self.defaults["tier"], self.defaults["segment"]
                ids = reserve_ids(conn, "customers", len(new)).tolist()
                new_tiers = [tiers.get(r) or default_tier for r in new]
                write_columns(conn, "customers", {
                    "id": pa.array(ids, pa.int64()), "external_ref": pa.array(new, pa.string()),
                    "name": pa.array([(names.get(r) or r)[:200] for r in new], pa.string()),
                    "tier": pa.array(new_tiers, pa.string()), "segment": pa.array([segment] * len(new), pa.string()),
                    "annual_margin": pa.array([0.0] * len(new), pa.float64())})
                self._customers.update(zip(new, ids, strict=True))
                self.tiers.update(zip(ids, new_tiers, strict=True))
                self.created["customers"] += len(new)
        return self._customers

    # -- organisation ---------------------------------------------------------------------------
    def team(self, conn: Connection, code: str | None = None) -> int:
        """Id of the team ``code`` (default: the mapping's import team), created if missing."""
        code = (code or self.defaults["team"])[:64]
        if code not in self._teams:
            t = OrgUnit.__table__
            found = conn.execute(select(t.c.id).where(t.c.code == code)).scalar()
            if found is None:
                found = conn.execute(insert(t).returning(t.c.id),
                                     [{"code": code, "name": code, "kind": "team", "parent_id": None,
                                       "fixed_cost_monthly": 0.0}]).scalar_one()
                self.created["teams"] += 1
            self._teams[code] = int(found)
        return self._teams[code]

    def agents(self, conn: Connection, codes: Iterable[str],
               teams: dict[str, str] | None = None) -> dict[str, AgentInfo]:
        """Agents by code, creating missing ones in their team (default: the import team)."""
        t = Agent.__table__
        wanted = [c for c in dict.fromkeys(codes) if c not in self._agents]
        if wanted:
            found = _in_chunks(conn, lambda vs: select(t.c.code, t.c.id, t.c.team_id, t.c.hourly_cost)
                               .where(t.c.code.in_(vs)), wanted)
            self._agents.update({c: AgentInfo(int(i), int(tm), float(h)) for c, i, tm, h in found})
            new = [c for c in wanted if c not in self._agents]
            if new:
                teams = teams or {}
                cost = float(self.defaults["agent_hourly_cost"])
                rows = [{"code": c[:64], "name": c[:200], "team_id": self.team(conn, teams.get(c)),
                         "hourly_cost": cost, "skills": [], "sourcing": "in_house_onshore"} for c in new]
                for code, aid, team_id in conn.execute(
                        insert(t).returning(t.c.code, t.c.id, t.c.team_id), rows):
                    self._agents[code] = AgentInfo(int(aid), int(team_id), cost)
                self.created["agents"] += len(new)
        return self._agents

    # -- taxonomy and channels ---------------------------------------------------------------------
    def reasons(self, conn: Connection, codes: Iterable[str],
                names: dict[str, str] | None = None) -> dict[str, int]:
        """Contact reasons by code, creating missing ones (category ``imported``)."""
        t = ContactReason.__table__
        wanted = [c for c in dict.fromkeys(codes) if c not in self._reasons]
        if wanted:
            found = _in_chunks(conn, lambda vs: select(t.c.code, t.c.id).where(t.c.code.in_(vs)), wanted)
            self._reasons.update({c: int(i) for c, i in found})
            new = [c for c in wanted if c not in self._reasons]
            if new:
                names = names or {}
                rows = [{"code": c, "name": (names.get(c) or c.replace("_", " ").capitalize())[:200],
                         "category": "imported", "parent_id": None, "complexity": "standard"}
                        for c in new]
                for code, rid in conn.execute(insert(t).returning(t.c.code, t.c.id), rows):
                    self._reasons[code] = int(rid)
                self.created["reasons"] += len(new)
        return self._reasons

    def channels(self, conn: Connection, codes: Iterable[str]) -> dict[str, ChannelInfo]:
        """Channels by code with their cost model, creating missing ones from CHANNEL_DEFAULTS."""
        t = Channel.__table__
        wanted = [c for c in dict.fromkeys(codes) if c not in self._channels]
        if wanted:
            cols = (t.c.code, t.c.id, t.c.staffed, t.c.concurrency, t.c.tech_cost_per_contact)
            for row in conn.execute(select(*cols).where(t.c.code.in_(wanted))):
                self._channels[row[0]] = ChannelInfo(int(row[1]), row[0], bool(row[2]), float(row[3]),
                                                     float(row[4]))
            for code in [c for c in wanted if c not in self._channels]:
                spec = CHANNEL_DEFAULTS.get(code, {"name": code.replace("_", " ").capitalize(),
                                                   "staffed": True, "concurrency": 1.0,
                                                   "tech_cost_per_contact": 0.0,
                                                   "service_level_seconds": 30.0})
                row = {"code": code, "fixed_cost_monthly": 0.0, "containment_rate": None,
                       "opening_hours": {}, "escalates_to_id": None, **spec}
                cid = conn.execute(insert(t).returning(t.c.id), [row]).scalar_one()
                self._channels[code] = ChannelInfo(int(cid), code, spec["staffed"], spec["concurrency"],
                                                   spec["tech_cost_per_contact"])
                self.created["channels"] += 1
        return self._channels


def contact_cost(handle_seconds: float, hourly_cost: float, channel: ChannelInfo) -> float:
    """Handle hours x loaded hourly cost / concurrency + technology cost (automated: tech cost only)."""
    if not channel.staffed:
        return channel.tech_cost
    return handle_seconds / 3600.0 * hourly_cost / channel.concurrency + channel.tech_cost
