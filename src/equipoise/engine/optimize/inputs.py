"""Validated inputs of the balance-point optimiser.

Everything is per year and in one currency. Arrays are dense over (tier, reason, channel) so the
glue can fill them straight from per-(tier, reason, channel) measurements; cells that are never
used still need plausible values when an automated channel escalates into them.

Satisfaction is the share of satisfied answers (CSAT as "% of 4-5 answers") in [0, 1]; results
report differences in CSAT points (percentage points, 100 x the share).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from equipoise.engine.economics.churn_model import ChurnCostRates

__all__ = [
    "ChannelSpec",
    "ProblemInputs",
    "ServiceLevelOption",
    "TierSpec",
    "option_from_staffing",
]

_AS_IS = "as-is"


def _finite_nonneg(owner: str, name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} of {owner}: expected a finite number >= 0, got {value!r}")


@dataclass(frozen=True)
class ServiceLevelOption:
    """One service-level target a staffed channel can run at, with its cost and wait."""

    #: e.g. "80/20" (80% answered within 20 s).
    name: str
    #: Staffing cost per handled contact on top of the handle cost (idle and safety capacity
    #: needed for the target, from Erlang at the reference volume), currency per contact.
    staffing_cost_per_contact: float
    #: Mean wait of a contact in queue at this target, seconds.
    mean_wait_seconds: float
    #: Volume-independent staffing cost of running at this target, currency per year.
    fixed_cost: float = 0.0

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name: expected a non-empty service-level option name")
        for f in ("staffing_cost_per_contact", "mean_wait_seconds", "fixed_cost"):
            _finite_nonneg(f"option {self.name!r}", f, getattr(self, f))


def option_from_staffing(
    name: str,
    *,
    agents: float,
    loaded_hourly_cost: float,
    open_hours_per_year: float,
    contacts_per_year: float,
    handle_hours_per_contact: float,
    mean_wait_seconds: float,
    concurrency: float = 1.0,
) -> ServiceLevelOption:
    """Build an option from an Erlang staffing result: the paid hours not spent handling contacts.

    Staff cost = agents x hourly cost x open hours; handling already costs
    contacts x handle hours x hourly cost / concurrency; the rest is spread over the contacts.
    """
    for arg, v in {
        "agents": agents,
        "loaded_hourly_cost": loaded_hourly_cost,
        "open_hours_per_year": open_hours_per_year,
        "handle_hours_per_contact": handle_hours_per_contact,
    }.items():
        _finite_nonneg(f"option {name!r}", arg, v)
    if not (math.isfinite(contacts_per_year) and contacts_per_year > 0):
        raise ValueError(f"contacts_per_year: expected a number > 0, got {contacts_per_year!r}")
    if not (math.isfinite(concurrency) and concurrency >= 1):
        raise ValueError(f"concurrency: expected a number >= 1, got {concurrency!r}")
    paid = agents * loaded_hourly_cost * open_hours_per_year
    handling = contacts_per_year * handle_hours_per_contact * loaded_hourly_cost / concurrency
    idle = max(0.0, paid - handling)
    return ServiceLevelOption(name, idle / contacts_per_year, mean_wait_seconds)


@dataclass(frozen=True)
class ChannelSpec:
    """A channel as the optimiser sees it."""

    code: str
    #: Staffed (agents, queue, service-level options) or automated (IVR, self-service).
    staffed: bool = True
    #: Service-level options of a staffed channel; none means one option "as-is" (no overhead,
    #: no wait). Automated channels have none.
    options: tuple[ServiceLevelOption, ...] = ()
    #: The option the channel runs at today (default: the first).
    current_option: str | None = None
    #: For an automated channel: the staffed channel that takes what it does not contain.
    escalates_to: str | None = None
    #: CSAT share lost by a contact that had to escalate (on top of the agent channel's CSAT).
    escalation_csat_penalty: float = 0.0
    #: Most contacts the channel can take per year (including repeats and escalations).
    capacity: float | None = None

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("code: expected a non-empty channel code")
        owner = f"channel {self.code!r}"
        if self.staffed and self.escalates_to is not None:
            raise ValueError(f"escalates_to of {owner}: only automated channels escalate")
        if not self.staffed and self.options:
            raise ValueError(
                f"options of {owner}: automated channels have no service-level options"
            )
        opts = self.effective_options
        names = [o.name for o in opts]
        if len(set(names)) != len(names):
            raise ValueError(f"options of {owner}: duplicate option names {names}")
        if self.current_option is not None and self.current_option not in names:
            raise ValueError(
                f"current_option of {owner}: expected one of {names}, got {self.current_option!r}"
            )
        if not 0.0 <= self.escalation_csat_penalty <= 1.0:
            raise ValueError(f"escalation_csat_penalty of {owner}: expected a share in [0, 1]")
        if self.capacity is not None:
            _finite_nonneg(owner, "capacity", self.capacity)

    @property
    def effective_options(self) -> tuple[ServiceLevelOption, ...]:
        """The options, with the implicit "as-is" option for a staffed channel without any."""
        if self.staffed and not self.options:
            return (ServiceLevelOption(_AS_IS, 0.0, 0.0),)
        return self.options

    @property
    def current_index(self) -> int:
        """Index of today's option (0 for automated channels)."""
        if self.current_option is None:
            return 0
        return [o.name for o in self.effective_options].index(self.current_option)


