"""Per-contact simulation records: one row per contact, columns as read-only numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

#: Column name -> dtype of the structured-array view of the records.
RECORD_DTYPE = np.dtype(
    [
        ("id", np.int64),
        ("type", np.int32),
        ("arrival", np.float64),
        ("start", np.float64),
        ("end", np.float64),
        ("wait", np.float64),
        ("handle", np.float64),
        ("abandoned", np.bool_),
        ("contained", np.bool_),
        ("pool", np.int32),
        ("server", np.int32),
        ("is_repeat", np.bool_),
        ("repeat_of", np.int64),
        ("escalated_from", np.int64),
    ]
)
_COLUMNS: tuple[str, ...] = RECORD_DTYPE.names or ()


@dataclass(frozen=True)
class ContactRecords:
    """What happened to every contact.

    Times are seconds from the start of the horizon. ``start`` is NaN for contacts that were
    never served by an agent (abandoned, or self-service). ``wait`` is time in queue (until
    answer or abandonment); ``handle`` the agent (or automated) handling time, 0 if abandoned.
    ``pool``/``server`` are -1 when no agent served the contact; ``server`` numbers the service
    slots of the pool (-1 for every contact when the run did not track servers).
    ``repeat_of``/``escalated_from`` are -1 or the id of the earlier contact.
    ``end`` is +inf for a contact stranded with infinite patience and no agent ever again.
    """

    id: NDArray[np.int64]
    type: NDArray[np.int32]
    arrival: NDArray[np.float64]
    start: NDArray[np.float64]
    end: NDArray[np.float64]
    wait: NDArray[np.float64]
    handle: NDArray[np.float64]
    abandoned: NDArray[np.bool_]
    contained: NDArray[np.bool_]
    pool: NDArray[np.int32]
    server: NDArray[np.int32]
    is_repeat: NDArray[np.bool_]
    repeat_of: NDArray[np.int64]
    escalated_from: NDArray[np.int64]
    type_names: tuple[str, ...]
    pool_names: tuple[str, ...]

    def __post_init__(self) -> None:
        n = self.id.size
        for name in _COLUMNS:
            column = np.ascontiguousarray(getattr(self, name), dtype=RECORD_DTYPE[name])
            if column.shape != (n,):
                raise ValueError(
                    f"record column {name!r} must have shape ({n},), got {column.shape}"
                )
            column.flags.writeable = False
            object.__setattr__(self, name, column)

    def __len__(self) -> int:
        return int(self.id.size)

    @property
    def answered(self) -> NDArray[np.bool_]:
        """Contacts an agent started serving."""
        return self.pool >= 0

    def to_structured(self) -> np.ndarray:
        """The records as one numpy structured array (columns of RECORD_DTYPE)."""
        out = np.empty(len(self), dtype=RECORD_DTYPE)
        for name in _COLUMNS:
            out[name] = getattr(self, name)
        return out

    def to_dict(self) -> dict[str, np.ndarray]:
        """The records as a dict of column name -> array."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in _COLUMNS}

    def equals(self, other: ContactRecords) -> bool:
        """True when every column is identical (NaN equal to NaN)."""
        if self.type_names != other.type_names or self.pool_names != other.pool_names:
            return False
        return all(
            np.array_equal(getattr(self, n), getattr(other, n), equal_nan=n in _FLOAT_COLUMNS)
            for n in _COLUMNS
        )


_FLOAT_COLUMNS = frozenset(n for n in _COLUMNS if RECORD_DTYPE[n].kind == "f")
