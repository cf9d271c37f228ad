"""Per-channel summary statistics of one simulation run."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from equipoise.engine.simulation.inputs import CentreModel
from equipoise.engine.simulation.records import ContactRecords

#: Statistics of ChannelSummary that are averaged over replications.
SUMMARY_FIELDS = (
    "arrivals", "offered", "handled", "abandoned", "service_level", "asa_seconds",
    "mean_wait_seconds", "p_wait", "p_abandon", "occupancy", "mean_handle_seconds", "repeats",
    "repeat_share", "self_service", "contained", "containment_rate",
)


@dataclass(frozen=True)
class ChannelSummary:
    """What one channel did for contacts arriving in [warmup, horizon).

    ``offered`` counts contacts queued for an agent; ``service_level`` is the share of offered
    contacts answered within the channel's target (abandoned ones count as missed); ``asa`` is
    the mean wait of answered contacts; ``mean_wait_seconds`` the mean time in queue of all
    offered contacts, abandoned ones included (Erlang A's ASA); ``p_wait`` the share of offered
    contacts that had to wait at all; ``occupancy`` is agent busy time over staffed time in
    the window (all pools of the channel; a busy agent finishing after a shift can push it
    slightly above the staffed time). ``self_service``/``contained`` count automated contacts.
    NaN marks a ratio without a denominator.
    """

    channel: str
    target_seconds: float
    arrivals: float
    offered: float
    handled: float
    abandoned: float
    service_level: float
    asa_seconds: float
    mean_wait_seconds: float
    p_wait: float
    p_abandon: float
    occupancy: float
    mean_handle_seconds: float
    repeats: float
    repeat_share: float
    self_service: float
    contained: float
    containment_rate: float

    def as_dict(self) -> dict[str, float | str]:
        """Plain values for JSON output."""
        return asdict(self)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def summarise(model: CentreModel, records: ContactRecords) -> dict[str, ChannelSummary]:
    """Summary statistics per channel (keys in ``model.channels`` order)."""
    lo, hi = model.warmup_seconds, model.horizon
    in_window = (records.arrival >= lo) & (records.arrival < hi)
    channel_of_type = np.array([t.channel for t in model.contact_types], dtype=object)
    automated_type = np.array([t.self_service is not None for t in model.contact_types])
    type_channel = channel_of_type[records.type] if len(records) else np.array([], dtype=object)
    automated = automated_type[records.type] if len(records) else np.array([], dtype=bool)
    answered = records.pool >= 0
    overlap = np.clip(np.minimum(records.end, hi) - np.maximum(records.start, lo), 0.0, None)
    busy_by_pool = np.zeros(len(model.pools))
    if len(records):
        np.add.at(busy_by_pool, records.pool[answered], overlap[answered])
    out: dict[str, ChannelSummary] = {}
    for channel in model.channels:
        target = model.target_seconds(channel)
        mine = in_window & (type_channel == channel)
        queued = mine & ~automated
        offered = int(queued.sum())
        ans = queued & answered
        handled = int(ans.sum())
        abandoned = int((queued & records.abandoned).sum())
        waits = records.wait[ans]
        on_time = int(np.sum(waits <= target))
        ss = mine & automated
        n_ss = int(ss.sum())
        contained = int((ss & records.contained).sum())
        repeats = int((queued & records.is_repeat).sum())
        capacity = sum(
            (p.staffing.agent_seconds(lo, hi) * p.concurrency
             for p in model.pools if p.channel == channel),
            0.0,
        )
        busy = sum(
            (float(busy_by_pool[i]) for i, p in enumerate(model.pools) if p.channel == channel),
            0.0,
        )
        out[channel] = ChannelSummary(
            channel=channel,
            target_seconds=target,
            arrivals=float(mine.sum()),
            offered=float(offered),
            handled=float(handled),
            abandoned=float(abandoned),
            service_level=_ratio(on_time, offered),
            asa_seconds=float(waits.mean()) if handled else math.nan,
            mean_wait_seconds=float(records.wait[queued].mean()) if offered else math.nan,
            p_wait=_ratio(int(np.sum(records.wait[queued] > 0)), offered),
            p_abandon=_ratio(abandoned, offered),
            occupancy=_ratio(busy, capacity),
            mean_handle_seconds=float(records.handle[ans].mean()) if handled else math.nan,
            repeats=float(repeats),
            repeat_share=_ratio(repeats, offered),
            self_service=float(n_ss),
            contained=float(contained),
            containment_rate=_ratio(contained, n_ss),
        )
    return out