@dataclass(frozen=True)
class TierSpec:
    """A customer tier: its churn cost rates, wait sensitivity and CSAT floor."""

    code: str
    churn: ChurnCostRates = field(default_factory=ChurnCostRates)
    #: CSAT share lost per minute waited (e.g. 0.01 = one point per minute).
    wait_csat_per_minute: float = 0.0
    #: Minimum volume-weighted mean CSAT of the tier (share), or None.
    csat_floor: float | None = None

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("code: expected a non-empty tier code")
        _finite_nonneg(f"tier {self.code!r}", "wait_csat_per_minute", self.wait_csat_per_minute)
        if self.csat_floor is not None and not 0.0 <= self.csat_floor <= 1.0:
            raise ValueError(f"csat_floor of tier {self.code!r}: expected a share in [0, 1]")


_CELL_ARRAYS = (
    "current_share",
    "handle_cost",
    "fcr",
    "csat_resolved",
    "csat_unresolved",
    "containment",
    "complaint_rate",
)


@dataclass(frozen=True, eq=False)
class ProblemInputs:
    """One optimisation instance: tiers x reasons x channels with their measurements.

    Cell arrays have shape (tiers, reasons, channels); ``eligible`` may also be given per
    (reason, channel) and is broadcast over tiers.

    * ``volume``          issues (first contacts) per year per (tier, reason);
    * ``current_share``   today's share of each (tier, reason) on each channel;
    * ``handle_cost``     handling cost of one contact (handle time x rate / concurrency + tech);
    * ``fcr``             first-contact resolution in (0, 1]; unresolved contacts repeat on the
      same channel until resolved (expected contacts per issue 1 / fcr);
    * ``csat_resolved`` / ``csat_unresolved``  satisfied share when the issue is / is not
      resolved at first contact (for an automated channel, ``csat_resolved`` is the CSAT of a
      contained contact and ``csat_unresolved`` of one that failed with nowhere to escalate);
    * ``containment``     share an automated channel contains (ignored on staffed channels);
    * ``complaint_rate``  complaints per issue.
    """

    tiers: tuple[TierSpec, ...]
    reasons: tuple[str, ...]
    channels: tuple[ChannelSpec, ...]
    volume: np.ndarray
    eligible: np.ndarray
    current_share: np.ndarray
    handle_cost: np.ndarray
    fcr: np.ndarray
    csat_resolved: np.ndarray
    csat_unresolved: np.ndarray
    containment: np.ndarray | None = None
    complaint_rate: np.ndarray | None = None
    #: Cap on total service cost per year, or None.
    budget: float | None = None
    #: Largest allowed change of any channel share of a (tier, reason) from today, or None.
    max_shift: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "tiers", tuple(self.tiers))
        set_(self, "reasons", tuple(self.reasons))
        set_(self, "channels", tuple(self.channels))
        S, R, C = len(self.tiers), len(self.reasons), len(self.channels)
        if min(S, R, C) == 0:
            raise ValueError("tiers, reasons, channels: expected at least one of each")
        for kind, codes in (
            ("tiers", [t.code for t in self.tiers]),
            ("reasons", list(self.reasons)),
            ("channels", [c.code for c in self.channels]),
        ):
            if len(set(codes)) != len(codes):
                raise ValueError(f"{kind}: expected unique codes, got {codes}")
        shape = (S, R, C)
        vol = _array("volume", self.volume, (S, R))
        if np.any(vol < 0):
            raise ValueError("volume: expected issues per year >= 0")
        elig = np.asarray(self.eligible, dtype=bool)
        if elig.shape == (R, C):
            elig = np.broadcast_to(elig, shape)
        if elig.shape != shape:
            raise ValueError(f"eligible: expected shape {shape} or {(R, C)}, got {elig.shape}")
        set_(self, "volume", _frozen(vol))
        set_(self, "eligible", _frozen(elig.astype(bool)))
        defaults = {"containment": 1.0, "complaint_rate": 0.0}
        for name in _CELL_ARRAYS:
            value = getattr(self, name)
            value = np.full(shape, defaults[name]) if value is None else value
            arr = _array(name, value, shape)
            set_(self, name, _frozen(arr))
        _check_range("fcr", self.fcr, 0.0, 1.0, low_open=True)
        for name in ("csat_resolved", "csat_unresolved", "containment", "current_share"):
            _check_range(name, getattr(self, name), 0.0, 1.0)
        for name in ("handle_cost", "complaint_rate"):
            _check_range(name, getattr(self, name), 0.0, math.inf)
        active = vol > 0
        sums = self.current_share.sum(axis=2)
        bad = np.argwhere(active & (np.abs(sums - 1.0) > 1e-6))
        if bad.size:
            s, r = bad[0]
            raise ValueError(
                f"current_share[{self.tiers[s].code}, {self.reasons[r]}]: expected shares summing "
                f"to 1, got {sums[s, r]:.6g}"
            )
        orphan = np.argwhere(active & ~self.eligible.any(axis=2))
        if orphan.size:
            s, r = orphan[0]
            raise ValueError(
                f"eligible[{self.tiers[s].code}, {self.reasons[r]}]: volume > 0 "
                "but no eligible channel"
            )
        codes = [c.code for c in self.channels]
        for ch in self.channels:
            if ch.escalates_to is not None:
                if ch.escalates_to not in codes:
                    raise ValueError(
                        f"escalates_to of channel {ch.code!r}: unknown channel {ch.escalates_to!r}"
                    )
                if not self.channels[codes.index(ch.escalates_to)].staffed:
                    raise ValueError(
                        f"escalates_to of channel {ch.code!r}: expected a staffed channel"
                    )
        if self.budget is not None:
            _finite_nonneg("the problem", "budget", self.budget)
        if self.max_shift is not None and not 0.0 <= self.max_shift <= 1.0:
            raise ValueError(f"max_shift: expected a share in [0, 1], got {self.max_shift!r}")

    @property
    def shape(self) -> tuple[int, int, int]:
        """(tiers, reasons, channels)."""
        return len(self.tiers), len(self.reasons), len(self.channels)

    def channel_index(self, code: str) -> int:
        """Position of the channel ``code``."""
        codes = [c.code for c in self.channels]
        if code not in codes:
            raise ValueError(f"channel: expected one of {codes}, got {code!r}")
        return codes.index(code)

    def with_changes(self, **changes: object) -> ProblemInputs:
        """A copy with some fields replaced (e.g. ``budget=...``)."""
        fields = {f: getattr(self, f) for f in self.__dataclass_fields__}
        unknown = set(changes) - set(fields)
        if unknown:
            raise ValueError(f"with_changes: unknown fields {sorted(unknown)}")
        fields.update(changes)
        return ProblemInputs(**fields)  # type: ignore[arg-type]


def _array(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.array(value, dtype=float)
    if arr.shape != shape:
        try:
            arr = np.array(np.broadcast_to(arr, shape), dtype=float)
        except ValueError:
            raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: expected finite values, found NaN or infinity")
    return arr


def _check_range(name: str, arr: np.ndarray, lo: float, hi: float, low_open: bool = False) -> None:
    bad = (arr <= lo) if low_open else (arr < lo)
    bad |= arr > hi
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        lo_b = "(" if low_open else "["
        raise ValueError(
            f"{name}{list(idx)}: expected a value in {lo_b}{lo}, {hi}], got {arr[idx]!r}"
        )


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a)
    a.setflags(write=False)
    return a
