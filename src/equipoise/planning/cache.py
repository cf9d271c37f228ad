"""Built balance models kept per (data source, data version), so the optimiser can re-run at once.

Building a :class:`~equipoise.planning.balance.BalanceModel` measures a year of contacts, fits the
churn link and profiles the queues (about 18 s on the 20,000-customer demo); solving it for other
CSAT floors or another budget takes a fraction of that. :class:`ModelCache` keeps the model built
without floors or budget and applies them to a copy (:func:`with_constraints`), which gives exactly
the inputs ``build_model(con, floors=..., budget=...)`` would have built.

The data version (:func:`data_version`) is a fingerprint read in one small query: row counts and
largest ids of every table the measurements read, the columns that change in place (case
resolution and complaint times, customer churn dates, agent rates), every row of the small
configuration tables (channels, reasons, their eligibility), the import batches committed and the
demo's dataset facts. Any import, demo rebuild, new contact, case, survey answer, complaint or churn
gives another version, and the next request builds a fresh model. Entries also expire after
``max_age`` seconds, which bounds how long an edit the fingerprint cannot see (say a contact's
recorded cost corrected in place) stays unseen.

The cache is bounded (least recently used entries go first, and a newer version of a source drops
the older ones), thread-safe, and builds each (source, version) once even when several requests ask
for it together: the others wait for that build instead of starting their own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ibis
from ibis.backends import BaseBackend

from equipoise.kit.errors import InvalidInput
from equipoise.planning.balance import BalanceModel, build_model

#: Large tables: their row count and largest id, plus aggregates of the columns updated in place.
_TABLE_STATS: dict[str, Callable[[ibis.Table], dict[str, ibis.Value]]] = {
    "contacts": lambda t: {},
    "cases": lambda t: {"resolved": t.resolved_at.count(), "last_resolved": t.resolved_at.max(),
                        "complaints": t.complained_at.count(), "last_complaint": t.complained_at.max()},
    "survey_responses": lambda t: {"csat": t.csat.count()},
    "customers": lambda t: {"churned": t.churned_on.count(), "last_churn": t.churned_on.max(),
                            "acquired": t.acquired_on.max()},
    "agents": lambda t: {"rates": t.hourly_cost.sum()},
    "agent_shifts": lambda t: {},
    "org_units": lambda t: {},
    "import_files": lambda t: {},
    "import_batches": lambda t: {},
}
#: Small configuration tables read whole (the columns the measurements use).
_SMALL_TABLES: dict[str, tuple[str, ...]] = {
    "channels": ("id", "code", "staffed", "concurrency", "tech_cost_per_contact", "fixed_cost_monthly",
                 "service_level_seconds", "escalates_to_id"),
    "contact_reasons": ("id", "code", "category", "parent_id", "complexity"),
    "reason_channels": (),
    "dataset_facts": (),
}


def data_version(con: BaseBackend) -> str:
    """A fingerprint of everything :func:`~equipoise.planning.balance.build_model` reads."""
    parts: list[ibis.Table] = []
    for name, extra in _TABLE_STATS.items():
        t = con.table(name)
        metrics = {"rows": t.count(), "last_id": t.id.max(), **extra(t)}
        parts.append(t.aggregate(**{f"{name}__{k}": v for k, v in metrics.items()}))
    stats = parts[0]
    for part in parts[1:]:
        stats = stats.cross_join(part)
    digest = hashlib.sha256(repr(sorted(stats.to_pandas().iloc[0].to_dict().items())).encode())
    for name, columns in _SMALL_TABLES.items():
        t = con.table(name)
        t = t.select(*columns) if columns else t
        rows = t.to_pandas().astype(str).values.tolist()
        digest.update(f"{name}:{sorted(rows)!r}".encode())
    return digest.hexdigest()


def with_constraints(model: BalanceModel, floors: Mapping[str, float] | None = None,
                     budget: float | None = None) -> BalanceModel:
    """A copy of ``model`` with these CSAT floors (shares 0..1 by tier) and service budget.

    The same inputs as ``build_model(con, floors=floors, budget=budget)``: the floors of ``model``
    are replaced, not merged; an unknown tier is the same clear error.
    """
    floors = dict(floors or {})
    tiers = [t.code for t in model.problem.tiers]
    unknown = set(floors) - set(tiers)
    if unknown:
        raise InvalidInput(f"csat floor: unknown tiers {sorted(unknown)}; known: {tiers}",
                           field="csat_floor")
    specs = tuple(dataclasses.replace(t, csat_floor=floors.get(t.code)) for t in model.problem.tiers)
    return model.with_problem(dataclasses.replace(model.problem, tiers=specs, budget=budget))


@dataclass(frozen=True)
class CacheStats:
    """How often the cache answered from memory, and how many models it built."""

    hits: int
    builds: int
    entries: int


class ModelCache:
    """Balance models by (source, data version): bounded, thread-safe, one build per key at a time.

    ``source`` names the database (its URL); ``max_entries`` bounds the models kept; ``max_age``
    (seconds, None for never) is how long a model may serve before it is rebuilt anyway.
    """

    def __init__(self, max_entries: int = 4, max_age: float | None = 3600.0, *,
                 build: Callable[[BaseBackend], BalanceModel] = build_model,
                 version: Callable[[BaseBackend], str] = data_version,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries: expected at least 1, got {max_entries}")
        if max_age is not None and not max_age > 0:
            raise ValueError(f"max_age: expected seconds > 0 or None, got {max_age}")
        self.max_entries, self.max_age = max_entries, max_age
        self._build, self._version, self._clock = build, version, clock
        self._entries: OrderedDict[tuple[str, str], tuple[BalanceModel, float]] = OrderedDict()
        self._building: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()
        self._hits = self._builds = 0

    def model(self, con: BaseBackend, source: str, *, floors: Mapping[str, float] | None = None,
              budget: float | None = None) -> BalanceModel:
        """The model of the data behind ``con`` with these floors and budget (built at most once
        per data version; the floors and budget only change the copy returned)."""
        return with_constraints(self.base(con, source), floors, budget)

    def base(self, con: BaseBackend, source: str) -> BalanceModel:
        """The model of the data behind ``con`` without floors or budget."""
        key = (source, self._version(con))
        with self._lock:
            found = self._fresh(key)
            if found is not None:
                return found
            gate = self._building.setdefault(key, threading.Lock())
        with gate:  # one build per key; the others wait here, then find it
            with self._lock:
                found = self._fresh(key)
                if found is not None:
                    return found
            try:
                built = self._build(con)
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:
                self._building.pop(key, None)
                self._builds += 1
                for old in [k for k in self._entries if k[0] == source and k != key]:
                    del self._entries[old]  # an older version of the same data
                self._entries[key] = (built, self._clock())
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return built

    def _fresh(self, key: tuple[str, str]) -> BalanceModel | None:
        """The entry of ``key`` if it is young enough (marked recently used); call under the lock."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.max_age is not None and self._clock() - entry[1] > self.max_age:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        self._hits += 1
        return entry[0]

    def invalidate(self, source: str | None = None) -> None:
        """Forget the models of ``source`` (every model when None)."""
        with self._lock:
            for key in [k for k in self._entries if source is None or k[0] == source]:
                del self._entries[key]

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._builds, len(self._entries))


#: The process-wide cache the web pages and the API share.
MODELS = ModelCache()
#: The source name of each analytics connection (its database URL once a page has said it).
_NAMES: weakref.WeakKeyDictionary[BaseBackend, str] = weakref.WeakKeyDictionary()
_NAMES_LOCK = threading.Lock()


def source_of(con: BaseBackend, source: str | None = None) -> str:
    """The cache source of ``con``: ``source`` (remembered for ``con``), else the name remembered for
    ``con``, else a name of its own (so callers without the URL share the entry of those with it)."""
    with _NAMES_LOCK:
        if source is not None:
            _NAMES[con] = source
            return source
        name = _NAMES.get(con)
        if name is None:
            name = _NAMES[con] = f"connection:{uuid.uuid4().hex}"
        return name


def cached_model(con: BaseBackend, source: str | None = None, *,
                 floors: Mapping[str, float] | None = None, budget: float | None = None) -> BalanceModel:
    """``build_model(con, floors=floors, budget=budget)``, from :data:`MODELS` when the data behind
    ``con`` (``source``: its database URL) has not changed since it was last built."""
    return MODELS.model(con, source_of(con, source), floors=floors, budget=budget)
