"""Benchmark: Erlang C staffing for many intervals, equipoise vs pyworkforce 0.5.1.

Run: .venv/bin/python bench/queueing.py [--intervals 10000] [--repeats 5] [--reference-repeats 5]

Both sides solve the same problem for every interval (minimum agents with service level >= 80%
answered within 20 s); the agent counts are compared interval by interval, then each side is
timed and its peak Python memory measured with tracemalloc in a separate run (tracing slows
code down, so it is kept out of the timings). The timings are interleaved -- each round times
equipoise ``--repeats`` times and pyworkforce once -- so that both sides see the same load on
a shared machine; the medians of wall-clock and of process CPU time are reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from equipoise.engine.queueing import required_agents  # noqa: E402

TARGET_SL = 0.8
TARGET_SECONDS = 20.0
INTERVAL_SECONDS = 1800.0


def make_intervals(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Calls per half hour (lognormal, 1..3000) and AHT in seconds (120..480)."""
    calls = np.clip(np.round(rng.lognormal(mean=np.log(150.0), sigma=1.0, size=count)), 1, 3000)
    aht = np.round(rng.uniform(120.0, 480.0, size=count))
    return calls, aht


def ours(calls: np.ndarray, aht: np.ndarray) -> np.ndarray:
    result = required_agents("c", calls, INTERVAL_SECONDS, aht, target_sl=TARGET_SL,
                             target_seconds=TARGET_SECONDS)
    return np.asarray(result.agents)


def import_reference() -> type:
    """Import pyworkforce's ErlangC, or explain why it cannot be used."""
    try:
        from pyworkforce.queuing import ErlangC
    except Exception as exc:  # pragma: no cover - depends on the installed versions
        raise SystemExit(f"pyworkforce could not be imported: {exc!r}") from exc
    return ErlangC


def reference(calls: np.ndarray, aht: np.ndarray) -> np.ndarray:
    erlang_c = import_reference()
    out = np.empty(calls.shape, dtype=np.int64)
    for i, (c, a) in enumerate(zip(calls.tolist(), aht.tolist(), strict=True)):
        model = erlang_c(transactions=c, aht=a / 60.0, asa=TARGET_SECONDS / 60.0,
                         interval=INTERVAL_SECONDS / 60.0)
        out[i] = model.required_positions(service_level=TARGET_SL)["raw_positions"]
    return out


def timed(func: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and process CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def interleaved(ours_run: Callable[[], object], reference_run: Callable[[], object],
                rounds: int, repeats: int) -> dict[str, list[tuple[float, float]]]:
    """Per round: ``repeats`` timings of ours, then one of the reference."""
    out: dict[str, list[tuple[float, float]]] = {"ours": [], "reference": []}
    for _ in range(rounds):
        out["ours"].extend(timed(ours_run) for _ in range(repeats))
        out["reference"].append(timed(reference_run))
    return out


def peak_memory(func: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intervals", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5,
                        help="equipoise runs per round")
    parser.add_argument("--reference-repeats", type=int, default=5,
                        help="rounds (one pyworkforce run each)")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    calls, aht = make_intervals(args.intervals, np.random.default_rng(args.seed))
    load = calls / INTERVAL_SECONDS * aht
    print(f"{args.intervals:,} intervals; load {load.min():.2f}-{load.max():.1f} Erlangs "
          f"(median {np.median(load):.1f}); target {TARGET_SL:.0%} in {TARGET_SECONDS:g} s")
    import_reference()

    mine = ours(calls, aht)
    theirs = reference(calls, aht)
    mismatched = np.flatnonzero(mine != theirs)
    print(f"agent counts: {mine.sum():,} in total; mismatches: {mismatched.size}")
    for i in mismatched[:20]:
        print(f"  interval {i}: calls={calls[i]:g} aht={aht[i]:g} s load={load[i]:.3f} "
              f"equipoise={mine[i]} pyworkforce={theirs[i]}")

    times = interleaved(lambda: ours(calls, aht), lambda: reference(calls, aht),
                        args.reference_repeats, args.repeats)
    m_ours = peak_memory(lambda: ours(calls, aht))
    m_ref = peak_memory(lambda: reference(calls, aht))
    medians = {side: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
               for side, runs in times.items()}
    for side, label, memory in (("ours", "equipoise  ", m_ours), ("reference", "pyworkforce", m_ref)):
        wall, cpu = medians[side]
        print(f"{label} median {wall * 1e3:10.2f} ms wall {cpu * 1e3:10.2f} ms CPU  "
              f"({len(times[side])} runs)  peak traced memory {memory / 2**20:7.2f} MiB")
    print(f"speed-up: {medians['reference'][0] / medians['ours'][0]:,.0f}x wall, "
          f"{medians['reference'][1] / medians['ours'][1]:,.0f}x CPU (target >= 100x)")
    if mismatched.size:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
