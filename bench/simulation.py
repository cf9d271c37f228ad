"""Benchmark: equipoise's M/M/N+M simulation against the same centre modelled in ciw.

    .venv/bin/python bench/simulation.py [--calls 1000000] [--ciw-calls 100000]

Both sides simulate λ = 100 calls / 30 min, AHT 180 s, exponential patience 300 s, 13 agents,
service level at 20 s, as independent replications with a 30-minute warm-up. equipoise runs
``--calls`` calls in total; ciw (a general-purpose discrete-event library) runs ``--ciw-calls``
because it is much slower, so speed is compared as calls simulated per second. The statistics
of both are printed with 95% confidence intervals next to the exact Erlang A values, and each
pair is checked for agreement within the combined interval. Peak memory is measured with
tracemalloc in separate, untimed runs.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import ciw
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from equipoise.engine.queueing import erlang_a_metrics  # noqa: E402
from equipoise.engine.simulation import (  # noqa: E402
    Exponential,
    confidence_interval,
    replicate,
    simulate,
    single_pool_model,
    summarise,
)

RATE, AHT, PATIENCE, AGENTS, TARGET = 100 / 1800, 180.0, 300.0, 13, 20.0
WARMUP = 1800.0
STATS = ("service_level", "mean_wait_seconds", "p_abandon", "p_wait", "occupancy")
EXACT_FIELD = {"service_level": "service_level", "mean_wait_seconds": "asa_seconds",
               "p_abandon": "p_abandon", "p_wait": "p_wait", "occupancy": "occupancy"}


def _model(calls_per_replication: int):
    intervals = max(2, math.ceil(calls_per_replication / (RATE * 1800.0)))
    return single_pool_model(RATE, Exponential(AHT), Exponential(PATIENCE), AGENTS,
                             interval_seconds=1800.0, intervals=intervals,
                             warmup_seconds=WARMUP, service_level_seconds=TARGET)


def run_equipoise(calls: int, replications: int, seed: int):
    """All replications of equipoise's simulation; returns (report, calls simulated)."""
    report = replicate(_model(calls // replications), replications, seed)
    return report, report.contacts


def _ciw_replication(horizon: float, seed: int) -> tuple[dict[str, float], int]:
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(RATE)],
        service_distributions=[ciw.dists.Exponential(1 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(1 / PATIENCE)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    records = sim.get_all_records()
    # statistics over arrivals in [warm-up, horizon - 1 h): all of them have left by the horizon
    hi = horizon - 3600.0
    arrival = np.array([r.arrival_date for r in records])
    served = np.array([r.record_type == "service" for r in records])
    start = np.array([r.service_start_date for r in records])
    end = np.array([r.exit_date for r in records])
    window = (arrival >= WARMUP) & (arrival < hi)
    wait = np.where(served, start, end) - arrival
    busy = np.clip(np.minimum(end, hi) - np.maximum(start, WARMUP), 0, None)[served].sum()
    offered = window.sum()
    return {
        "service_level": float(np.sum(window & served & (wait <= TARGET)) / offered),
        "mean_wait_seconds": float(wait[window].mean()),
        "p_abandon": float(np.sum(window & ~served) / offered),
        "p_wait": float(np.sum(window & (wait > 0)) / offered),
        "occupancy": float(busy / (AGENTS * (hi - WARMUP))),
    }, len(records)


def run_ciw(calls: int, replications: int, seed: int):
    """Replications of the ciw model; returns (per-statistic values, calls, seconds per run)."""
    horizon = calls / replications / RATE
    values: dict[str, list[float]] = {s: [] for s in STATS}
    total, times = 0, []
    for r in range(replications):
        t0 = time.perf_counter()
        stats, n = _ciw_replication(horizon, seed + r)
        times.append(time.perf_counter() - t0)
        total += n
        for s in STATS:
            values[s].append(stats[s])
    return values, total, times


def _peak_mib(func: Callable[[], object]) -> float:
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--ciw-calls", type=int, default=100_000)
    parser.add_argument("--ciw-replications", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    run_equipoise(20_000, 2, 0)  # warm-up of imports and caches
    times, report, ours_calls = [], None, 0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        report, ours_calls = run_equipoise(args.calls, args.replications, args.seed)
        times.append(time.perf_counter() - t0)
    ours_time = statistics.median(times)
    ciw_values, ciw_calls, ciw_times = run_ciw(args.ciw_calls, args.ciw_replications, args.seed)
    ciw_time = sum(ciw_times)
    ciw_per_run = statistics.median(ciw_times)

    # the general event-driven loop (priorities, repeats, skills) on the same centre
    event_calls = min(args.calls, 200_000)
    event_model = _model(event_calls)
    t0 = time.perf_counter()
    event_records = simulate(event_model, np.random.default_rng(args.seed), force_event_driven=True)
    summarise(event_model, event_records)
    event_time = time.perf_counter() - t0

    exact = erlang_a_metrics(RATE, AHT, PATIENCE, AGENTS, TARGET)
    print(f"M/M/{AGENTS}+M: λ = {RATE * 1800:.0f} calls/30 min, AHT {AHT:.0f} s, "
          f"patience {PATIENCE:.0f} s, SL target {TARGET:.0f} s")
    print(f"{'statistic':<20}{'equipoise (95% CI)':>26}{'ciw (95% CI)':>26}{'Erlang A':>11}  agree")
    all_agree = True
    for s in STATS:
        ours = report.estimate("phone", s)
        ref = confidence_interval(ciw_values[s])
        agree = abs(ours.mean - ref.mean) <= math.hypot(ours.half_width, ref.half_width)
        all_agree &= agree
        print(f"{s:<20}{ours.mean:>16.5f} ± {ours.half_width:<7.5f}{ref.mean:>16.5f} ± "
              f"{ref.half_width:<7.5f}{float(getattr(exact, EXACT_FIELD[s])):>11.5f}  "
              f"{'yes' if agree else 'NO'}")
    ours_rate = ours_calls / ours_time
    ciw_rate = ciw_calls / ciw_time
    event_rate = len(event_records) / event_time
    print()
    print(f"equipoise FCFS kernel: {ours_calls:,} calls in {ours_time:.3f} s "
          f"(median of {args.repeats}, {args.replications} replications) "
          f"= {ours_rate:,.0f} calls/s")
    print(f"equipoise event loop : {len(event_records):,} calls in {event_time:.3f} s "
          f"= {event_rate:,.0f} calls/s")
    print(f"ciw 3.2.7            : {ciw_calls:,} calls in {ciw_time:.3f} s "
          f"({args.ciw_replications} replications, median {ciw_per_run:.3f} s each) "
          f"= {ciw_rate:,.0f} calls/s")
    print(f"speed-up (calls/s)   : kernel {ours_rate / ciw_rate:.1f}x, "
          f"event loop {event_rate / ciw_rate:.1f}x faster than ciw")
    if ciw_calls < ours_calls:
        print(f"(ciw ran {ciw_calls:,} calls instead of {ours_calls:,}: compared per call)")

    one_run = _model(args.calls)
    peak_ours_single = _peak_mib(
        lambda: summarise(one_run, simulate(one_run, np.random.default_rng(1))))
    peak_ours_reps = _peak_mib(lambda: run_equipoise(args.calls, args.replications, args.seed))
    ciw_peak_calls = args.ciw_calls // args.ciw_replications
    peak_ciw = _peak_mib(lambda: _ciw_replication(ciw_peak_calls / RATE, args.seed))
    print(f"peak memory (tracemalloc): equipoise one run of {args.calls:,} calls "
          f"{peak_ours_single:.1f} MiB; {args.replications} replications "
          f"{peak_ours_reps:.1f} MiB; ciw one run of {ciw_peak_calls:,} calls {peak_ciw:.1f} MiB "
          f"({peak_ciw * 2**20 / ciw_peak_calls:.0f} B/call vs "
          f"{peak_ours_single * 2**20 / args.calls:.0f} B/call)")
    print(f"statistics agree within combined 95% CIs: {'yes' if all_agree else 'NO'}")


if __name__ == "__main__":
    main()
