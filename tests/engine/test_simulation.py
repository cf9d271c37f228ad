"""Behaviour of the simulation: exact kernel/event agreement, routing, repeats, self-service."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.engine.simulation import (
    RECORD_DTYPE,
    AgentPool,
    ArrivalProfile,
    CentreModel,
    ContactType,
    Deterministic,
    Empirical,
    Exponential,
    Infinite,
    LogNormal,
    SelfService,
    StaffingSchedule,
    fcfs_kernel,
    is_single_fcfs,
    replicate,
    simulate,
    single_pool_model,
    summarise,
)


def _mmn(agents=13, intervals=8, patience=None, **kw) -> CentreModel:
    return single_pool_model(
        100 / 1800,
        Exponential(180.0),
        patience or Exponential(300.0),
        agents,
        interval_seconds=1800.0,
        intervals=intervals,
        **kw,
    )


def test_same_seed_same_records_and_different_seed_different() -> None:
    model = _mmn()
    a = simulate(model, np.random.default_rng(42))
    b = simulate(model, np.random.default_rng(42))
    c = simulate(model, np.random.default_rng(43))
    assert a.equals(b)
    assert not a.equals(c)
    assert not np.array_equal(a.arrival[:10], c.arrival[:10])


def test_records_columns_and_structured_view() -> None:
    rec = simulate(_mmn(agents=9), np.random.default_rng(3))
    arr = rec.to_structured()
    assert arr.dtype == RECORD_DTYPE and arr.size == len(rec) > 300
    assert not rec.arrival.flags.writeable
    served = rec.pool >= 0
    assert np.all(rec.wait >= 0)
    np.testing.assert_allclose(rec.end[served], rec.start[served] + rec.handle[served])
    assert np.all(np.isnan(rec.start[rec.abandoned]))
    assert np.all(rec.server[~served] == -1) and np.all(rec.server[served] < 9)
    assert rec.abandoned.sum() > 0
    assert set(rec.to_dict()) == set(RECORD_DTYPE.names)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    staffing=st.lists(st.integers(0, 6), min_size=1, max_size=6),
    infinite=st.booleans(),
    service=st.sampled_from(
        [
            Exponential(150.0),
            LogNormal(150.0, 1.2),
            Deterministic(150.0),
            Empirical((30.0, 150.0, 400.0)),
        ]
    ),
)
def test_fast_kernel_equals_event_driven_centre(seed, staffing, infinite, service) -> None:
    """The FCFS kernel and the general event loop produce identical records (ties included)."""
    patience = Infinite() if infinite else Exponential(120.0)
    if infinite and staffing[-1] == 0:
        staffing = [*staffing, 2]
    model = single_pool_model(
        [0.02, 0.04, 0.01, 0.03, 0.02, 0.05][: len(staffing)] or [0.02],
        service,
        patience,
        staffing,
        interval_seconds=900.0,
    )
    assert is_single_fcfs(model)
    fast = simulate(model, np.random.default_rng(seed))
    slow = simulate(model, np.random.default_rng(seed), force_event_driven=True)
    assert fast.equals(slow)
    untracked = simulate(model, np.random.default_rng(seed), track_servers=False)
    assert np.all(untracked.server == -1)
    for column in ("start", "end", "wait", "abandoned", "pool"):
        assert np.array_equal(getattr(untracked, column), getattr(fast, column), equal_nan=True)


def _busy_count_at(rec, times):
    served = rec.pool >= 0
    s, e = rec.start[served], rec.end[served]
    return np.array([np.sum((s <= t) & (e > t)) for t in times])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), servers=st.integers(1, 8))
def test_kernel_invariants(seed, servers) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    arrival = np.cumsum(rng.exponential(20.0, n))
    service = rng.exponential(20.0 * servers * 1.1, n)
    patience = rng.exponential(60.0, n)
    res = fcfs_kernel(arrival, service, patience, servers)
    served = ~np.isnan(res.start)
    wait = res.start[served] - arrival[served]
    assert np.all(wait >= 0) and np.all(wait <= patience[served])
    # FCFS: answer times never decrease in arrival order
    assert np.all(np.diff(res.start[served]) >= 0)
    # one contact at a time per server
    for k in range(servers):
        mine = served & (res.server == k)
        st_, en = res.start[mine], res.start[mine] + service[mine]
        assert np.all(st_[1:] >= en[:-1] - 1e-9)
    # a contact that abandoned found every server busy until after its deadline
    end = np.where(served, res.start + service, -np.inf)
    for i in np.flatnonzero(~served)[:50]:
        deadline = arrival[i] + patience[i]
        earlier = np.arange(n) < i
        busy_past_deadline = served & earlier & (res.start <= deadline) & (end > deadline)
        assert busy_past_deadline.sum() == servers


def test_kernel_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="sorted"):
        fcfs_kernel(np.array([2.0, 1.0]), np.ones(2), np.ones(2), 1)
    with pytest.raises(ValueError, match="same length"):
        fcfs_kernel(np.array([1.0]), np.ones(2), np.ones(2), 1)
    with pytest.raises(ValueError, match="servers"):
        fcfs_kernel(np.array([1.0]), np.ones(1), np.ones(1), -1)


def test_shift_schedule_bounds_concurrent_service() -> None:
    model = single_pool_model(
        [0.08] * 6,
        Exponential(120.0),
        Exponential(200.0),
        [8, 3, 0, 5, 5, 2],
        interval_seconds=600.0,
    )
    rec = simulate(model, np.random.default_rng(11))
    scheduled = np.array([8, 3, 0, 5, 5, 2, 2])
    served = np.flatnonzero(rec.pool >= 0)
    assert np.sum((rec.start >= 1200) & (rec.start < 1800)) == 0  # nobody logged in
    # a call starts only when fewer calls than scheduled agents are running
    for i in served:
        t = rec.start[i]
        running = np.sum((rec.start[served] <= t) & (rec.end[served] > t))
        assert running <= scheduled[int(t // 600)]
    # agents leaving at a shift end finish their calls: the busy count only falls then
    busy = _busy_count_at(rec, np.arange(1200.0, 1800.0, 5.0))
    assert np.all(np.diff(busy) <= 0)
    assert _busy_count_at(rec, [599.0])[0] > 3  # more busy than the next interval's staff


def test_chat_concurrency_gives_each_agent_several_slots() -> None:
    chat = ContactType(
        "chat",
        "chat",
        ArrivalProfile.constant(0.05, 3600, 2),
        service=Exponential(300.0),
        patience=Infinite(),
    )
    pool = AgentPool("chatters", "chat", StaffingSchedule.constant(2), ("chat",), concurrency=3)
    rec = simulate(CentreModel((chat,), (pool,)), np.random.default_rng(5))
    assert set(np.unique(rec.server)) == set(range(6))
    assert _busy_count_at(rec, np.arange(0, 7200, 7.0)).max() == 6


def _two_tier_model(fcr: float = 1.0) -> CentreModel:
    gold = ContactType(
        "gold",
        "phone",
        ArrivalProfile.constant(0.02, 3600, 10),
        service=Exponential(200.0),
        patience=Exponential(600.0),
        tier="gold",
        fcr=fcr,
        repeat_delay=Deterministic(60.0),
    )
    basic = ContactType(
        "basic",
        "phone",
        ArrivalProfile.constant(0.05, 3600, 10),
        service=Exponential(200.0),
        patience=Exponential(600.0),
        tier="basic",
        fcr=fcr,
        repeat_delay=Deterministic(60.0),
    )
    pool = AgentPool("phones", "phone", StaffingSchedule.constant(15), ("gold", "basic"))
    return CentreModel((gold, basic), (pool,), tier_priorities={"gold": 2, "basic": 1})


def test_priority_serves_higher_tier_first_and_fcfs_within_tier() -> None:
    model = _two_tier_model()
    assert not is_single_fcfs(model)
    rec = simulate(model, np.random.default_rng(8))
    gold, basic = rec.type == 0, rec.type == 1
    assert rec.wait[gold].mean() < 0.25 * rec.wait[basic].mean()
    assert rec.abandoned[gold].mean() < rec.abandoned[basic].mean()
    for mask in (gold, basic):
        served = mask & (rec.pool >= 0)
        assert np.all(np.diff(rec.start[served]) >= 0)
    # whenever a basic contact was answered, no gold contact was waiting
    served_basic = np.flatnonzero(basic & (rec.pool >= 0))
    g_arr, g_leave = (
        rec.arrival[gold],
        np.where(rec.pool[gold] >= 0, rec.start[gold], rec.end[gold]),
    )
    for i in served_basic[::5]:
        t = rec.start[i]
        assert not np.any((g_arr < t) & (g_leave > t))


def test_repeat_contacts_appear_at_rate_one_minus_fcr() -> None:
    fcr = 0.7
    model = _two_tier_model(fcr)
    rec = simulate(model, np.random.default_rng(21))
    handled = rec.pool >= 0
    eligible = handled & (rec.end + 60.0 < model.horizon_seconds)
    repeats = np.flatnonzero(rec.is_repeat)
    n, p = int(eligible.sum()), 1 - fcr
    assert abs(repeats.size - n * p) <= 4 * math.sqrt(n * p * (1 - p))
    origin = rec.repeat_of[repeats]
    assert np.all(eligible[origin])
    assert np.unique(origin).size == origin.size
    np.testing.assert_allclose(rec.arrival[repeats], rec.end[origin] + 60.0)
    assert np.array_equal(rec.type[repeats], rec.type[origin])
    assert np.all(rec.repeat_of[~rec.is_repeat] == -1)
    summary = summarise(model, rec)["phone"]
    assert summary.repeats == np.sum(rec.is_repeat & (rec.arrival < model.horizon_seconds))


def test_self_service_containment_splits_binomially_and_escalates() -> None:
    rate = 0.35
    ivr = ContactType(
        "ivr",
        "ivr",
        ArrivalProfile.constant(0.2, 3600, 4),
        self_service=SelfService(rate, "billing", Exponential(45.0)),
    )
    billing = ContactType("billing", "phone", None, service=Exponential(240.0))
    pool = AgentPool("phones", "phone", StaffingSchedule.constant(40), ("billing",))
    model = CentreModel((ivr, billing), (pool,))
    rec = simulate(model, np.random.default_rng(13))
    is_ivr = rec.type == 0
    n = int(is_ivr.sum())
    contained = int(rec.contained[is_ivr].sum())
    assert abs(contained - n * rate) <= 4 * math.sqrt(n * rate * (1 - rate))
    escalated = np.flatnonzero(rec.escalated_from >= 0)
    assert escalated.size == n - contained
    src = rec.escalated_from[escalated]
    assert np.all(is_ivr[src]) and not np.any(rec.contained[src])
    np.testing.assert_allclose(rec.arrival[escalated], rec.end[src])
    assert np.all(rec.type[escalated] == 1)
    assert np.all(rec.pool[is_ivr] == -1)
    by_channel = summarise(model, rec)
    assert by_channel["ivr"].containment_rate == pytest.approx(contained / n)
    assert math.isnan(by_channel["ivr"].service_level)
    assert by_channel["phone"].offered > 0


def test_skills_route_only_to_pools_that_serve_the_type() -> None:
    sales = ContactType("sales", "phone", ArrivalProfile.constant(0.03, 3600, 3))
    support = ContactType("support", "phone", ArrivalProfile.constant(0.03, 3600, 3))
    generalists = AgentPool(
        "generalists", "phone", StaffingSchedule.constant(3), ("sales", "support")
    )
    specialists = AgentPool("specialists", "phone", StaffingSchedule.constant(3), ("support",))
    model = CentreModel((sales, support), (generalists, specialists))
    rec = simulate(model, np.random.default_rng(4))
    assert np.all(rec.pool[rec.type == 0] <= 0)  # sales never reaches the specialists
    assert set(np.unique(rec.pool[rec.type == 1])) == {-1, 0, 1}
    assert rec.pool_names == ("generalists", "specialists")


def test_summary_counts_only_the_window_after_warmup() -> None:
    model = _mmn(agents=12, warmup_seconds=3600.0)
    rec = simulate(model, np.random.default_rng(9))
    s = summarise(model, rec)["phone"]
    window = rec.arrival >= 3600.0
    assert s.offered == window.sum()
    assert s.handled + s.abandoned == s.offered
    assert s.service_level == pytest.approx(
        np.mean(window & (rec.pool >= 0) & (rec.wait <= 20)) / window.mean()
    )
    assert s.asa_seconds == pytest.approx(rec.wait[window & (rec.pool >= 0)].mean())
    assert s.mean_wait_seconds == pytest.approx(rec.wait[window].mean())
    assert s.p_abandon == pytest.approx(rec.abandoned[window].mean())
    assert 0.6 < s.occupancy <= 1.0


def test_replicate_is_reproducible_and_rejects_bad_arguments() -> None:
    model = _mmn(intervals=4)
    calls = []
    a = replicate(model, 4, 7, progress=lambda done, total: calls.append((done, total)))
    b = replicate(model, 4, np.random.SeedSequence(7))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert a.estimate("phone", "service_level") == b.estimate("phone", "service_level")
    runs = [r["phone"].offered for r in a.runs]
    assert len(set(runs)) > 1  # replications use different streams
    assert a.as_dict()["channels"]["phone"]["p_abandon"]["n"] == 4
    with pytest.raises(ValueError, match="replications"):
        replicate(model, 0, 1)
    with pytest.raises(ValueError, match="seed"):
        replicate(model, 2, "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="statistic"):
        a.estimate("phone", "nope")
    with pytest.raises(ValueError, match="rng"):
        simulate(model, 5)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    priorities=st.lists(st.integers(0, 2), min_size=3, max_size=3),
    staff=st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=3), min_size=2, max_size=2),
    concurrency=st.integers(1, 3),
    fcr=st.floats(0.5, 1.0),
    containment=st.floats(0.0, 1.0),
)
def test_event_driven_centre_invariants(seed, priorities, staff, concurrency, fcr,
                                        containment) -> None:
    """Any mix of skills, priorities, shifts, repeats and self-service keeps the books straight."""
    profile = ArrivalProfile.constant(0.01, 1200.0, 3)
    types = (
        ContactType("a", "phone", profile, priority=priorities[0], fcr=fcr,
                    repeat_delay=Exponential(300.0)),
        ContactType("b", "phone", None, priority=priorities[1], patience=Infinite()),
        ContactType("c", "chat", profile, priority=priorities[2], service=LogNormal(200, 0.8)),
        ContactType("ivr", "ivr", profile,
                    self_service=SelfService(containment, "b", Deterministic(30.0))),
    )
    pools = (
        AgentPool("p0", "phone", StaffingSchedule(1200.0, tuple(staff[0])), ("a", "b")),
        AgentPool("p1", "chat", StaffingSchedule(1200.0, (*staff[1], 2)), ("b", "c"),
                  concurrency=concurrency),
    )
    model = CentreModel(types, pools)
    rec = simulate(model, np.random.default_rng(seed))
    assert rec.equals(simulate(model, np.random.default_rng(seed)))
    assert np.array_equal(rec.id, np.arange(len(rec)))
    automated = rec.type == 3
    queued = ~automated
    answered = rec.pool >= 0
    # every queued contact is answered or abandoned, never both; automated ones neither
    assert np.all(answered[queued] ^ rec.abandoned[queued])
    assert not np.any(answered[automated] | rec.abandoned[automated])
    # skills: a only on p0, c only on p1
    assert np.all(rec.pool[(rec.type == 0) & answered] == 0)
    assert np.all(rec.pool[(rec.type == 2) & answered] == 1)
    # waits respect patience; abandoned contacts waited exactly their patience deadline
    assert np.all(rec.wait[answered] >= 0)
    assert np.all(rec.end[answered] >= rec.start[answered])
    # a slot serves one contact at a time
    for p in (0, 1):
        for k in np.unique(rec.server[rec.pool == p]):
            mine = np.flatnonzero((rec.pool == p) & (rec.server == k))
            order = mine[np.argsort(rec.start[mine])]
            assert np.all(rec.start[order][1:] >= rec.end[order][:-1])
    # repeats point back to an answered contact of type a; escalations to an uncontained IVR
    rep = np.flatnonzero(rec.is_repeat)
    assert np.all(answered[rec.repeat_of[rep]]) and np.all(rec.type[rec.repeat_of[rep]] == 0)
    esc = np.flatnonzero(rec.escalated_from >= 0)
    assert np.all(automated[rec.escalated_from[esc]])
    assert esc.size == np.sum(automated & ~rec.contained)


def test_unresolved_contacts_can_come_back_through_self_service() -> None:
    ivr = ContactType("ivr", "ivr", None,
                      self_service=SelfService(0.5, "calls", Deterministic(40.0)))
    calls = ContactType("calls", "phone", ArrivalProfile.constant(0.05, 3600, 4), fcr=0.5,
                        repeat_as="ivr", repeat_delay=Exponential(600.0))
    pool = AgentPool("phones", "phone", StaffingSchedule.constant(20), ("calls",))
    model = CentreModel((ivr, calls), (pool,))
    rec = simulate(model, np.random.default_rng(6))
    back = np.flatnonzero(rec.is_repeat)
    assert back.size > 50 and np.all(rec.type[back] == 0)
    np.testing.assert_allclose(rec.handle[back], 40.0)  # the self-service step's duration
    n, contained = back.size, int(rec.contained[back].sum())
    assert abs(contained - n / 2) <= 4 * math.sqrt(n / 4)
    escalated = np.flatnonzero(np.isin(rec.escalated_from, back))
    assert escalated.size == n - contained and np.all(rec.type[escalated] == 1)
