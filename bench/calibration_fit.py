"""Service-time MLE fits: equipoise.engine.calibration against scipy.stats ``fit`` (floc=0).

Run: .venv/bin/python bench/calibration_fit.py [n]
Prints, per distribution, the median time of 5 repeats for both, their ratio, the largest relative
parameter difference, and the peak memory of each side (tracemalloc).
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc

import numpy as np
from scipy import stats

from equipoise.engine.calibration import exponential_mle, gamma_mle, lognormal_mle


def timed(fn, repeats: int = 5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, statistics.median(times), peak / 2**20


def main(n: int) -> None:
    x = np.random.default_rng(7).lognormal(6.0, 0.6, n)
    cases = {
        "lognormal": (lambda: lognormal_mle(x), lambda: stats.lognorm.fit(x, floc=0),
                      lambda ours, ref: [(ours["sigma"], ref[0]), (np.exp(ours["mu"]), ref[2])]),
        "gamma": (lambda: gamma_mle(x), lambda: stats.gamma.fit(x, floc=0),
                  lambda ours, ref: [(ours["shape"], ref[0]), (ours["scale"], ref[2])]),
        "exponential": (lambda: exponential_mle(x), lambda: stats.expon.fit(x, floc=0),
                        lambda ours, ref: [(ours["scale"], ref[1])]),
    }
    print(f"n = {n:,} lognormal draws")
    print(f"{'fit':<12}{'ours (ms)':>11}{'scipy (ms)':>12}{'ratio':>8}{'max rel diff':>14}"
          f"{'peak ours MiB':>15}{'peak scipy MiB':>16}")
    for name, (ours_fn, ref_fn, pairs) in cases.items():
        ours, t_ours, m_ours = timed(ours_fn)
        ref, t_ref, m_ref = timed(ref_fn)
        diff = max(abs(a - b) / abs(b) for a, b in pairs(ours, ref))
        print(f"{name:<12}{t_ours * 1e3:>11.2f}{t_ref * 1e3:>12.2f}{t_ref / t_ours:>8.1f}"
              f"{diff:>14.2e}{m_ours:>15.1f}{m_ref:>16.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
